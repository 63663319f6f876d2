// The comparison's text table and HTML page, on a fixed report (no instances started): every row,
// the units, the isolation cells in each state, the goals, and the page's content and safety.
import { describe, expect, it } from "vitest";
import { formatBytes, formatMs, formatRate, formatTable, isolationCell, progressBar, rows } from "../../../containers/compare/format.js";
import { formatHtml } from "../../../containers/compare/html.js";
import { latency, percentile, type CompareReport, type IsolationResult, type ModeFigures } from "../../../containers/compare/report.js";

const KiB = 1024;
const MiB = 1024 * KiB;

function mode(m: "container" | "vm", isolation: IsolationResult[]): ModeFigures {
  const c = m === "container";
  return {
    mode: m, count: 3,
    start: latency(c ? [0.9, 0.418, 0.5] : [150, 122, 130]),
    allRunningMs: c ? 7.6 : 2965, allDoneMs: c ? 9 : 3100,
    output: { exitCode: 0, stdout: "hi\n", stderr: "", reason: "exit", allIdentical: true },
    memory: { perInstanceBytes: c ? 120 * KiB : 5.2 * MiB, instances: 3, accountedPerInstanceBytes: c ? 256 * KiB : 9 * MiB, baselineRssBytes: 100 * MiB, rssWithAllBytes: 101 * MiB, method: "RSS growth / N" },
    syscalls: { workload: "i=0; while [ $i -lt 2000 ] ...", count: 12_345, ms: c ? 10 : 40, perSecond: c ? 1_234_500 : 308_625 },
    pipe: { workload: "yes | head -c 20000000 | wc -c", bytes: 20_000_000, ms: 20, bytesPerSecond: 1e9 },
    network: {
      requestWorkload: "i=0; while [ $i -lt 50 ] ...", requests: 50, requestMs: c ? 2.5 : 4,
      transferWorkload: "nc x-net-server 9000 < /tmp/blob", bytes: 8_000_000, transferMs: c ? 10 : 40, bytesPerSecond: c ? 800e6 : 200e6,
    },
    disk: { perInstanceBytes: c ? 0 : 193 * KiB, sharedBytes: c ? 193 * KiB : 0 },
    budget: { budgetBytes: 11.8 * 1024 * MiB, instances: c ? 103_111 : 2_323 },
    isolation,
  };
}

const trap: IsolationResult = { fault: "trap", measured: true, victim: "x-idle-1", victimOutcome: "trapped process exit 134; the instance itself kept running", othersAlive: 2, othersTotal: 2, hostAlive: true, othersSlowestAnswerMs: 0.3, note: "a <trap>" };
const hog: IsolationResult = { fault: "cpu-hog", measured: true, othersAlive: 2, othersTotal: 2, hostAlive: true, hogMs: 640, othersSlowestAnswerMs: 13, note: "hog" };
const shared: IsolationResult[] = [
  { fault: "guest-kernel-crash", measured: false, othersAlive: 0, othersTotal: 2, hostAlive: false, note: "shared" },
  { fault: "heap-exhaustion", measured: false, othersAlive: 0, othersTotal: 2, hostAlive: false, note: "shared" },
];
const spinWaited: IsolationResult = { fault: "spin", measured: true, victimOutcome: "ran its 2000000000 loops to the end (900 ms) before the others answered", othersAlive: 0, othersTotal: 2, hostAlive: true, hogMs: 900, othersSlowestAnswerMs: 905, note: "held" };
const spinAlive: IsolationResult = { ...spinWaited, victimOutcome: "killed while spinning after 20 ms (kill took 0.4 ms)", othersAlive: 2, othersSlowestAnswerMs: 4.5, note: "not held" };
const vmFaults: IsolationResult[] = (["guest-kernel-crash", "heap-exhaustion", "spin"] as const).map((fault, k) => ({ fault, measured: true, othersAlive: 2 - k, othersTotal: 2 - k, hostAlive: true, note: fault }));

