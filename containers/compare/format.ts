// containers/compare: the comparison as text: units for people, the rows (label, containers, VMs)
// that both the table and the HTML page show, the plain-text table, and the progress bar.
import { FAULTS, type CompareReport, type Fault, type ModeFigures } from "./report.js";

/** Bytes for people: 1.5 MiB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = Math.abs(n);
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n < 0 ? "-" : ""}${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** Milliseconds for people: 418 us, 2.50 ms, 2965 ms. */
export function formatMs(n: number): string {
  return n >= 100 ? `${n.toFixed(0)} ms` : n >= 1 ? `${n.toFixed(2)} ms` : `${(n * 1000).toFixed(0)} us`;
}

/** A rate for people: 1.25 Mcalls/s. */
export function formatRate(n: number, unit: string): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M${unit}/s` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k${unit}/s` : `${n.toFixed(0)} ${unit}/s`;
}

/** What a fault did to the other instances, in a few words. */
export function isolationCell(m: ModeFigures, fault: Fault): string {
  const i = m.isolation.find((x) => x.fault === fault);
  if (!i) return m.count < 2 ? "- (needs --count 2)" : "-";
  if (!i.measured) return `all ${i.othersTotal} others end (shared kernel; not injected)`;
  const slowest = formatMs(i.othersSlowestAnswerMs ?? 0);
  if (fault === "cpu-hog") return `others answered within ${slowest} (hog ran ${formatMs(i.hogMs ?? 0)})`;
  if (fault === "spin" && m.mode === "container") {
    return i.othersAlive === i.othersTotal
      ? `${i.othersAlive}/${i.othersTotal} others alive, answered within ${slowest}`
      : `others waited ${slowest} for it (${i.othersAlive}/${i.othersTotal} answered while it spun)`;
  }
  return `${i.othersAlive}/${i.othersTotal} others alive`;
}

/** The rows of the comparison: label, container value, VM value. */
export function rows(report: CompareReport): Array<[string, string, string]> {
  const { container: c, vm: v } = report.modes;
  const both = (f: (m: ModeFigures) => string): [string, string] => [f(c), f(v)];
  return [
    ["start latency p50 (to first output, one at a time)", ...both((m) => formatMs(m.start.p50Ms))],
    ["start latency p95", ...both((m) => formatMs(m.start.p95Ms))],
    ["start latency p99", ...both((m) => formatMs(m.start.p99Ms))],
    ["first start (cold)", ...both((m) => formatMs(m.start.firstMs))],
    [`time until all ${report.count} run`, ...both((m) => formatMs(m.allRunningMs))],
    [`time until all ${report.count} done`, ...both((m) => formatMs(m.allDoneMs))],
    ["memory per idle instance (host RSS)", ...both((m) => formatBytes(m.memory.perInstanceBytes))],
    ["memory it accounts for (heap + linear)", ...both((m) => formatBytes(m.memory.accountedPerInstanceBytes))],
    ["syscall rate (shell loop, best of 3)", ...both((m) => formatRate(m.syscalls.perSecond, "calls"))],
    ["pipe throughput (yes | head -c, best of 3)", ...both((m) => `${formatBytes(m.pipe.bytesPerSecond)}/s`)],
    ["network request latency (wget from httpd on another instance, incl. wget start)", ...both((m) => (m.network ? formatMs(m.network.requestMs) : "-"))],
    ["network throughput (nc to another instance, best of 3)", ...both((m) => (m.network ? `${formatBytes(m.network.bytesPerSecond)}/s` : "-"))],
    ["disk: image data per instance", ...both((m) => formatBytes(m.disk.perInstanceBytes))],
    ["disk: shared image data", ...both((m) => formatBytes(m.disk.sharedBytes))],
    [`fit in ${formatBytes(c.budget.budgetBytes)}`, ...both((m) => String(m.budget.instances))],
    ...FAULTS.map((f): [string, string, string] => [`isolation: ${f}`, ...both((m) => isolationCell(m, f))]),
    ["output identical across instances", ...both((m) => (m.output.allIdentical ? "yes" : "no"))],
  ];
}

/** The summary lines under the table: the image and host, the two ratios against their goals, same output. */
export function summary(report: CompareReport): string[] {
  const g = report.goals;
  return [
    `image ${report.image} (${formatBytes(report.imageBytes)}), command: ${report.cmd.join(" ")}; VMs: ${report.vmMemoryMb} MiB, ${report.vmCpus} vCPU; ${report.host.cpus} host CPUs, Node ${report.host.node}`,
    `VM boot / container start (p50): ${report.ratios.startP50.toFixed(0)}x (goal >= 100x: ${g.containerStart100xFaster ? "met" : "NOT met"})`,
    `memory per idle VM / per idle container: ${report.ratios.memoryPerInstance.toFixed(1)}x (goal >= 20x: ${g.containerMemoryAtMost1of20 ? "met" : "NOT met"})`,
    `same output in both modes: ${g.sameOutputInBothModes ? "yes" : "NO"}`,
  ];
}

/** The horizontal comparison as a plain-text table, then the summary. */
export function formatTable(report: CompareReport): string {
  const table = [["", `containers (${report.count})`, `VMs (${report.count})`], ...rows(report)];
  const width = [0, 1].map((col) => Math.max(...table.map((r) => r[col]!.length)));
  const lines = table.map((r) => `${r[0]!.padEnd(width[0]!)}  ${r[1]!.padEnd(width[1]!)}  ${r[2]}`);
  lines.splice(1, 0, "-".repeat(Math.min(120, lines[0]!.length + 10)));
  lines.push("", ...summary(report));
  return lines.join("\n") + "\n";
}

/** A one-line progress bar for stderr ("\r" redraws it; a newline ends it). */
export function progressBar(done: number, total: number, label: string, width = 30): string {
  const filled = Math.round((Math.min(done, total) / Math.max(1, total)) * width);
  return `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total} ${label.slice(0, 40).padEnd(40)}` + (done >= total ? "\n" : "");
}
