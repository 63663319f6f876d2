// System utilities: env, printenv, sleep, date, uname, hostname, ps, kill, basename, dirname,
// free, df, which, xargs, pwd, and init (pid 1: start the entrypoint, reap, forward signals).

import { hostnameAddresses } from "./net";
import { stdout, warn, ByteBuf } from "../lib/io";
import { getopt, parseIntOr } from "../lib/opts";
import { usage, report } from "../lib/cmd";
import * as fs from "../lib/fs";
import { environ, getenv, unsetenv } from "../lib/env";
import { basename, dirname, join } from "../lib/path";
import { strerror, ECHILD, EINTR, ENOENT } from "../lib/errno";
import * as proc from "../lib/proc";
import * as k from "../lib/wasmbox";
import { humanSize } from "./files";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(v: i64): string { return v < 10 ? "0" + v.toString() : v.toString(); }

/** Splits seconds since the epoch (UTC) into [year, month 1-12, day, hour, min, sec, weekday]. */
function civil(secs: i64): i64[] {
  let days = secs / 86400;
  let rem = secs % 86400;
  if (rem < 0) { rem += 86400; days--; }
  const weekday = ((days % 7) + 11) % 7;
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60, weekday];
}

/** "Thu Jan  1 00:00:00 UTC 1970" (date) or "Jan  1 00:00" (ls -l). */
export function formatDate(secs: i64, short: bool): string {
  const c = civil(secs);
  const day = c[2] < 10 ? " " + c[2].toString() : c[2].toString();
  const time = two(c[3]) + ":" + two(c[4]);
  if (short) return MONTHS[<i32>c[1] - 1] + " " + day + " " + time;
  return DAYS[<i32>c[6]] + " " + MONTHS[<i32>c[1] - 1] + " " + day + " " + time + ":" + two(c[5]) + " UTC " + c[0].toString();
}

function strftime(fmt: string, secs: i64): string {
  const c = civil(secs);
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt.charAt(i);
    if (ch != "%" || i + 1 >= fmt.length) { out += ch; continue; }
    const f = fmt.charAt(++i);
    if (f == "Y") out += c[0].toString();
    else if (f == "m") out += two(c[1]);
    else if (f == "d") out += two(c[2]);
    else if (f == "H") out += two(c[3]);
    else if (f == "M") out += two(c[4]);
    else if (f == "S") out += two(c[5]);
    else if (f == "s") out += secs.toString();
    else if (f == "a") out += DAYS[<i32>c[6]];
    else if (f == "b") out += MONTHS[<i32>c[1] - 1];
    else if (f == "F") out += c[0].toString() + "-" + two(c[1]) + "-" + two(c[2]);
    else if (f == "T") out += two(c[3]) + ":" + two(c[4]) + ":" + two(c[5]);
    else if (f == "Z") out += "UTC";
    else if (f == "n") out += "\n";
    else if (f == "%") out += "%";
    else out += "%" + f;
  }
  return out;
}

/** date [-u] [+FORMAT] [-d @SECONDS] */
export function dateMain(args: string[]): i32 {
  let secs = proc.nowNs() / 1000000000;
  let format = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-u" || a == "-R") continue;
    if (a == "-d" && i + 1 < args.length && args[i + 1].startsWith("@")) { secs = parseIntOr(args[++i].substring(1), 0); continue; }
    if (a.startsWith("+")) { format = a.substring(1); continue; }
    return usage("date", "invalid date '" + a + "'");
  }
  stdout.line(format != "" ? strftime(format, secs) : formatDate(secs, false));
  return 0;
}

/** env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...] */
export function envMain(args: string[]): i32 {
  let i = 0;
  let clear = false;
  for (; i < args.length; i++) {
    if (args[i] == "-i" || args[i] == "-") { clear = true; continue; }
    if (args[i] == "-u" && i + 1 < args.length) { unsetenv(args[++i]); continue; }
    break;
  }
  let env = clear ? new Array<string>() : environ();
  for (; i < args.length && args[i].indexOf("=") > 0; i++) {
    const name = args[i].substring(0, args[i].indexOf("=") + 1);
    const kept = new Array<string>();
    for (let e = 0; e < env.length; e++) if (!env[e].startsWith(name)) kept.push(env[e]);
    kept.push(args[i]);
    env = kept;
  }
  if (i >= args.length) { for (let e = 0; e < env.length; e++) stdout.line(env[e]); return 0; }
  return runAndWait("env", args.slice(i), env);
}