function report(spin: IsolationResult): CompareReport {
  return {
    date: "2026-12-01T19:00:00.000Z",
    host: { node: "v26.10.0", platform: "linux", arch: "x64", cpus: 2, memoryBytes: 23.6 * 1024 * MiB },
    image: "base", imageBytes: 193 * KiB, cmd: ["sh", "-c", "echo hi <&- && true"], count: 3, vmMemoryMb: 128, vmCpus: 1,
    modes: { container: mode("container", [trap, hog, ...shared, spin]), vm: mode("vm", [trap, hog, ...vmFaults]) },
    ratios: { startP50: 244, memoryPerInstance: 44.4 },
    goals: { containerStart100xFaster: true, containerMemoryAtMost1of20: true, sameOutputInBothModes: true },
  };
}

describe("units and percentiles", () => {
  it("prints bytes, milliseconds and rates for people", () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(193 * KiB), formatBytes(5.2 * MiB), formatBytes(-2048), formatBytes(NaN)])
      .toEqual(["0 B", "1023 B", "1.5 KiB", "193 KiB", "5.2 MiB", "-2.0 KiB", "-"]);
    expect([formatMs(0.418), formatMs(2.5), formatMs(2965)]).toEqual(["418 us", "2.50 ms", "2965 ms"]);
    expect([formatRate(12, "calls"), formatRate(1500, "calls"), formatRate(1_234_500, "calls")]).toEqual(["12 calls/s", "1.5 kcalls/s", "1.23 Mcalls/s"]);
  });

  it("takes nearest-rank percentiles; the first sample is the cold start", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([], 50)).toBe(0);
    expect(latency([9, 1, 5])).toEqual({ samples: 3, firstMs: 9, meanMs: 5, p50Ms: 5, p95Ms: 9, p99Ms: 9, maxMs: 9 });
  });
});

describe("the table", () => {
  it("has one row per figure, in order, with both modes' values", () => {
    const r = rows(report(spinWaited));
    expect(r.map((row) => row[0])).toEqual([
      "start latency p50 (to first output, one at a time)", "start latency p95", "start latency p99", "first start (cold)",
      "time until all 3 run", "time until all 3 done", "memory per idle instance (host RSS)", "memory it accounts for (heap + linear)",
      "syscall rate (shell loop, best of 3)", "pipe throughput (yes | head -c, best of 3)",
      "network request latency (wget from httpd on another instance, incl. wget start)", "network throughput (nc to another instance, best of 3)",
      "disk: image data per instance", "disk: shared image data",
      "fit in 11.8 GiB", "isolation: trap", "isolation: cpu-hog", "isolation: guest-kernel-crash", "isolation: heap-exhaustion", "isolation: spin",
      "output identical across instances",
    ]);
    const byLabel = new Map(r.map(([label, c, v]) => [label, [c, v]]));
    expect(byLabel.get("start latency p50 (to first output, one at a time)")).toEqual(["500 us", "130 ms"]);
    expect(byLabel.get("first start (cold)")).toEqual(["900 us", "150 ms"]);
    expect(byLabel.get("time until all 3 run")).toEqual(["7.60 ms", "2965 ms"]);
    expect(byLabel.get("memory per idle instance (host RSS)")).toEqual(["120 KiB", "5.2 MiB"]);
    expect(byLabel.get("disk: image data per instance")).toEqual(["0 B", "193 KiB"]);
    expect(byLabel.get("disk: shared image data")).toEqual(["193 KiB", "0 B"]);
    expect(byLabel.get("fit in 11.8 GiB")).toEqual(["103111", "2323"]);
    expect(byLabel.get("syscall rate (shell loop, best of 3)")).toEqual(["1.23 Mcalls/s", "308.6 kcalls/s"]);
    expect(byLabel.get("pipe throughput (yes | head -c, best of 3)")).toEqual(["954 MiB/s", "954 MiB/s"]);
    expect(byLabel.get("network request latency (wget from httpd on another instance, incl. wget start)")).toEqual(["2.50 ms", "4.00 ms"]);
    expect(byLabel.get("network throughput (nc to another instance, best of 3)")).toEqual(["763 MiB/s", "191 MiB/s"]);
    expect(byLabel.get("isolation: trap")).toEqual(["2/2 others alive", "2/2 others alive"]);
    expect(byLabel.get("isolation: cpu-hog")).toEqual(["others answered within 13.00 ms (hog ran 640 ms)", "others answered within 13.00 ms (hog ran 640 ms)"]);
    expect(byLabel.get("isolation: guest-kernel-crash")).toEqual(["all 2 others end (shared kernel; not injected)", "2/2 others alive"]);
    expect(byLabel.get("isolation: heap-exhaustion")).toEqual(["all 2 others end (shared kernel; not injected)", "1/1 others alive"]);
  });

  it("says what the spin row measured: others waited, or others alive", () => {
    const waited = report(spinWaited);
    const alive = report(spinAlive);
    expect(isolationCell(waited.modes.container, "spin")).toBe("others waited 905 ms for it (0/2 answered while it spun)");
    expect(isolationCell(alive.modes.container, "spin")).toBe("2/2 others alive, answered within 4.50 ms");
    expect(isolationCell(alive.modes.vm, "spin")).toBe("0/0 others alive");
    // With one instance of each there are no others: the isolation rows say what they need.
    expect(isolationCell({ ...waited.modes.container, count: 1, isolation: [] }, "trap")).toBe("- (needs --count 2)");
  });

  it("prints a header, a rule, every row and the summary with the goals", () => {
    const text = formatTable(report(spinAlive));
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^\s+containers \(3\)\s+VMs \(3\)$/);
    expect(lines[1]).toMatch(/^-{20,}$/);
    expect(lines[2]).toMatch(/^start latency p50 \(to first output, one at a time\)\s+500 us\s+130 ms$/);
    expect(lines[21]).toMatch(/^isolation: spin\s+2\/2 others alive, answered within 4\.50 ms\s+0\/0 others alive$/);
    expect(lines.slice(-6)).toEqual([
      "",
      "image base (193 KiB), command: sh -c echo hi <&- && true; VMs: 128 MiB, 1 vCPU; 2 host CPUs, Node v26.10.0",
      "VM boot / container start (p50): 244x (goal >= 100x: met)",
      "memory per idle VM / per idle container: 44.4x (goal >= 20x: met)",
      "same output in both modes: yes",
      "",
    ]);
    const missed = report(spinAlive);
    missed.goals = { containerStart100xFaster: false, containerMemoryAtMost1of20: false, sameOutputInBothModes: false };
    expect(formatTable(missed)).toMatch(/goal >= 100x: NOT met\)\n.*goal >= 20x: NOT met\)\nsame output in both modes: NO\n$/);
  });

  it("draws a progress bar that ends with a newline", () => {
    expect(progressBar(3, 6, "vm: start 1/2", 10)).toBe(`\r[#####     ] 3/6 ${"vm: start 1/2".padEnd(40)}`);
    expect(progressBar(6, 6, "done", 10)).toMatch(/^\r\[#{10}\] 6\/6 done\s+\n$/);
  });
});

