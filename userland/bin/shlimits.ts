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

/** Applies a symbolic mode (u+w,g=rx,o-rwx,a=...) to the permissions a mask allows; -1 if it is malformed. */
function applySymbolic(mask: u32, spec: string): i64 {
  let allowed = ~mask & 0o777;
  const clauses = spec.split(",");
  for (let c = 0; c < clauses.length; c++) {
    const clause = clauses[c];
    let i = 0;
    let who: u32 = 0;
    while (i < clause.length) {
      const ch = clause.charAt(i);
      if (ch == "u") who |= 0o700; else if (ch == "g") who |= 0o070; else if (ch == "o") who |= 0o007; else if (ch == "a") who |= 0o777; else break;
      i++;
    }
    if (who == 0) who = 0o777;
    if (i >= clause.length) return -1;
    const op = clause.charAt(i++);
    if (op != "+" && op != "-" && op != "=") return -1;
    let perm: u32 = 0;
    for (; i < clause.length; i++) {
      const ch = clause.charAt(i);
      if (ch == "r") perm |= 0o444; else if (ch == "w") perm |= 0o222; else if (ch == "x") perm |= 0o111; else return -1;
    }
    perm &= who;
    if (op == "+") allowed |= perm;
    else if (op == "-") allowed &= ~perm;
    else allowed = (allowed & ~who) | perm;
  }
  return <i64>(~allowed & 0o777);
}

/** umask [-S] [MASK]: prints the mask (octal, or symbolic with -S) or sets it from octal or symbolic. */
export function umaskBuiltin(args: string[]): i32 {
  let i = 0;
  let symbolicOut = false;
  if (i < args.length && args[i] == "-S") { symbolicOut = true; i++; }
  if (i >= args.length) {
    const mask = currentUmask();
    stdout.line(symbolicOut ? symbolic(mask) : octal(mask));
    return 0;
  }
  const spec = args[i];
  let mask: i64 = 0;
  if (spec.length > 0 && spec.charCodeAt(0) >= 48 && spec.charCodeAt(0) <= 55) {
    for (let k = 0; k < spec.length; k++) {
      const d = spec.charCodeAt(k) - 48;
      if (d < 0 || d > 7) { warn("sh", "umask: Illegal number: " + spec); return 2; }
      mask = mask * 8 + d;
    }
    if (mask > 0o777) { warn("sh", "umask: Illegal number: " + spec); return 2; }
  } else {
    mask = applySymbolic(currentUmask(), spec);
    if (mask < 0) { warn("sh", "umask: Illegal mode: " + spec); return 2; }
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
