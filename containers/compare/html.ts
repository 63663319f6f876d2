// containers/compare: the comparison as one self-contained HTML page (no scripts, no network): the
// rows of format.ts as a table, one inline-SVG bar chart per figure, the isolation experiments, the method.
import { formatBytes, formatMs, formatRate, rows } from "./format.js";
import type { CompareReport } from "./report.js";

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A horizontal bar chart (two bars: containers, VMs) as inline SVG; log scale when they differ a lot. */
export function barChart(title: string, values: [number, number], format: (n: number) => string): string {
  const [a, b] = values;
  const max = Math.max(a, b, 1e-9);
  const min = Math.max(Math.min(a, b), 1e-9);
  const log = max / min > 50 && Math.min(a, b) > 0;
  const scale = (v: number) => (v <= 0 ? 0 : log ? Math.max(2, ((Math.log10(v / min) + 1) / (Math.log10(max / min) + 1)) * 360) : (v / max) * 360);
  const bar = (y: number, label: string, v: number, color: string) =>
    `<text x="0" y="${y + 14}" font-size="12">${label}</text><rect x="90" y="${y}" width="${scale(v).toFixed(1)}" height="18" fill="${color}"/>` +
    `<text x="${(95 + scale(v)).toFixed(1)}" y="${y + 14}" font-size="12">${escapeHtml(format(v))}</text>`;
  return `<figure><figcaption>${escapeHtml(title)}${log ? " (log scale)" : ""}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="560" height="56" role="img" aria-label="${escapeHtml(title)}">` +
    bar(4, "containers", a, "#2a7ab0") + bar(30, "VMs", b, "#c0562b") + `</svg></figure>`;
}

/** The charts of the page, one per figure. */
function charts(report: CompareReport): string {
  const { container: c, vm: v } = report.modes;
  return [
    barChart("start latency p50", [c.start.p50Ms, v.start.p50Ms], formatMs),
    barChart("start latency p99", [c.start.p99Ms, v.start.p99Ms], formatMs),
    barChart(`time until all ${report.count} run`, [c.allRunningMs, v.allRunningMs], formatMs),
    barChart("memory per idle instance", [c.memory.perInstanceBytes, v.memory.perInstanceBytes], formatBytes),
    barChart("syscall rate", [c.syscalls.perSecond, v.syscalls.perSecond], (n) => formatRate(n, "calls")),
    barChart("pipe throughput", [c.pipe.bytesPerSecond, v.pipe.bytesPerSecond], (n) => `${formatBytes(n)}/s`),
    ...(c.network && v.network ? [
      barChart("network request latency", [c.network.requestMs, v.network.requestMs], formatMs),
      barChart("network throughput", [c.network.bytesPerSecond, v.network.bytesPerSecond], (n) => `${formatBytes(n)}/s`),
    ] : []),
    barChart("image data held per instance", [c.disk.perInstanceBytes, v.disk.perInstanceBytes], formatBytes),
    barChart(`instances that fit in ${formatBytes(c.budget.budgetBytes)}`, [c.budget.instances, v.budget.instances], (n) => n.toFixed(0)),
  ].join("\n");
}

/** The isolation experiments of both modes, one table row each. */
function isolationRows(report: CompareReport): string {
  const { container: c, vm: v } = report.modes;
  return [...c.isolation.map((i) => ["container", i] as const), ...v.isolation.map((i) => ["VM", i] as const)].map(([mode, i]) =>
    `<tr><td>${mode}</td><td>${escapeHtml(i.fault)}</td><td>${i.measured ? "measured" : "by design"}</td>` +
    `<td>${escapeHtml(i.victimOutcome ?? "")}</td><td>${i.measured ? `${i.othersAlive}/${i.othersTotal}` : `0/${i.othersTotal} (expected)`}</td>` +
    `<td>${i.othersSlowestAnswerMs !== undefined ? escapeHtml(formatMs(i.othersSlowestAnswerMs)) : ""}</td><td>${escapeHtml(i.note)}</td></tr>`).join("\n");
}

/** A self-contained HTML report (no scripts, no network): the table and one chart per figure. */
export function formatHtml(report: CompareReport): string {
  const { container: c } = report.modes;
  const table = rows(report).map(([label, a, b]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(a)}</td><td>${escapeHtml(b)}</td></tr>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wasmbox: containers vs VMs</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}figure{margin:1em 0}figcaption{font-weight:600}</style></head>
<body>
<h1>wasmbox: containers vs VMs</h1>
<p>${escapeHtml(report.date)} &middot; image <code>${escapeHtml(report.image)}</code> (${escapeHtml(formatBytes(report.imageBytes))}) &middot;
command <code>${escapeHtml(report.cmd.join(" "))}</code> &middot; ${report.count} of each &middot; VMs ${report.vmMemoryMb} MiB, ${report.vmCpus} vCPU &middot;
Node ${escapeHtml(report.host.node)} on ${escapeHtml(report.host.platform)}/${escapeHtml(report.host.arch)}, ${report.host.cpus} CPUs</p>
<p>VM boot / container start (p50): <b>${report.ratios.startP50.toFixed(0)}x</b> (goal 100x: ${report.goals.containerStart100xFaster ? "met" : "not met"}) &middot;
memory per VM / per container: <b>${report.ratios.memoryPerInstance.toFixed(1)}x</b> (goal 20x: ${report.goals.containerMemoryAtMost1of20 ? "met" : "not met"}) &middot;
same output: <b>${report.goals.sameOutputInBothModes ? "yes" : "no"}</b></p>
<table><tr><th></th><th>containers</th><th>VMs</th></tr>
${table}
</table>
<h2>Charts</h2>
${charts(report)}
<h2>Isolation</h2>
<table><tr><th>mode</th><th>fault</th><th></th><th>victim</th><th>others alive</th><th>slowest answer</th><th>what happens</th></tr>
${isolationRows(report)}
</table>
<h2>Method</h2>
<p>Every instance is created and started through the container runtime, as <code>wasmbox run</code> (and <code>--vm</code>) makes it, on a runtime that keeps no records on disk.
Start latency runs from create to the command's first output (or its end when it prints nothing), the same boundary for both kinds.
${escapeHtml(c.memory.method)}. Syscall rate: <code>${escapeHtml(c.syscalls.workload)}</code> (${c.syscalls.count} syscalls, counted on a tracing kernel).
Pipe throughput: <code>${escapeHtml(c.pipe.workload)}</code>.${c.network ? `
Network, between two instances of a kind on the default bridge (VMs through the hypervisor's relay): <code>${escapeHtml(c.network.requestWorkload)}</code> (the mean per request);
<code>${escapeHtml(c.network.transferWorkload)}</code> (${c.network.bytes} bytes).` : ""}</p>
</body></html>
`;
}