describe("the HTML page", () => {
  const page = formatHtml(report(spinWaited));

  it("is self-contained: no scripts, nothing fetched", () => {
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(page.trimEnd()).toMatch(/<\/body><\/html>$/);
  });

  it("holds the table's rows, one chart per figure, and the isolation experiments", () => {
    for (const [label, c, v] of rows(report(spinWaited))) {
      expect(page).toContain(`<tr><th>${label}</th><td>${c}</td><td>${v}</td></tr>`);
    }
    const captions = [...page.matchAll(/<figcaption>([^<]*)<\/figcaption>/g)].map((m) => m[1]);
    expect(captions).toEqual([
      "start latency p50 (log scale)", "start latency p99 (log scale)", "time until all 3 run (log scale)", "memory per idle instance",
      "syscall rate", "pipe throughput", "network request latency", "network throughput", "image data held per instance", "instances that fit in 11.8 GiB",
    ]);
    expect(page.match(/<svg /g)).toHaveLength(10);
    // 5 container rows and 5 VM rows; by-design rows say so.
    expect(page.match(/<tr><td>(container|VM)<\/td>/g)).toHaveLength(10);
    expect(page).toContain("<tr><td>container</td><td>guest-kernel-crash</td><td>by design</td><td></td><td>0/2 (expected)</td>");
    expect(page).toContain("<td>ran its 2000000000 loops to the end (900 ms) before the others answered</td><td>0/2</td><td>905 ms</td>");
  });

  it("escapes what it prints", () => {
    expect(page).toContain("<code>sh -c echo hi &#60;&#38;- &#38;&#38; true</code>");
    expect(page).toContain("<td>a &#60;trap&#62;</td>");
    expect(page).not.toContain("<trap>");
  });
});
