// System utilities: env, printenv, sleep, date, uname, hostname, ps, kill, basename, dirname,
// free, df, which, pwd, and init (pid 1: start the entrypoint, reap, forward signals).

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
export function civil(secs: i64): i64[] {
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

/** "2026-12-01 20:30" as tar -tv prints times. */
export function formatIso(secs: i64): string {
  const c = civil(secs);
  return c[0].toString() + "-" + two(c[1]) + "-" + two(c[2]) + " " + two(c[3]) + ":" + two(c[4]);
}

const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function spaced(v: i64): string { return v < 10 ? " " + v.toString() : v.toString(); }

/** strftime(3) over UTC, with the GNU date conversions. */
export function strftime(fmt: string, secs: i64, nanos: i64): string {
  const c = civil(secs);
  const yday = (secs - (((secs % 86400) + 86400) % 86400)) / 86400 - daysFromCivil(c[0], 1, 1) + 1;
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt.charAt(i);
    if (ch != "%" || i + 1 >= fmt.length) { out += ch; continue; }
    let f = fmt.charAt(++i);
    // GNU flags: %-d (no padding), %_d (space padding).
    let flag = "";
    if ((f == "-" || f == "_") && i + 1 < fmt.length) { flag = f; f = fmt.charAt(++i); }
    let v = "";
    if (f == "Y") v = c[0].toString();
    else if (f == "C") v = two(c[0] / 100);
    else if (f == "y") v = two(c[0] % 100);
    else if (f == "m") v = two(c[1]);
    else if (f == "d") v = two(c[2]);
    else if (f == "e") v = spaced(c[2]);
    else if (f == "H") v = two(c[3]);
    else if (f == "k") v = spaced(c[3]);
    else if (f == "I") v = two(c[3] % 12 == 0 ? 12 : c[3] % 12);
    else if (f == "l") v = spaced(c[3] % 12 == 0 ? 12 : c[3] % 12);
    else if (f == "p") v = c[3] < 12 ? "AM" : "PM";
    else if (f == "P") v = c[3] < 12 ? "am" : "pm";
    else if (f == "M") v = two(c[4]);
    else if (f == "S") v = two(c[5]);
    else if (f == "N") { v = nanos.toString(); while (v.length < 9) v = "0" + v; }
    else if (f == "s") v = secs.toString();
    else if (f == "a") v = DAYS[<i32>c[6]];
    else if (f == "A") v = LONG_DAYS[<i32>c[6]];
    else if (f == "b" || f == "h") v = MONTHS[<i32>c[1] - 1];
    else if (f == "B") v = LONG_MONTHS[<i32>c[1] - 1];
    else if (f == "j") { v = yday.toString(); while (v.length < 3) v = "0" + v; }
    else if (f == "u") v = (c[6] == 0 ? 7 : c[6]).toString();
    else if (f == "w") v = c[6].toString();
    else if (f == "F") v = c[0].toString() + "-" + two(c[1]) + "-" + two(c[2]);
    else if (f == "D" || f == "x") v = two(c[1]) + "/" + two(c[2]) + "/" + two(c[0] % 100);
    else if (f == "T" || f == "X") v = two(c[3]) + ":" + two(c[4]) + ":" + two(c[5]);
    else if (f == "R") v = two(c[3]) + ":" + two(c[4]);
    else if (f == "r") v = two(c[3] % 12 == 0 ? 12 : c[3] % 12) + ":" + two(c[4]) + ":" + two(c[5]) + (c[3] < 12 ? " AM" : " PM");
    else if (f == "c") v = DAYS[<i32>c[6]] + " " + MONTHS[<i32>c[1] - 1] + " " + spaced(c[2]) + " " + two(c[3]) + ":" + two(c[4]) + ":" + two(c[5]) + " " + c[0].toString();
    else if (f == "z") v = "+0000";
    else if (f == "Z") v = "UTC";
    else if (f == "n") v = "\n";
    else if (f == "t") v = "\t";
    else if (f == "%") v = "%";
    else v = "%" + flag + f;
    if (flag == "-") { while (v.length > 1 && (v.charAt(0) == "0" || v.charAt(0) == " ")) v = v.substring(1); }
    else if (flag == "_") { let k = 0; while (k < v.length - 1 && v.charAt(k) == "0") { v = v.substring(0, k) + " " + v.substring(k + 1); k++; } }
    out += v;
  }
  return out;
}

