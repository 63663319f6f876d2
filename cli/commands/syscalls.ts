// `wasmbox syscalls`: prints the syscall table (name, module, signature, may-block, implemented),
// derived from the same table the kernel dispatches through.
import { Command } from "commander";
import { Kernel, signature } from "../../kernel/index.js";
import type { CliIo } from "../io.js";

/** The table as rows of text, for printing and for tests. */
export function syscallRows(): string[][] {
  const kernel = new Kernel({ engine: "worker", log: () => undefined });
  return kernel.syscalls.map((def) => [def.name, def.module, signature(def), def.mayBlock ? "yes" : "no", "yes"]);
}

/** Formats rows as a left-aligned table with a header. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

export function registerSyscallsCommand(program: Command, io: CliIo): void {
  program
    .command("syscalls")
    .description("print the syscall table: name, module, signature, may-block, implemented")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const rows = syscallRows();
      if (opts.json) {
        io.stdout(JSON.stringify(rows.map(([name, module, sig, mayBlock, implemented]) => ({ name, module, signature: sig, mayBlock: mayBlock === "yes", implemented: implemented === "yes" })), null, 2) + "\n");
        return;
      }
      io.stdout(formatTable(["NAME", "MODULE", "SIGNATURE", "MAY-BLOCK", "IMPLEMENTED"], rows));
    });
}
