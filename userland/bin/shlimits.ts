// The shell's builtins over process attributes: times (CPU times), umask (the creation mask, kept by
// the kernel and inherited) and ulimit (the limits /proc/self/limits shows; they cannot be changed).
import { stdout, warn } from "../lib/io";
import { readFile } from "../lib/fs";
import { proc_times, proc_umask } from "../lib/wasmbox";

const ret = memory.data(32);

/** Nanoseconds as dash's times prints them: "0m0.012000s". */
function minutesSeconds(ns: i64): string {
  const us = ns / 1000;
  const mins = us / 60000000;
  const secs = (us % 60000000) / 1000000;
  let frac = (us % 1000000).toString();
  while (frac.length < 6) frac = "0" + frac;
  return mins.toString() + "m" + secs.toString() + "." + frac + "s";
}

/** The CPU times (user, system, children's user, children's system) in nanoseconds. */
export function cpuTimes(): i64[] {
  if (proc_times(ret) != 0) return [0, 0, 0, 0];
  return [load<i64>(ret), load<i64>(ret, 8), load<i64>(ret, 16), load<i64>(ret, 24)];
}

/** times: the shell's user and system time, then its children's. */
export function timesBuiltin(): i32 {
  const t = cpuTimes();
  stdout.str(minutesSeconds(t[0])).byte(32).line(minutesSeconds(t[1]));
  stdout.str(minutesSeconds(t[2])).byte(32).line(minutesSeconds(t[3]));
  return 0;
}

function currentUmask(): u32 {
  proc_umask(0o022, ret);
  const mask = load<u32>(ret);
  proc_umask(mask, ret);
  return mask;
}

function octal(v: u32): string {
  let s = "";
  for (let i = 0; i < 4; i++) { s = String.fromCharCode(48 + <i32>(v & 7)) + s; v >>= 3; }
  return s;
}

/** "u=rwx,g=rx,o=rx" for the permissions a mask leaves. */
function symbolic(mask: u32): string {
  const allowed = ~mask & 0o777;
  const who = ["u", "g", "o"];
  let out = "";
  for (let i = 0; i < 3; i++) {
    const bits = (allowed >> (<u32>(2 - i) * 3)) & 7;
    out += (i > 0 ? "," : "") + who[i] + "=" + ((bits & 4) != 0 ? "r" : "") + ((bits & 2) != 0 ? "w" : "") + ((bits & 1) != 0 ? "x" : "");
  }
  return out;
}

/**
 * Applies a symbolic mode to the permissions a mask allows, as dash reads it: clauses of [ugoa]...
 * then one or more of OP [rwxugoXs]... (OP one of = + -; no who is a; u g o copy the old
 * permissions, X is x when any x was allowed, s is ignored), separated by commas; -1 when text
 * is left over.
 */
function applySymbolic(mask: u32, spec: string): i64 {
  const old = <i32>(~mask & 0o777);
  let allowed = old;
  let positions = 0;
  let i = 0;
  while (i < spec.length) {
    for (; i < spec.length; i++) {
      const c = spec.charCodeAt(i);
      if (c == 97) positions |= 0o111; else if (c == 117) positions |= 0o100; else if (c == 103) positions |= 0o010; else if (c == 111) positions |= 0o001; else break;
    }
    if (positions == 0) positions = 0o111;
    if (i >= spec.length || "=+-".indexOf(spec.charAt(i)) < 0) break;
    const op = spec.charCodeAt(i++);
    let value = 0;
    for (; i < spec.length && "rwxugoXs".indexOf(spec.charAt(i)) >= 0; i++) {
      const c = spec.charCodeAt(i);
      if (c == 114) value |= 4; else if (c == 119) value |= 2; else if (c == 120) value |= 1;
      else if (c == 117) value |= old >> 6; else if (c == 103) value |= old >> 3; else if (c == 111) value |= old;
      else if (c == 88) { if ((old & 0o111) != 0) value |= 1; }
    }
    value = (value & 7) * positions;
    if (op == 45) allowed &= ~value;
    else if (op == 61) allowed = value | (allowed & ~(positions * 7));
    else allowed |= value;
    if (i < spec.length && spec.charCodeAt(i) == 44) { positions = 0; i++; }
    else if (i >= spec.length || "=+-".indexOf(spec.charAt(i)) < 0) break;
  }
  if (i < spec.length) return -1;
  return <i64>(~allowed & 0o777);
}

