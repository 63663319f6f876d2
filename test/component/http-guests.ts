// Test side of wasi:http and wasi:sockets: builds their guests of test/guests/component (AssemblyScript written to
// the canonical ABI) into components: compiled here, exports renamed to their WIT names, WIT embedded, jco's componentNew.
import asc from "assemblyscript/asc";
import binaryen from "binaryen";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentEmbed, componentNew, preview1AdapterCommandPath } from "@bytecodealliance/jco";

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), "..", "guests", "component");
/** jco's copy of the WASI 0.2.12 WIT packages (one package.wit per package). */
const WASI_WIT = join(dirname(fileURLToPath(preview1AdapterCommandPath())), "wit", "builtin", "0.2.12");

/** The worlds of the guests, beside the WASI packages they use. */
const WORLDS = `package wasmbox:test;
world handler { include wasi:http/proxy@0.2.12; }
world fetcher {
  import wasi:http/outgoing-handler@0.2.12;
  import wasi:cli/stdout@0.2.12;
  import wasi:cli/environment@0.2.12;
  export wasi:cli/run@0.2.12;
}
world udpclient {
  import wasi:sockets/instance-network@0.2.12;
  import wasi:sockets/udp-create-socket@0.2.12;
  import wasi:sockets/udp@0.2.12;
  import wasi:cli/stdout@0.2.12;
  import wasi:cli/environment@0.2.12;
  export wasi:cli/run@0.2.12;
}
world tcpclient {
  import wasi:sockets/instance-network@0.2.12;
  import wasi:sockets/tcp-create-socket@0.2.12;
  import wasi:sockets/tcp@0.2.12;
  import wasi:cli/stdout@0.2.12;
  import wasi:cli/environment@0.2.12;
  export wasi:cli/run@0.2.12;
}
`;

/** The worlds and every WASI package as one WIT source (nested package blocks). */
function witSource(): string {
  let source = WORLDS;
  for (const dir of readdirSync(WASI_WIT).sort()) {
    const text = readFileSync(join(WASI_WIT, dir, "package.wit"), "utf8");
    const declaration = /^package ([^;]+);/m.exec(text);
    if (!declaration) throw new Error(`${dir}/package.wit: no package declaration`);
    source += `package ${declaration[1]} {\n${text.replace(declaration[0], "")}\n}\n`;
  }
  return source;
}

/** Compiles an AssemblyScript guest to a core module with no runtime imports. */
async function compile(source: string): Promise<Uint8Array> {
  const out = mkdtempSync(join(tmpdir(), "wasmbox-http-guest-"));
  try {
    const outFile = join(out, "guest.wasm");
    const { error, stderr } = await asc.main([source, "--outFile", outFile, "--runtime", "stub", "--optimizeLevel", "2", "--shrinkLevel", "1", "--noColors", "--use", "abort="]);
    if (error) throw new Error(`${source}: ${error.message}\n${stderr.toString()}`);
    return new Uint8Array(readFileSync(outFile));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Renames the module's export `from` to `to` (AssemblyScript cannot spell WIT export names). */
function renameExport(module: Uint8Array, from: string, to: string): Uint8Array {
  const m = binaryen.readBinary(module);
  try {
    const target = binaryen.getExportInfo(m.getExport(from)).value;
    m.removeExport(from);
    m.addFunctionExport(target, to);
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

async function build(name: string, world: string, exportName: string, witExport: string): Promise<Uint8Array> {
  const core = renameExport(await compile(join(GUESTS, `${name}.ts`)), exportName, witExport);
  const embedded = await componentEmbed({ binary: core, witSource: witSource(), world });
  return componentNew(embedded);
}

/** The wasi:http/incoming-handler guest (http-handler.ts) as a component. */
export function buildHttpHandler(): Promise<Uint8Array> {
  return build("http-handler", "wasmbox:test/handler", "handle", "wasi:http/incoming-handler@0.2.12#handle");
}

/** The outgoing-request command guest (http-fetch.ts) as a component. */
export function buildHttpFetch(): Promise<Uint8Array> {
  return build("http-fetch", "wasmbox:test/fetcher", "run", "wasi:cli/run@0.2.12#run");
}

/** The wasi:sockets TCP client guest (tcp-client.ts) as a component. */
export function buildTcpClient(): Promise<Uint8Array> {
  return build("tcp-client", "wasmbox:test/tcpclient", "run", "wasi:cli/run@0.2.12#run");
}

/** The wasi:sockets UDP client guest (udp-client.ts) as a component. */
export function buildUdpClient(): Promise<Uint8Array> {
  return build("udp-client", "wasmbox:test/udpclient", "run", "wasi:cli/run@0.2.12#run");
}
