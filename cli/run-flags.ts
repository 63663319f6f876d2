// The flags of `wasmbox run`, declared once as data: which apply to a module, which to an image,
// and the one parser a module run goes through (before commander is even loaded; see bin.ts).
import { existsSync, statSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { CREATE_FLAGS } from "../containers/options.js";
import { CliExit, type CliIo } from "./io.js";

/** One flag of `run`: commander's spelling ("-e, --env <K=V>"), its help, whether it repeats, and what it applies to. */
export interface RunFlag {
  flags: string;
  description: string;
  repeatable?: boolean;
  module: boolean;
  image: boolean;
}

/** The flags a module run takes (wasmtime's, and those shared with images), in help order. */
export const MODULE_FLAGS: readonly RunFlag[] = [
  { flags: "--dir <HOST[::GUEST]>", description: "preopen a host directory under the name HOST (or GUEST; HOST::/ makes it the guest's /), in order from fd 3; repeatable", repeatable: true, module: true, image: false },
  { flags: "--tmpfs <PATH>", description: "preopen an empty in-memory directory under the name PATH; repeatable", repeatable: true, module: true, image: false },
  { flags: "--tcplisten <HOST:PORT>", description: "preopen a TCP socket listening on a host address (before the --dir preopens, from fd 3), as wasmtime does; repeatable", repeatable: true, module: true, image: false },
  { flags: "--env <K[=V]>", description: "set an environment variable (a bare K takes the host's value); repeatable", repeatable: true, module: true, image: true },
  { flags: "-e, --env-var <K[=V]>", description: "the same, as docker spells it; repeatable", repeatable: true, module: true, image: true },
  { flags: "--invoke <NAME>", description: "call the export NAME with ARGS (i32/i64/f32/f64) instead of _start and print its results", module: true, image: false },
  { flags: "--trace", description: "print every syscall to stderr, like strace", module: true, image: false },
  { flags: "--engine <kind>", description: "auto, inline (JSPI) or worker", module: true, image: true },
  { flags: "-m, --memory <SIZE>", description: "cap on linear memory (e.g. 64m): memory.grow past it returns -1", module: true, image: true },
  { flags: "--time-limit <DURATION>", description: "kill after this much wall-clock time (e.g. 10s; exit 137)", module: true, image: true },
];

/**
 * Every flag of `run`, for commander's declaration and for the parser: MODULE_FLAGS, then those only
 * an image run takes (run's own and the container flags create shares). Made when asked, not when
 * this file loads: a module run without flags (`run hello.wasm`) never reads the ~60 container flags.
 */
export function runFlags(): RunFlag[] {
  const moduleLongs = new Set(MODULE_FLAGS.map((m) => longOf(m.flags)));
  return [
    ...MODULE_FLAGS,
    { flags: "-d, --detach", description: "run an image's container (or VM, with --vm) in the background through the daemon and print its id", module: false, image: true },
    ...CREATE_FLAGS.filter(({ flags }) => !moduleLongs.has(longOf(flags)))
      .map(({ flags, description, kind }) => ({ flags, description, repeatable: kind === "strings", module: false, image: true })),
  ];
}

/**
 * The long name of a flag spelling: "--env" of "-e, --env <K=V>" (from its "--" to the next space).
 * By indexOf, not a regular expression: every start reads each of run's ~70 spellings, and a
 * regular expression's first runs are interpreted.
 */
function longOf(flags: string): string {
  const at = flags.indexOf("--");
  if (at < 0) return flags;
  const end = flags.indexOf(" ", at);
  return end < 0 ? flags.slice(at) : flags.slice(at, end);
}

/** The short name of a flag spelling, if it has one: "-e" of "-e, --env <K=V>". */
function shortOf(flags: string): string | undefined {
  const letter = flags.charCodeAt(1) | 0x20;
  return flags[0] === "-" && letter >= 0x61 && letter <= 0x7a && flags[2] === "," ? flags.slice(0, 2) : undefined;
}

/** Whether a flag takes a value. */
function takesValue(flag: RunFlag): boolean {
  return flag.flags.includes("<");
}

/** A flag as the user gave it and its value (true for a switch), in command-line order. */
export interface GivenFlag {
  flag: RunFlag;
  spelled: string;
  value: string | true;
}

/** What the parser found in `run`'s arguments. */
export interface ParsedRun {
  given: GivenFlag[];
  target: string;
  args: string[];
  /** A flag `run` does not know, met just before a module path (a module run refuses it by name). */
  unknown?: string;
}

/**
 * Parses `run`'s arguments up to the target (later arguments are the program's, as wasmtime and
 * docker have it). Undefined when the line is not one to parse here: help asked, a flag unknown
 * to `run` (--no-init's negation and such are commander's), or no target; commander then reports it.
 */
export function parseRunArgs(argv: readonly string[]): ParsedRun | undefined {
  const byName = new Map<string, RunFlag>();
  // Filled at the first flag (a line without flags never needs it).
  const fillByName = () => {
    if (byName.size > 0) return;
    for (const flag of runFlags()) {
      byName.set(longOf(flag.flags), flag);
      const short = shortOf(flag.flags);
      if (short) byName.set(short, flag);
    }
  };
  const given: GivenFlag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return i + 1 < argv.length ? { given, target: argv[i + 1]!, args: argv.slice(i + 2) } : undefined;
    if (!arg.startsWith("-") || arg === "-") return { given, target: arg, args: argv.slice(i + 1) };
    fillByName();
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = byName.get(name);
    if (flag) {
      if (!takesValue(flag)) {
        if (eq > 0) return undefined;
        given.push({ flag, spelled: name, value: true });
      } else if (eq > 0) {
        given.push({ flag, spelled: name, value: arg.slice(eq + 1) });
      } else {
        if (i + 1 >= argv.length) return undefined;
        given.push({ flag, spelled: name, value: argv[++i]! });
      }
      continue;
    }
    // Bundled switches such as -it.
    if (/^-[a-zA-Z]{2,}$/.test(arg)) {
      const each = [...arg.slice(1)].map((c) => byName.get("-" + c));
      if (each.some((f) => !f || takesValue(f))) return undefined;
      for (const f of each) given.push({ flag: f!, spelled: longOf(f!.flags), value: true });
      continue;
    }
    // An unknown flag (with or without a value) right before a module path: refused by name there.
    const module = argv.slice(i + 1, i + 3).findIndex(isModuleName);
    if (module >= 0) return { given, target: argv[i + 1 + module]!, args: argv.slice(i + 2 + module), unknown: name };
    return undefined;
  }
  return undefined;
}