/** Runs a command found in PATH and returns its exit status (127 not found, 126 not runnable). */
function runAndWait(prog: string, argv: string[], env: string[] | null): i32 {
  const path = which(argv[0]);
  if (path == "") { warn(prog, "'" + argv[0] + "': No such file or directory"); return 127; }
  stdout.flush();
  const pid = proc.spawn(path, argv, env, fs.getcwd(), []);
  if (pid < 0) { warn(prog, "'" + argv[0] + "': " + strerror(-pid)); return -pid == ENOENT ? 127 : 126; }
  let err = proc.wait(pid);
  while (err == EINTR) err = proc.wait(pid);
  return proc.exitStatus(proc.waitedStatus);
}

/** The path of a command in PATH, or "". */
function which(name: string): string {
  if (name.indexOf("/") >= 0) return fs.exists(name) ? name : "";
  const p = getenv("PATH");
  const dirs = (p != null ? p : "/bin").split(":");
  for (let i = 0; i < dirs.length; i++) {
    const candidate = join(dirs[i].length > 0 ? dirs[i] : ".", name);
    const st = fs.stat(candidate);
    if (st != null && st.isFile()) return candidate;
  }
  return "";
}

/** which NAME... */
export function whichMain(args: string[]): i32 {
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    const path = which(args[i]);
    if (path == "") status = 1; else stdout.line(path);
  }
  return args.length == 0 ? 1 : status;
}

/** printenv [NAME]... */
export function printenvMain(args: string[]): i32 {
  if (args.length == 0) { const env = environ(); for (let i = 0; i < env.length; i++) stdout.line(env[i]); return 0; }
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    const v = getenv(args[i]);
    if (v == null) status = 1; else stdout.line(v);
  }
  return status;
}

/** sleep SECONDS (fractions allowed, suffixes s m h). */
export function sleepMain(args: string[]): i32 {
  if (args.length == 0) return usage("sleep", "missing operand");
  let total: f64 = 0;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let scale: f64 = 1;
    if (a.endsWith("s")) a = a.substring(0, a.length - 1);
    else if (a.endsWith("m")) { scale = 60; a = a.substring(0, a.length - 1); }
    else if (a.endsWith("h")) { scale = 3600; a = a.substring(0, a.length - 1); }
    const v = parseFloat(a);
    if (isNaN(v) || v < 0) return usage("sleep", "invalid time interval '" + args[i] + "'");
    total += v * scale;
  }
  proc.sleepNs(<i64>(total * 1e9));
  return 0;
}

/** The fields sys_uname reports: sysname, nodename, release, version, machine. */
function unameFields(): string[] {
  const buf = heap.alloc(1024);
  const ret = heap.alloc(8);
  const err = k.sys_uname(buf, 1024, ret);
  const fields = err == 0 ? String.UTF8.decodeUnsafe(buf, load<u32>(ret)).split("\0") : ["wasmbox", "wasmbox", "0", "0", "wasm32"];
  heap.free(buf); heap.free(ret);
  while (fields.length < 5) fields.push("");
  return fields;
}

/** uname [-asnrvm] */
export function unameMain(args: string[]): i32 {
  const o = getopt(args, "asnrvmpio");
  if (o.error != "") return usage("uname", o.error);
  const f = unameFields();
  const all = o.has("a");
  const parts = new Array<string>();
  if (all || o.has("s") || o.flags.size == 0) parts.push(f[0]);
  if (all || o.has("n")) parts.push(f[1]);
  if (all || o.has("r")) parts.push(f[2]);
  if (all || o.has("v")) parts.push(f[3]);
  if (all || o.has("m")) parts.push(f[4]);
  if (all || o.has("o")) parts.push("wasmbox");
  stdout.line(parts.join(" "));
  return 0;
}

/** hostname: the node name. */
export function hostnameMain(args: string[]): i32 {
  if (args.length > 0 && args[0] == "-i") return hostnameAddresses(unameFields()[1]);
  stdout.line(unameFields()[1]);
  return 0;
}

/** A /proc/<pid>/status field's value, or "". */
function statusField(status: string, name: string): string {
  const at = status.indexOf(name + ":");
  if (at < 0) return "";
  const end = status.indexOf("\n", at);
  return status.substring(at + name.length + 1, end < 0 ? status.length : end).trim();
}

