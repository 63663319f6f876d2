// images/: the Containerfile parser: lines, `\` continuations, comments, the `# escape=` directive, and one
// typed record per instruction. Words stay raw (quotes kept) so builder.ts can expand $VARs in scope.
import { ImageError } from "./errors.js";
import { assignmentSplitIndex, splitWords } from "./words.js";

/** A mistake in a Containerfile; the message reads `FILE:LINE: what is wrong`. */
export class ContainerfileError extends ImageError {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
  }
}

/** A message that names its instruction: `KEYWORD: detail` unless the detail starts with the keyword already. */
export function naming(keyword: string, detail: string): string {
  if (detail.toUpperCase().startsWith(keyword + " ") || detail.toUpperCase().startsWith(keyword + ":")) return detail;
  return detail.startsWith("--") ? `${keyword} ${detail}` : `${keyword}: ${detail}`;
}

/** A command in exec form (JSON array, run as is) or shell form (run by the shell). */
export type CommandForm = { exec: string[] } | { shell: string };

/** A `KEY=value` pair with both sides still raw (quotes and $VARs unexpanded). */
export interface RawPair {
  key: string;
  value: string;
}

interface Common {
  /** 1-based line the instruction starts on. */
  line: number;
  /** The instruction as written, continuations joined: used in history and cache keys. */
  text: string;
}

/** One parsed instruction. Raw strings are expanded at build time (words.ts) where docker expands them. */
export type Instruction = Common &
  (
    | { keyword: "FROM"; image: string; alias?: string }
    | { keyword: "COPY" | "ADD"; sources: string[]; dest: string; chown?: string; chmod?: string; from?: string }
    | { keyword: "ENV" | "LABEL"; pairs: RawPair[] }
    | { keyword: "ARG"; args: { name: string; defaultValue?: string }[] }
    | { keyword: "WORKDIR" | "USER" | "STOPSIGNAL" | "MAINTAINER"; value: string }
    | { keyword: "EXPOSE" | "VOLUME"; values: string[] }
    | { keyword: "RUN" | "CMD" | "ENTRYPOINT"; command: CommandForm }
    | { keyword: "SHELL"; exec: string[] }
    | { keyword: "HEALTHCHECK"; check: HealthcheckInstruction }
  );

/** HEALTHCHECK as written: NONE, or a command with its options (durations still raw, e.g. "30s"). */
export type HealthcheckInstruction =
  | { none: true }
  | { none?: false; command: CommandForm; interval?: string; timeout?: string; startPeriod?: string; startInterval?: string; retries?: string };

/** A parsed Containerfile: instructions in order and the escape character in force. */
export interface ParsedContainerfile {
  file: string;
  escape: string;
  instructions: Instruction[];
}

const NOT_SUPPORTED: Record<string, string> = {
  ONBUILD: "ONBUILD is not supported by wasmbox",
};
/** docker's rule for stage names (they are compared lower-cased). */
const STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;
const HEALTHCHECK_FLAGS: Record<string, "interval" | "timeout" | "startPeriod" | "startInterval" | "retries"> = {
  interval: "interval", timeout: "timeout", "start-period": "startPeriod", "start-interval": "startInterval", retries: "retries",
};
const KNOWN_KEYWORDS = new Set(["FROM", "COPY", "ADD", "ENV", "LABEL", "ARG", "WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER", "EXPOSE", "VOLUME", "RUN", "CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK", "ONBUILD"]);
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses Containerfile text; `file` is the name used in error messages (the -f name). */
export function parseContainerfile(source: string, file = "Containerfile"): ParsedContainerfile {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  let escape = "\\";
  let first = 0;
  for (; first < lines.length; first++) {
    const directive = /^\s*#\s*([a-zA-Z]+)\s*=\s*(.*?)\s*$/.exec(lines[first]!);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === "escape") {
      if (directive[2] !== "\\" && directive[2] !== "`") throw new ContainerfileError(file, first + 1, `invalid escape token "${directive[2]}": must be \\ or \``);
      escape = directive[2];
    }
  }
  const instructions: Instruction[] = [];
  let pending = "";
  let startLine = 0;
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed.startsWith("#") || (trimmed === "" && pending === "")) continue;
    if (pending === "") startLine = i + 1;
    const body = line.replace(/\s+$/, "");
    if (body.endsWith(escape) && i + 1 < lines.length) {
      pending += body.slice(0, -1);
      continue;
    }
    pending += body.endsWith(escape) ? body.slice(0, -1) : body;
    if (pending.trim() !== "") instructions.push(parseInstruction(pending.trim(), startLine, file, escape));
    pending = "";
  }
  if (pending.trim() !== "") instructions.push(parseInstruction(pending.trim(), startLine, file, escape));
  checkOrder(instructions, file);
  return { file, escape, instructions };
}