/** Whether a name ends as a module file's does (.wasm, or .wat for the text format). */
export function isModuleName(name: string): boolean {
  return name.endsWith(".wasm") || name.endsWith(".wat");
}

/** Whether `target` names a module file on the host rather than an image. */
export function isModuleFile(io: CliIo, target: string): boolean {
  if (isModuleName(target)) return true;
  const path = resolvePath(io.cwd, target);
  return (target.includes("/") || existsSync(path)) && existsSync(path) && statSync(path).isFile();
}

/** Refuses every given flag that does not apply to this kind of target: one line naming it, exit 2. */
export function refuseInapplicable(run: ParsedRun, kind: "module" | "image"): void {
  const wrong = run.unknown ?? run.given.find((g) => !g.flag[kind])?.spelled;
  if (wrong) throw new CliExit(2, `wasmbox: run: ${wrong} does not apply to ${kind === "module" ? "a module" : "an image"} (${run.target})`);
}

/** The values given for one flag (by its long name), in order. */
export function valuesOf(given: readonly GivenFlag[], long: string): string[] {
  return given.flatMap((g) => (longOf(g.flag.flags) === long && typeof g.value === "string" ? [g.value] : []));
}

/** Whether a switch (by its long name) was given. */
export function hasFlag(given: readonly GivenFlag[], long: string): boolean {
  return given.some((g) => longOf(g.flag.flags) === long);
}
