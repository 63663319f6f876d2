// `npm run bench`: runs the benchmarks and prints each figure with its baseline from the same
// run and the ratio. Figures, never pass/fail: these machines are shared and noisy.
import { benchKernel, type Figure } from "./kernel.js";

function format(f: Figure): string {
  const num = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(v >= 10 ? 1 : 3));
  const base = f.baseline !== undefined ? `  vs ${f.baselineName} ${num(f.baseline)} ${f.unit}` : "";
  const ratio = f.ratio !== undefined ? `  ratio ${f.ratio.toFixed(2)}x` : "";
  return `${f.name}: ${num(f.value)} ${f.unit}${base}${ratio}${f.target ? `  (target ${f.target})` : ""}`;
}

const only = process.argv[2];
console.log(`wasmbox benchmarks, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
if (!only || only === "kernel") for (const f of await benchKernel((l) => process.stderr.write(`  .. ${l}\n`))) console.log(format(f));
if (!only || only === "userland") {
  const { benchUserland } = await import("./userland.js");
  for (const f of await benchUserland()) console.log(format(f));
}
if (!only || only === "images") {
  const { benchImages } = await import("./images.js");
  const r = await benchImages();
  console.log(`images: ${JSON.stringify(r)}`);
  const { benchSharing } = await import("./sharing.js");
  for (const f of await benchSharing()) console.log(format(f));
}
if (!only || only === "containers") {
  const { benchContainers, formatContainerFigures } = await import("./containers.js");
  for (const line of formatContainerFigures(await benchContainers())) console.log(line);
}
if (only === "net") {
  const { benchNet } = await import("./net.js");
  for (const f of await benchNet()) console.log(format(f));
}
if (only === "preemption") {
  const { benchPreemption } = await import("./preemption-ab.js");
  await benchPreemption((process.env.AB_CASES ?? "sieve,interp,compress").split(",") as Parameters<typeof benchPreemption>[0], Number(process.env.AB_PAIRS ?? 5), Number(process.env.AB_RUNS ?? 3));
}
if (only === "fgrun") {
  const { benchForegroundRun } = await import("./foreground-run.js");
  for (const f of await benchForegroundRun()) console.log(format(f));
}
if (!only || only === "programs") {
  const { benchPrograms } = await import("./programs.js");
  for (const f of await benchPrograms((l) => process.stderr.write(`  .. ${l}\n`))) console.log(format(f));
}
if (!only || only === "registry") {
  const { benchRegistry } = await import("./registry.js");
  for (const f of await benchRegistry({ log: (l) => process.stderr.write(`  .. ${l}\n`) })) console.log(format(f));
}
if (!only || only === "components") {
  const { benchComponents } = await import("./components.js");
  for (const f of await benchComponents((l) => process.stderr.write(`  .. ${l}\n`))) console.log(format(f));
}