function checkOrder(instructions: Instruction[], file: string): void {
  const firstFrom = instructions.findIndex((ins) => ins.keyword === "FROM");
  if (instructions.length === 0) throw new ContainerfileError(file, 1, "the file has no instructions (it needs at least FROM)");
  if (firstFrom < 0) throw new ContainerfileError(file, instructions[0]!.line, "no FROM instruction: a Containerfile must start with FROM (ARG may come before it)");
  const early = instructions.slice(0, firstFrom).find((ins) => ins.keyword !== "ARG");
  if (early) throw new ContainerfileError(file, early.line, `${early.keyword} before FROM: only ARG may come before the first FROM`);
  const stageNames = new Map<string, number>();
  for (const ins of instructions) {
    if (ins.keyword !== "FROM" || ins.alias === undefined) continue;
    const earlier = stageNames.get(ins.alias);
    if (earlier !== undefined) throw new ContainerfileError(file, ins.line, `FROM ... AS ${ins.alias}: duplicate stage name (first used on line ${earlier})`);
    stageNames.set(ins.alias, ins.line);
  }
}

function parseInstruction(text: string, line: number, file: string, escape: string): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const keyword = match[1]!.toUpperCase();
  const rest = match[2]!.trim();
  const fail = (detail: string): never => {
    throw new ContainerfileError(file, line, KNOWN_KEYWORDS.has(keyword) ? naming(keyword, detail) : detail);
  };
  if (NOT_SUPPORTED[keyword]) fail(NOT_SUPPORTED[keyword]!);
  const words = (): string[] => {
    try {
      return splitWords(rest, escape);
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  const common = { line, text: `${keyword} ${rest}`.trim() };
  const needArgs = () => rest === "" && fail(`${keyword} requires at least one argument`);
  switch (keyword) {
    case "FROM": {
      needArgs();
      const parts = words().filter((w) => !w.startsWith("--platform="));
      if (parts.length === 3 && parts[1]!.toUpperCase() === "AS") {
        const alias = parts[2]!.toLowerCase();
        if (!STAGE_NAME.test(alias)) fail(`FROM ... AS ${parts[2]}: invalid stage name (letters, digits, _ . -, starting with a letter)`);
        return { ...common, keyword, image: parts[0]!, alias };
      }
      if (parts.length !== 1) fail("FROM takes one image (FROM IMAGE [AS NAME])");
      return { ...common, keyword, image: parts[0]! };
    }
    case "COPY":
    case "ADD": {
      needArgs();
      const { flags, remainder } = takeFlags(rest, fail);
      for (const flag of Object.keys(flags)) {
        if (flag === "from" && keyword === "ADD") fail("ADD --from is not supported: use COPY --from=STAGE");
        if (!["chown", "chmod", "link", "from"].includes(flag)) fail(`${keyword}: unknown flag --${flag}`);
      }
      if (flags.from === "") fail(`${keyword} --from needs a stage name, stage index or image: --from=NAME`);
      const paths = jsonArray(remainder, keyword, fail)?.map((s) => literalWord(s, escape)) ?? safeSplit(remainder, escape, fail);
      if (paths.length < 2) fail(`${keyword} requires at least two arguments: SOURCE... DEST`);
      return { ...common, keyword, sources: paths.slice(0, -1), dest: paths.at(-1)!, chown: flags.chown, chmod: flags.chmod, from: flags.from };
    }
    case "ENV":
    case "LABEL":
      needArgs();
      return { ...common, keyword, pairs: parsePairs(rest, words(), keyword, escape, fail) };
    case "ARG":
      needArgs();
      return {
        ...common,
        keyword,
        args: words().map((word) => {
          const eq = word.indexOf("=");
          const name = eq < 0 ? word : word.slice(0, eq);
          if (!ARG_NAME.test(name)) fail(`ARG: invalid name "${name}"`);
          return eq < 0 ? { name } : { name, defaultValue: word.slice(eq + 1) };
        }),
      };
    case "WORKDIR":
    case "USER":
    case "STOPSIGNAL":
    case "MAINTAINER":
      needArgs();
      return { ...common, keyword, value: rest };
    case "EXPOSE":
      needArgs();
      return { ...common, keyword, values: words() };
    case "VOLUME":
      needArgs();
      return { ...common, keyword, values: jsonArray(rest, keyword, fail)?.map((s) => literalWord(s, escape)) ?? words() };
    case "RUN":
    case "CMD":
    case "ENTRYPOINT": {
      if (keyword === "RUN") needArgs();
      const exec = jsonArray(rest, keyword, fail);
      return { ...common, keyword, command: exec ? { exec } : { shell: rest } };
    }
    case "HEALTHCHECK":
      needArgs();
      return { ...common, keyword, check: parseHealthcheck(rest, fail) };
    case "SHELL": {
      const exec = jsonArray(rest, keyword, fail);
      if (!exec || exec.length === 0) fail('SHELL requires a non-empty JSON array, e.g. SHELL ["/bin/sh", "-c"]');
      return { ...common, keyword, exec: exec! };
    }
    default:
      return fail(`unknown instruction: ${match[1]}`);
  }
}

function parseHealthcheck(rest: string, fail: (d: string) => never): HealthcheckInstruction {
  if (/^none$/i.test(rest)) return { none: true };
  const options: Omit<Extract<HealthcheckInstruction, { command: CommandForm }>, "command"> = {};
  let remainder = rest;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(remainder);
    if (!match) break;
    const name = HEALTHCHECK_FLAGS[match[1]!];
    if (!name) fail(`HEALTHCHECK: unknown flag --${match[1]} (known: --interval, --timeout, --start-period, --start-interval, --retries)`);
    if (!match[2]) fail(`HEALTHCHECK --${match[1]} needs a value, e.g. --${match[1]}=${name === "retries" ? "3" : "30s"}`);
    options[name!] = match[2];
    remainder = remainder.slice(match[0].length);
  }
  const form = /^(\S+)\s*([\s\S]*)$/.exec(remainder);
  if (!form || form[1]!.toUpperCase() !== "CMD") fail(`HEALTHCHECK: expected CMD or NONE, got "${remainder}"`);
  if (form![2]!.trim() === "") fail("HEALTHCHECK CMD requires a command");
  const exec = jsonArray(form![2]!.trim(), "HEALTHCHECK", fail);
  if (exec && exec.length === 0) fail("HEALTHCHECK CMD requires a command");
  return { ...options, command: exec ? { exec } : { shell: form![2]!.trim() } };
}

