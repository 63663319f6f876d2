// containers/: how the runtime boots a VM instance: a Hypervisor guest (made at the first VM) from a
// full copy of the image, its command under the guest's init, its console fed from the caller's stdin.
import { Hypervisor, type Guest, type VmNetwork } from "../kernel/host.js";
import type { Credentials } from "../images/users.js";
import type { StreamIo } from "./instance.js";
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
      hostname: spec.hostname, name: spec.name, init: spec.init, capture: false, stdin: io.stdin !== undefined && io.stdin !== null,
      onStdout: io.onStdout, onStderr: io.onStderr, onLog: log,
    });
    feedGuestStdin(guest, io.stdin);
    void guest.exited.then(() => hypervisor.remove(guest.id));
    return guest;
  }
}

/** Feeds a VM's console its standard input (the CLI's, or -i's stream): bytes as given, a stream until it ends or the guest does. */
function feedGuestStdin(guest: Guest, stdin: StreamIo["stdin"]): void {
  if (stdin === undefined || stdin === null) return;
  if (typeof stdin === "string" || stdin instanceof Uint8Array) {
    guest.writeStdin(stdin);
    guest.endStdin();
    return;
  }
  if (!("pipe" in stdin)) {
    guest.endStdin();
    return;
  }
  const onData = (chunk: Buffer | string) => guest.writeStdin(typeof chunk === "string" ? chunk : new Uint8Array(chunk));
  const onEnd = () => guest.endStdin();
  stdin.on("data", onData);
  stdin.on("end", onEnd);
  void guest.exited.then(() => {
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.pause();
  });
}