/** umask [-S] [MASK]: prints the mask (octal, or symbolic with -S) or sets it from octal (kept to
 *  its last nine bits) or symbolic, as dash: only the first MASK counts; errors go to `error`. */
export function umaskBuiltin(args: string[], error: (message: string) => void): i32 {
  let i = 0;
  let symbolicOut = false;
  for (; i < args.length && args[i].length > 1 && args[i].charCodeAt(0) == 45; i++) {
    if (args[i] == "--") { i++; break; }
    for (let k = 1; k < args[i].length; k++) {
      if (args[i].charAt(k) != "S") { error("umask: Illegal option -" + args[i].charAt(k)); return 2; }
      symbolicOut = true;
    }
  }
  if (i >= args.length) {
    const mask = currentUmask();
    stdout.line(symbolicOut ? symbolic(mask) : octal(mask));
    return 0;
  }
  const spec = args[i];
  let mask: i64 = 0;
  if (spec.length > 0 && spec.charCodeAt(0) >= 48 && spec.charCodeAt(0) <= 57) {
    for (let k = 0; k < spec.length; k++) {
      const d = spec.charCodeAt(k) - 48;
      if (d < 0 || d > 7) { error("umask: Illegal number: " + spec); return 2; }
      mask = ((mask << 3) + d) & 0xffffffff;
    }
    mask &= 0o777;
  } else {
    mask = applySymbolic(currentUmask(), spec);
    if (mask < 0) { error("umask: Illegal mode: " + spec); return 2; }
  }
  proc_umask(<u32>mask, ret);
  return 0;
}

/** One resource of ulimit: its option, its row in /proc/self/limits, its label for -a, and the unit it shows. */
class Resource {
  constructor(public option: string, public row: string, public label: string, public divisor: i64) {}
}

const RESOURCES: Resource[] = [
  new Resource("t", "Max cpu time", "time(seconds)", 1),
  new Resource("f", "Max file size", "file(blocks)", 512),
  new Resource("u", "Max processes", "process", 1),
  new Resource("n", "Max open files", "nofiles", 1),
  new Resource("v", "Max address space", "vmemory(kbytes)", 1024),
];

/** A limit from /proc/self/limits ("unlimited" or the number in the resource's unit). */
function limitOf(r: Resource): string {
  const data = readFile("/proc/self/limits");
  if (data == null) return "unlimited";
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith(r.row + " ")) continue;
    const value = lines[i].substring(25).trim().split(" ")[0];
    if (value == "unlimited") return value;
    return (I64.parseInt(value) / r.divisor).toString();
  }
  return "unlimited";
}

/** ulimit [-H|-S] [-a|-t|-f|-u|-n|-v] [LIMIT]: shows a limit (default -f); the kernel's limits belong to the container and are not changed here. */
export function ulimitBuiltin(args: string[]): i32 {
  let which = "f";
  let all = false;
  let value = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-H" || a == "-S") continue;
    if (a == "-a") { all = true; continue; }
    if (a.length == 2 && a.charAt(0) == "-") {
      let known = false;
      for (let r = 0; r < RESOURCES.length; r++) if (RESOURCES[r].option == a.charAt(1)) known = true;
      if (!known) { warn("sh", "ulimit: Illegal option " + a); return 2; }
      which = a.charAt(1);
      continue;
    }
    value = a;
  }
  if (all) {
    for (let r = 0; r < RESOURCES.length; r++) {
      const res = RESOURCES[r];
      // dash's layout: the label in 20 columns, then the limit.
      let label = res.label;
      while (label.length < 20) label += " ";
      stdout.str(label).byte(32).line(limitOf(res));
    }
    return 0;
  }
  for (let r = 0; r < RESOURCES.length; r++) {
    const res = RESOURCES[r];
    if (res.option != which) continue;
    const current = limitOf(res);
    if (value == "") { stdout.line(current); return 0; }
    if (value == current) return 0;
    warn("sh", "ulimit: error setting limit (Operation not permitted): the container's limits are set when it is created");
    return 2;
  }
  return 2;
}