function safeSplit(text: string, escape: string, fail: (d: string) => never): string[] {
  try {
    return splitWords(text, escape);
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** Parses `[...]` as a JSON array of strings; undefined when the text is not exec form. */
function jsonArray(text: string, keyword: string, fail: (d: string) => never): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  } catch {
    // docker reads a non-JSON `[` line as shell form (think `RUN [ -f x ]`); a line that is clearly
    // meant as JSON, `["...` up to `]`, is reported instead of silently run by the shell.
  }
  if (/^\[\s*"/.test(text) && text.endsWith("]")) fail(`${keyword}: invalid JSON array (exec form): ${text}`);
  return undefined;
}

/** Turns a literal string (from JSON) into a raw word whose expansion gives it back, $VARs still expanded. */
function literalWord(text: string, escape: string): string {
  return text.replace(/["' \t\\`]/g, (ch) => escape + ch);
}

function takeFlags(text: string, fail: (d: string) => never): { flags: Record<string, string>; remainder: string } {
  const flags: Record<string, string> = {};
  let remainder = text;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(remainder);
    if (!match) break;
    flags[match[1]!] = match[2] ?? "";
    remainder = remainder.slice(match[0].length);
  }
  if (remainder === "") fail("missing SOURCE and DEST after the flags");
  return { flags, remainder };
}

function parsePairs(rest: string, words: string[], keyword: string, escape: string, fail: (d: string) => never): RawPair[] {
  if (assignmentSplitIndex(words[0]!, escape) < 0) {
    const legacy = /^(\S+)\s+([\s\S]+)$/.exec(rest);
    if (!legacy) fail(`${keyword} ${words[0]} needs a value: ${keyword} KEY=VALUE or ${keyword} KEY VALUE`);
    return [{ key: legacy![1]!, value: legacy![2]! }];
  }
  return words.map((word) => {
    const eq = assignmentSplitIndex(word, escape);
    if (eq <= 0) fail(`${keyword}: "${word}" is not KEY=VALUE (put quotes around values with spaces)`);
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
}