/** ps [-ef] [aux]: processes from /proc. */
export function psMain(args: string[]): i32 {
  const names = fs.listNames("/proc");
  if (names == null) { report("ps", "/proc", fs.lastError); return 1; }
  const pids = new Array<i32>();
  for (let i = 0; i < names.length; i++) { const p = <i32>parseIntOr(names[i], -1); if (p > 0) pids.push(p); }
  pids.sort((a: i32, b: i32): i32 => a - b);
  stdout.line("  PID  PPID STAT   RSS     TIME COMMAND");
  for (let i = 0; i < pids.length; i++) {
    const dir = "/proc/" + pids[i].toString();
    const st = fs.readFile(dir + "/status");
    if (st == null) continue;
    const status = String.UTF8.decode(st.buffer);
    const cmd = fs.readFile(dir + "/cmdline");
    let command = cmd != null ? String.UTF8.decode(cmd.buffer).replaceAll("\0", " ").trim() : "";
    if (command == "") command = "[" + statusField(status, "Name") + "]";
    const cpuMs = parseIntOr(statusField(status, "CpuMs"), 0);
    const secs = cpuMs / 1000;
    const time = two(secs / 3600) + ":" + two((secs / 60) % 60) + ":" + two(secs % 60);
    const rss = statusField(status, "VmRSS").replace(" kB", "");
    stdout.pad(pids[i].toString(), 5).byte(32).pad(statusField(status, "PPid"), 5).byte(32);
    stdout.str(statusField(status, "State").substring(0, 1)).str("    ").pad(rss, 6).byte(32).str(time).byte(32).line(command);
  }
  return 0;
}

