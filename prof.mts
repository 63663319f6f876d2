import { Kernel } from "./kernel/index.ts";
import { ContainerRuntime } from "./containers/runtime.ts";
import { specFromOptions } from "./containers/spec.ts";
import { readFileSync } from "node:fs";
const kernel = new Kernel({ log: () => undefined });
const hello = { id: "sha256:h", config: { Entrypoint: ["/bin/hello"] }, layers: [[{ path: "bin", type: "dir", mode: 0o755 }, { path: "bin/hello", type: "file", mode: 0o755, data: readFileSync("/tmp/hello.wasm") }, { path: "dev", type: "dir", mode: 0o755 }, { path: "proc", type: "dir", mode: 0o555 }]] } as any;
const runtime = new ContainerRuntime({ kernel, images: async () => hello });
const flags = specFromOptions({ init: false }, { cwd: "/", env: {}, syscallNames: kernel.syscalls.map((s) => s.name) });
const cycle = async () => { const rec = await runtime.create({ ...flags, image: "hello", command: [] }); await runtime.start(rec.spec.id, { onStdout: () => undefined, stdin: null }); await runtime.wait(rec.spec.id); await runtime.remove(rec.spec.id); };
for (let i = 0; i < 500; i++) await cycle();
for (let r = 0; r < 3; r++) { const t = performance.now(); for (let i = 0; i < 3000; i++) await cycle(); console.log("us/cycle", ((performance.now() - t) / 3000 * 1000).toFixed(1)); }
