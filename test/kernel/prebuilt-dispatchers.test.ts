// The syscall dispatchers the CLI's bundle carries, made at build time (kernel/syscalls/prebuilt-dispatchers.ts):
// a key names one dispatcher source, and the built bundle has one for every WASI preview1 call of the table.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { dispatcherKey, dispatcherSource, WASI_MODULE } from "../../kernel/syscalls/table.js";

const table = new Kernel({ log: () => undefined }).syscalls;
const modes = (mayBlock: boolean) => (mayBlock ? [false, true] : [false]);

describe("prebuilt dispatchers", () => {
  it("are found by a key that tells every different source apart, so a prebuilt one is the one new Function would make", () => {
    const sources = new Map<string, string>();
    for (const def of table) {
      for (const suspends of [false, true]) {
        const key = dispatcherKey(def, suspends);
        const { params, body } = dispatcherSource(def, suspends);
        const source = `${params.join(",")}\n${body}`;
        expect(sources.get(key) ?? source, key).toBe(source);
        sources.set(key, source);
      }
    }
    // Different calls, or one call's two modes, never share a key.
    expect(sources.size).toBe(new Set(table.map((d) => d.name)).size * 2);
  });

  it("are in the built bundle for each WASI preview1 call of the table, in each mode the call can be made in", () => {
    const bundle = readFileSync(path.resolve("dist/cli/run-cli.bundle.cjs"), "latin1");
    const wasi = table.filter((d) => d.module === WASI_MODULE);
    expect(wasi.length).toBeGreaterThan(40);
    for (const def of wasi) {
      for (const suspends of modes(def.mayBlock)) expect(bundle, def.name).toContain(`case${JSON.stringify(dispatcherKey(def, suspends))}:`);
    }
  });
});