const SIGNAL_NAMES = ["", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU"];

function signalNumber(name: string): i32 {
  const n = parseIntOr(name, -1);
  if (n >= 0) return <i32>n;
  const upper = name.toUpperCase();
  const bare = upper.startsWith("SIG") ? upper.substring(3) : upper;
  return SIGNAL_NAMES.indexOf(bare);
}

/** kill [-s SIG | -SIG] PID... ; kill -l */
export function killMain(args: string[]): i32 {
  let sig = k.SIGTERM;
  let i = 0;
  if (args.length > 0 && args[0] == "-l") { stdout.line(SIGNAL_NAMES.slice(1).join(" ")); return 0; }
  if (args.length > 1 && args[0] == "-s") { sig = signalNumber(args[1]); i = 2; }
  else if (args.length > 0 && args[0] == "--") i = 1;
  else if (args.length > 0 && args[0].startsWith("-") && args[0].length > 1) { sig = signalNumber(args[0].substring(1)); i = 1; }
  if (sig < 0) return usage("kill", "invalid signal specification");
  if (i >= args.length) return usage("kill", "usage: kill [-s SIGNAL | -SIGNAL] PID...");
  let status = 0;
  for (; i < args.length; i++) {
    const pid = <i32>parseIntOr(args[i], 0);
    const err = proc.kill(pid, sig);
    if (err != 0) { warn("kill", "(" + args[i] + ") - " + strerror(err)); status = 1; }
  }
  return status;
}

/** basename NAME [SUFFIX] */
export function basenameMain(args: string[]): i32 {
  if (args.length == 0) return usage("basename", "missing operand");
  let b = basename(args[0]);
  if (args.length > 1 && b.endsWith(args[1]) && b != args[1]) b = b.substring(0, b.length - args[1].length);
  stdout.line(b);
  return 0;
}

/** dirname NAME... */
export function dirnameMain(args: string[]): i32 {
  if (args.length == 0) return usage("dirname", "missing operand");
  for (let i = 0; i < args.length; i++) stdout.line(dirname(args[i]));
  return 0;
}

/** sync [FILE...]: flush files (no operand: the filesystem of /) to stable storage. */
export function syncMain(args: string[]): i32 {
  const paths = args.length > 0 ? args : ["/"];
  let status = 0;
  for (let i = 0; i < paths.length; i++) {
    const err = fs.sync(paths[i]);
    if (err != 0) { report("sync", paths[i], err); status = 1; }
  }
  return status;
}

/** pwd */
export function pwdMain(args: string[]): i32 { stdout.line(fs.getcwd()); return 0; }

/** free [-b|-k|-m|-h]: memory from sys_meminfo. */
export function freeMain(args: string[]): i32 {
  const o = getopt(args, "bkmh");
  const buf = heap.alloc(32);
  const err = k.sys_meminfo(buf);
  if (err != 0) { report("free", "sys_meminfo", err); return 1; }
  let total = load<i64>(buf); let used = load<i64>(buf, 8);
  const limit = load<i64>(buf, 16);
  if (limit > 0) { total = limit; used = load<i64>(buf, 24); }
  const divisor: i64 = o.has("b") ? 1 : o.has("m") ? 1048576 : 1024;
  stdout.line("               total        used        free      shared  buff/cache   available");
  const h = o.has("h");
  stdout.str("Mem:    ").pad(amount(total, h, divisor), 12).pad(amount(used, h, divisor), 12).pad(amount(total - used, h, divisor), 12)
    .pad("0", 12).pad("0", 12).pad(amount(total - used, h, divisor), 12).byte(10);
  stdout.str("Swap:   ").pad("0", 12).pad("0", 12).pad("0", 12).byte(10);
  return 0;
}

/** A byte count for free and df: human-readable, or in units of divisor. */
function amount(bytes: i64, human: bool, divisor: i64): string {
  return human ? humanSize(bytes) : (bytes / divisor).toString();
}

/** df [-h] [PATH]...: filesystem usage from sys_statvfs. */
export function dfMain(args: string[]): i32 {
  const o = getopt(args, "hkTa");
  const paths = o.operands.length > 0 ? o.operands : ["/"];
  const h = o.has("h");
  stdout.line(h ? "Filesystem      Size  Used Avail Use% Mounted on" : "Filesystem     1K-blocks      Used Available Use% Mounted on");
  const buf = heap.alloc(32);
  let status = 0;
  for (let i = 0; i < paths.length; i++) {
    const fd = fs.open(paths[i]);
    if (fd < 0) { report("df", paths[i], fs.lastError); status = 1; continue; }
    const err = k.sys_statvfs(<u32>fd, buf);
    fs.close(fd);
    if (err != 0) { report("df", paths[i], err); status = 1; continue; }
    const total = load<i64>(buf); const used = load<i64>(buf, 8);
    const pct = total > 0 ? (used * 100 + total - 1) / total : 0;
    stdout.str("wasmbox    ").pad(amount(total, h, 1024), h ? 9 : 14).pad(amount(used, h, 1024), h ? 6 : 10).pad(amount(total - used, h, 1024), h ? 6 : 10)
      .pad(pct.toString() + "%", 5).byte(32).line(paths[i]);
  }
  return status;
}

/** xargs [-n N] [COMMAND [ARG]...]: runs COMMAND with words from stdin appended. */
export function xargsMain(args: string[]): i32 {
  let i = 0;
  let perCall = 1 << 30;
  let replace = "";
  for (; i < args.length; i++) {
    if (args[i] == "-n" && i + 1 < args.length) { perCall = <i32>parseIntOr(args[++i], 1); continue; }
    if (args[i] == "-I" && i + 1 < args.length) { replace = args[++i]; perCall = 1; continue; }
    if (args[i] == "-0" || args[i] == "-r" || args[i] == "-t") continue;
    break;
  }
  const command = i < args.length ? args.slice(i) : ["echo"];
  const data = new ByteBuf();
  data.readFrom(0);
  const words = new Array<string>();
  if (replace != "") {
    const lines = data.toString().split("\n");
    for (let l = 0; l < lines.length; l++) if (lines[l].length > 0) words.push(lines[l]);
  } else {
    const parts = data.toString().replaceAll("\t", " ").replaceAll("\n", " ").split(" ");
    for (let p = 0; p < parts.length; p++) if (parts[p].length > 0) words.push(parts[p]);
  }
  let status = 0;
  for (let start = 0; start < words.length || (start == 0 && words.length == 0 && replace == ""); start += perCall) {
    let argv: string[];
    if (replace != "") {
      argv = new Array<string>();
      for (let c = 0; c < command.length; c++) argv.push(command[c].replaceAll(replace, words[start]));
    } else argv = command.concat(words.slice(start, min(words.length, start + perCall)));
    const st = runAndWait("xargs", argv, null);
    if (st == 127 || st == 126) return st;
    if (st != 0) status = 123;
    if (words.length == 0) break;
  }
  return status;
}

/**
 * init: pid 1. Runs argv[1..] as the entrypoint in its own process group, reaps every child
 * (orphans are re-parented to it), forwards TERM and INT to the entrypoint's group, and exits
 * with the entrypoint's status.
 */
export function initMain(args: string[]): i32 {
  const argv = args.length > 0 ? args : ["/bin/sh"];
  proc.sigaction(k.SIGTERM, k.SIG_CATCH);
  proc.sigaction(k.SIGINT, k.SIG_CATCH);
  const path = which(argv[0]);
  if (path == "") { warn("init", argv[0] + ": not found"); return 127; }
  const child = proc.spawn(path, argv, null, fs.getcwd(), [], k.SPAWN_NEW_PGROUP);
  if (child < 0) { warn("init", argv[0] + ": " + strerror(-child)); return 126; }
  let result = -1;
  for (;;) {
    const err = proc.wait(-1);
    if (err == EINTR) {
      const pending = proc.sigpending();
      for (let sig = 1; sig < 32; sig++) if ((pending & (1 << sig)) != 0) proc.kill(-child, sig);
      continue;
    }
    if (err == ECHILD) break;
    if (err != 0) { warn("init", "wait: " + strerror(err)); break; }
    if (proc.waitedPid == child) result = proc.exitStatus(proc.waitedStatus);
  }
  return result < 0 ? 1 : result;
}