/** Days since the epoch of a civil date (proleptic Gregorian). */
function daysFromCivil(y0: i64, m: i64, d: i64): i64 {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function digitsAt(s: string, at: i32, n: i32): i64 {
  if (at + n > s.length) return -1;
  let v: i64 = 0;
  for (let i = at; i < at + n; i++) { const c = s.charCodeAt(i) - 48; if (c < 0 || c > 9) return -1; v = v * 10 + c; }
  return v;
}

/**
 * Parses a date as GNU date -d and touch -d take it: @SECONDS, YYYY-MM-DD[ |T]HH:MM[:SS][Z],
 * HH:MM[:SS] (today), now, today, yesterday, tomorrow, and "[+-]N unit[s] [ago]" offsets.
 * Returns seconds since the epoch, or I64.MIN_VALUE if the text is not a date.
 */
export function parseDate(text: string, now: i64): i64 {
  const s = text.trim();
  if (s.startsWith("@")) return parseIntOr(s.substring(1), I64.MIN_VALUE);
  const midnight = now - ((now % 86400) + 86400) % 86400;
  let base = now;
  let rest = "";
  const lower = s.toLowerCase();
  if (lower == "now" || lower == "") return now;
  if (lower.startsWith("today")) { rest = s.substring(5); }
  else if (lower.startsWith("yesterday")) { base = now - 86400; rest = s.substring(9); }
  else if (lower.startsWith("tomorrow")) { base = now + 86400; rest = s.substring(8); }
  else if (s.length >= 10 && digitsAt(s, 0, 4) >= 0 && s.charAt(4) == "-" && s.charAt(7) == "-") {
    const y = digitsAt(s, 0, 4); const m = digitsAt(s, 5, 2); const d = digitsAt(s, 8, 2);
    if (m < 1 || m > 12 || d < 1 || d > 31) return I64.MIN_VALUE;
    base = daysFromCivil(y, m, d) * 86400;
    rest = s.substring(10);
    if (rest.startsWith("T") || rest.startsWith(" ")) rest = rest.substring(1);
  } else rest = s;
  rest = rest.trim();
  if (rest.endsWith("Z")) rest = rest.substring(0, rest.length - 1).trim();
  else if (rest.endsWith("UTC")) rest = rest.substring(0, rest.length - 3).trim();
  // A time of day.
  if (rest.length >= 5 && rest.charAt(2) == ":") {
    const h = digitsAt(rest, 0, 2); const mi = digitsAt(rest, 3, 2);
    let sec: i64 = 0;
    let used = 5;
    if (rest.length >= 8 && rest.charAt(5) == ":") { sec = digitsAt(rest, 6, 2); used = 8; }
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return I64.MIN_VALUE;
    if (base == now) base = midnight;
    else base = base - ((base % 86400) + 86400) % 86400;
    base += h * 3600 + mi * 60 + sec;
    rest = rest.substring(used);
    if (rest.startsWith(".")) { let k = 1; while (k < rest.length && rest.charCodeAt(k) >= 48 && rest.charCodeAt(k) <= 57) k++; rest = rest.substring(k); }
    rest = rest.trim();
  }
  // Relative offsets: "2 days ago", "+3 hours", "1 week".
  const words = rest.split(" ");
  let i = 0;
  while (i < words.length) {
    if (words[i] == "") { i++; continue; }
    let n = parseIntOr(words[i], I64.MIN_VALUE);
    let unitWord = "";
    if (n == I64.MIN_VALUE) { n = 1; unitWord = words[i]; i++; }
    else { if (i + 1 >= words.length) return I64.MIN_VALUE; unitWord = words[i + 1]; i += 2; }
    let unit = unitWord.toLowerCase();
    if (unit.endsWith("s") && unit.length > 3) unit = unit.substring(0, unit.length - 1);
    let scale: i64 = 0;
    if (unit == "sec" || unit == "second") scale = 1;
    else if (unit == "min" || unit == "minute") scale = 60;
    else if (unit == "hour") scale = 3600;
    else if (unit == "day") scale = 86400;
    else if (unit == "week") scale = 604800;
    else if (unit == "fortnight") scale = 1209600;
    else if (unit == "month") scale = 30 * 86400;
    else if (unit == "year") scale = 365 * 86400;
    else return I64.MIN_VALUE;
    let delta = n * scale;
    if (i < words.length && words[i].toLowerCase() == "ago") { delta = -delta; i++; }
    base += delta;
  }
  return base;
}

/** date [-u] [-R] [-I[TIMESPEC]] [-d DATE] [-r FILE] [+FORMAT] */
export function dateMain(args: string[]): i32 {
  const ns = proc.nowNs();
  let secs = ns / 1000000000;
  let nanos = ns % 1000000000;
  let format = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-u" || a == "--utc" || a == "--universal") continue;
    if (a == "-R" || a == "--rfc-email") { format = "%a, %d %b %Y %H:%M:%S %z"; continue; }
    if (a == "-I" || a == "--iso-8601" || a == "-Idate") { format = "%Y-%m-%d"; continue; }
    if (a == "-Iseconds" || a == "--iso-8601=seconds") { format = "%Y-%m-%dT%H:%M:%S+00:00"; continue; }
    if (a == "-Iminutes") { format = "%Y-%m-%dT%H:%M+00:00"; continue; }
    if (a == "-Ihours") { format = "%Y-%m-%dT%H+00:00"; continue; }
    if (a == "-d" || a == "--date" || a.startsWith("--date=") || (a.startsWith("-d") && a.length > 2)) {
      const text = a == "-d" || a == "--date" ? (i + 1 < args.length ? args[++i] : "") : a.startsWith("--date=") ? a.substring(7) : a.substring(2);
      const t = parseDate(text, secs);
      if (t == I64.MIN_VALUE) return usage("date", "invalid date '" + text + "'");
      secs = t; nanos = 0;
      continue;
    }
    if (a == "-r" || a == "--reference") {
      if (i + 1 >= args.length) return usage("date", "option requires an argument -- 'r'");
      const st = fs.stat(args[++i]);
      if (st == null) { report("date", args[i], fs.lastError); return 1; }
      secs = <i64>(st.mtim / 1000000000); nanos = <i64>(st.mtim % 1000000000);
      continue;
    }
    if (a.startsWith("+")) { format = a.substring(1); continue; }
    return usage("date", "invalid date '" + a + "'");
  }
  stdout.line(format != "" ? strftime(format, secs, nanos) : formatDate(secs, false));
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
export function runAndWait(prog: string, argv: string[], env: string[] | null): i32 {
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
export function which(name: string): string {
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

