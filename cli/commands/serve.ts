// `wasmbox serve COMPONENT`: serves HTTP with a wasi:http/incoming-handler component, as `wasmtime serve`
// does (default 0.0.0.0:8080, --addr HOST:PORT): each request calls the component's handle on a fresh instance.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { wasmboxHome } from "../../images/home.js";
import { ComponentHttpServer, formatSockAddr, isComponent, parseHostPort, type Container } from "../../kernel/host.js";
import { cliHostOutputs } from "../host-outputs.js";
import { CliExit, type CliIo } from "../io.js";
import { envEntries } from "../../containers/options.js";
import { cliKernel, parseDirFlag, runFailure } from "./run-module.js";
import { OUTGOING_HTTP } from "./run-component.js";

/** wasmtime serve's address. */
const DEFAULT_ADDR = "0.0.0.0:8080";

interface ServeOptions {
  addr?: string;
  dir?: string[];
  env?: string[];
}

/** Serves until SIGINT/SIGTERM (or the component's process ends); returns the exit code. */
export async function serveComponent(io: CliIo, file: string, options: ServeOptions): Promise<number> {
  const addrText = options.addr ?? DEFAULT_ADDR;
  const addr = parseHostPort(addrText);
  if (!addr) throw new CliExit(2, `wasmbox: --addr ${addrText}: expected HOST:PORT with an IP address (0.0.0.0:8080, 127.0.0.1:8000, [::1]:8080)`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CliExit(2, `wasmbox: ${file}: ${e instanceof Error && "code" in e && e.code === "ENOENT" ? "no such file" : String(e)}`);
  }
  if (!isComponent(bytes)) throw new CliExit(2, `wasmbox: ${file}: not a WebAssembly component (serve takes a wasi:http/incoming-handler component)`);
  const preopens = (options.dir ?? []).map((d) => parseDirFlag(d, io.cwd));
  const env = envEntries(options.env ?? [], io.env);
  const kernel = cliKernel(io, { reuseInstances: false, preemption: false, componentCacheDir: join(wasmboxHome(io.env), "components") });
  const server = new ComponentHttpServer();
  try {
    const bound = await server.listen(addr.ip, addr.port);
    io.stderr(`Serving HTTP on http://${formatSockAddr({ family: addr.family, ip: bound.address, port: bound.port })}/\n`);
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : "";
    throw new CliExit(2, `wasmbox: --addr ${addrText}: ${code === "EADDRINUSE" ? "address already in use" : code === "EADDRNOTAVAIL" ? "not an address of this host" : e instanceof Error ? e.message : String(e)}`);
  }
  let container: Container | undefined;
  const stop = () => {
    void server.close();
    if (container) kernel.interrupt(container);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const host = cliHostOutputs(kernel, io);
  try {
    const result = await kernel.run({ kind: "component", name: file, bytes, serve: server, hostNetworkFor: [OUTGOING_HTTP] }, {
      argv0: file, args: [], env, dirs: preopens, preopenRoot: false, stdin: null, capture: false,
      stdoutTo: host.stdout, stderrTo: host.stderr,
      // As wasmtime serve: the handler's outgoing requests reach the host's network (hostNetworkFor).
      onStart: (proc) => (container = proc.container),
    });
    // Ended by a signal (^C): a server's normal end.
    return server.isClosed && result.signal !== undefined ? 0 : result.exitCode;
  } catch (e) {
    throw runFailure(e, file);
  } finally {
    host.close();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await server.close();
  }
}

export function registerServeCommand(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  const collect = (value: string, all: string[] | undefined) => [...(all ?? []), value];
  program
    .command("serve <component>")
    .description("serve HTTP with a wasi:http/incoming-handler component, as wasmtime serve (each request a fresh instance; a trap is a 500)")
    .option("--addr <HOST:PORT>", `the address to listen on (default ${DEFAULT_ADDR})`)
    .option("--dir <HOST[::GUEST]>", "preopen a host directory for the component (repeatable)", collect)
    .option("--env <K[=V]>", "an environment variable for the component (repeatable; K alone takes the host's)", collect)
    .action(async (file: string, opts: ServeOptions) => {
      exitCode(await serveComponent(io, file, opts));
    });
}
