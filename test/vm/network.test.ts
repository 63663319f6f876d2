// VMs on the kernel's virtual networks: a VM's network card sits on the host's bridge through the
// hypervisor's relay, so containers and VMs reach each other by name and address (TCP and UDP),
// and two VMs do too; a VM with --network none has only its loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectNetwork } from "../../containers/network-api.js";
import type { ContainerRuntime } from "../../containers/runtime.js";
import { makeRuntime, runIn, sh, start } from "../containers/helpers.js";

const VM = { vm: true, vmMemory: "96m" } as const;
/**
 * A shell loop that runs `command` until it succeeds (30 s at most): the server may not listen yet.
 * A VM boots its own kernel first; under both of `npm test`'s runs on two cores, 5 s was once too few.
 */
const retry = (command: string) => `for i in $(seq 1 600); do ${command} && exit 0; sleep 0.05; done; exit 1`;

describe("VM networking", () => {
  let runtime: ContainerRuntime;
  beforeAll(async () => {
    runtime = await makeRuntime();
  });
  afterAll(() => runtime.shutdown());

  it("lets a VM fetch from a container's httpd by name, and a container reach a VM's nc -l", async () => {
    const web = await start(runtime, sh("mkdir -p /www && echo hello from the container > /www/index.html && httpd -f -p 80 -h /www"), { name: "web" });
    const client = await runIn(runtime, sh(`hostname -i; grep vmclient /etc/hosts; ${retry("wget -q -O - http://web/")}`), { ...VM, name: "vmclient", hostname: "vmclient" });
    expect(client.stderr).toBe("");
    expect(client.stdout).toMatch(/^(10\.88\.0\.\d+)( \S+)?\n\1\tvmclient\n\S+\tvmclient\nhello from the container\n$/);
    await runtime.stop(web.record.spec.id, 1);

    const server = await start(runtime, sh("nc -l -p 7000; echo served"), { ...VM, name: "vmserver" });
    const members = Object.values(inspectNetwork(runtime, "bridge").Containers);
    expect(members.find((m) => m.Name === "vmserver")?.IPv4Address).toMatch(/^10\.88\.0\.\d+\/24$/);
    const sender = await runIn(runtime, sh(`${retry("echo hi from a container | nc vmserver 7000")}`), { name: "sender" });
    expect(sender.exitCode).toBe(0);
    const served = await server.done();
    expect(served.stdout).toBe("hi from a container\nserved\n");
  });

  it("connects two VMs by name, and carries UDP from a VM to a container", async () => {
    const listener = await start(runtime, sh("nc -l -p 7001 | wc -c"), { ...VM, name: "vma" });
    // 3 MB: more than a relayed connection's window (RELAY_WINDOW), so the relay's flow control has to give room back.
    const talker = await runIn(runtime, sh(`head -c 3000000 /dev/zero > /tmp/blob; ${retry("nc vma 7001 < /tmp/blob")}`), { ...VM, name: "vmb" });
    expect(talker.exitCode).toBe(0);
    expect((await listener.done()).stdout.trim()).toBe("3000000");

    const udp = await start(runtime, sh("nc -u -l -p 5000"), { name: "udpsink" });
    const sent = await runIn(runtime, sh("for i in $(seq 1 40); do echo datagram; sleep 0.05; done | nc -u udpsink 5000"), { ...VM, name: "vmudp" });
    expect(sent.exitCode).toBe(0);
    expect(udp.out.stdout).toMatch(/^(datagram\n)+$/);
    await runtime.stop(udp.record.spec.id, 1);
  });

  it("resets a container's connection to a VM that is killed", async () => {
    const vm = await start(runtime, sh("(echo ready; sleep 100) | nc -l -p 7003"), { ...VM, name: "vmdies" });
    // Connects until the greeting comes (the VM may not listen yet), then drains until the connection ends.
    const client = await start(runtime, sh("until nc vmdies 7003 </dev/null | (read line && echo $line && cat >/dev/null); do sleep 0.05; done; echo connection ended"), { name: "watcher" });
    for (const deadline = Date.now() + 20_000; !client.out.stdout.includes("ready\n"); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > deadline) throw new Error(`the container never got the VM's greeting: ${JSON.stringify(client.out)}`);
    }
    runtime.kill(vm.record.spec.id, "SIGKILL");
    expect((await client.done()).stdout).toBe("ready\nconnection ended\n");
    expect(await runtime.wait(vm.record.spec.id)).toBe(137);
  });

  it("gives a VM with --network none no way to the bridge", async () => {
    await start(runtime, sh("nc -l -p 7002"), { name: "lonely" });
    const vm = await runIn(runtime, sh("nc lonely 7002 </dev/null; ip addr | grep -c inet"), { ...VM, network: "none", name: "vmnone" });
    expect(vm.stderr).toMatch(/nc: bad address 'lonely'/);
    expect(vm.stdout.trim()).toBe("2");
  });
});
