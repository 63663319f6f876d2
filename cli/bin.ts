#!/usr/bin/env -S node --no-liftoff
// The `wasmbox` executable: parses process.argv with the CLI library and exits with its code.
// Everything else lives in cli/index.ts so that tests can run commands in-process.
import { writeSync } from "node:fs";
import { runCli } from "./index.js";

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
    }
  }
}

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => writeAll(1, s),
  stderr: (s) => writeAll(2, s),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdoutIsTerminal: Boolean(process.stdout.isTTY),
  stderrIsTerminal: Boolean(process.stderr.isTTY),
});
if (process.stdin.isTTY) process.stdin.setRawMode?.(false);
process.exit(code);
