// A loopback port for a test that must name one before anything listens on it (a CLI flag, a -p
// mapping): the system's pick, never a fixed number, since test files run at once on both Nodes.
import * as net from "node:net";

/** A port free on 127.0.0.1 now (the system's pick, let go at once). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
