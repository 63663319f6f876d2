// Userland benchmarks (issues 4 and 17): pipelines timed inside an already running kernel, against
// the same pipelines in the host's /bin/sh with coreutils, awk, gzip and tar, in the same run.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Kernel } from "../kernel/index.js";
import { baseRootfs } from "../userland/rootfs.js";
import { best, type Figure } from "./kernel.js";

/** One pipeline: the command, and files it needs in both worlds. */
interface Case {
  name: string;
  command: string;
  setup?: (write: (file: string, data: Uint8Array) => void) => void;
}

const CASES: Case[] = [
  {
    name: "a shell loop of 100,000 iterations with arithmetic and tests",
    command: 'i=0; s=0; while [ "$i" -lt 100000 ]; do s=$(( (s + i * 7) % 1000003 )); if [ $((i % 3)) -eq 0 ]; then s=$((s + 1)); fi; i=$((i + 1)); done; echo "$s" > /dev/null',
  },
  { name: "seq 1 1000000 | wc -l", command: "seq 1 1000000 | wc -l" },
  {
    name: "sort of 100,000 lines", command: "sort /data/lines > /dev/null",
    setup: (write) => write("lines", Buffer.from(Array.from({ length: 100_000 }, (_, i) => `${(i * 7919) % 100_003} line ${i}`).join("\n") + "\n")),
  },
  {
    name: "cat of a 64 MiB file | wc -c", command: "cat /data/big | wc -c",
    setup: (write) => write("big", Buffer.alloc(64 * 1024 * 1024, 0x61)),
  },
  {
    name: "awk summing a 10 MB column", command: "awk '{ s += $3 } END { print s }' /data/columns > /dev/null",
    setup: (write) => write("columns", Buffer.from(Array.from({ length: 500_000 }, (_, i) => `${i} w${i % 97} ${(i * 7919) % 100_003}`).join("\n") + "\n")),
  },
  {
    name: "sort of 1M lines", command: "sort /data/million > /dev/null",
    setup: (write) => write("million", Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => `${(i * 7919) % 1_000_003} x${i % 13}`).join("\n") + "\n")),
  },
  {
    name: "gzip -6 of 10 MB of text", command: "gzip -6 -c /data/text > /dev/null",
    setup: (write) => write("text", Buffer.from(Array.from({ length: 260_000 }, (_, i) => `${i} alpha beta ${(i * 2654435761) % 1000003} gamma`).join("\n") + "\n")),
  },
  {
    name: "tar of 1,000 files", command: "tar -cf - -C /data/ tree | wc -c > /dev/null",
    setup: (write) => { for (let i = 0; i < 1000; i++) write(`tree/d${i % 20}/f${i}`, Buffer.alloc(1024 + (i % 7) * 100, 0x30 + (i % 10))); },
  },
];

/** Runs each pipeline in the kernel and on the host; ratio = host time / kernel time. */
export async function benchUserland(): Promise<Figure[]> {
  const kernel = new Kernel({ log: () => undefined });
  kernel.fs.writeEntries((await baseRootfs()).filter((e) => !/^(proc|dev)(\/|$)/.test(e.path)));
  const hostDir = mkdtempSync(path.join(tmpdir(), "wasmbox-userland-"));
  const figures: Figure[] = [];
  try {
    await runCases(kernel, hostDir, figures);
  } finally {
    rmSync(hostDir, { recursive: true, force: true });
  }
  return figures;
}

async function runCases(kernel: Kernel, hostDir: string, figures: Figure[]): Promise<void> {
  for (const c of CASES) {
    c.setup?.((file, data) => {
      kernel.fs.mkdir(path.posix.dirname(`/data/${file}`), { recursive: true });
      kernel.fs.writeFile(`/data/${file}`, data);
      mkdirSync(path.dirname(path.join(hostDir, file)), { recursive: true });
      writeFileSync(path.join(hostDir, file), data);
    });
    const ours = await best(3, async () => {
      const r = await kernel.run("/bin/sh", { args: ["-c", c.command], env: { PATH: "/bin" } });
      if (r.exitCode !== 0) throw new Error(`${c.command}: exit ${r.exitCode}: ${r.stderr}`);
    });
    const hostCommand = c.command.replaceAll("/data/", hostDir + "/");
    const theirs = await best(3, () => execFileSync("/bin/sh", ["-c", hostCommand], { env: { PATH: "/usr/bin:/bin", LC_ALL: "C" } }));
    figures.push({ name: c.name, value: ours, unit: "ms", baseline: theirs, baselineName: "host /bin/sh + coreutils", ratio: theirs / ours, target: ">= 0.33x (within 3x of the host)" });
  }
}
