// containers/: how the runtime boots a VM instance: a Hypervisor guest (made at the first VM) from a
// full copy of the image, its command under the guest's init, its console as the start asks (stdin, terminal).
import { Hypervisor, type Guest, type VmNetwork } from "../kernel/host.js";
import type { Credentials } from "../images/users.js";
import { vmConsole, type StreamIo } from "./instance.js";
import type { ContainerSpec } from "./spec.js";
import type { RunnableImage } from "./runtime.js";

/** Boots the VMs of one runtime. */
export class VmBooter {
  /** Made at the first VM. */
  private hypervisor?: Hypervisor;

  /** Boots `spec`'s command as a VM of `image`, with a network card on `network` when given; `log` takes the guest kernel's lines. */
  boot(spec: ContainerSpec, image: RunnableImage, user: Credentials | undefined, network: VmNetwork | undefined, io: StreamIo, log: (line: string) => void): Guest {
    const hypervisor = (this.hypervisor ??= new Hypervisor());
    const guest = hypervisor.boot({
      ...(user ? { user } : {}), ...(network ? { network } : {}),
      layers: image.layers, argv: [...spec.entrypoint, ...spec.cmd], env: spec.env, cwd: spec.workdir,
      memoryMb: spec.vm?.memoryMb, cpus: spec.vm?.cpus, engine: spec.engine === "auto" ? undefined : spec.engine,
      hostname: spec.hostname, name: spec.name, init: spec.init, capture: false, ...vmConsole(io),
      onStdout: io.onStdout, onStderr: io.onStderr, onLog: log,
    });
    void guest.exited.then(() => hypervisor.remove(guest.id));
    return guest;
  }
}
