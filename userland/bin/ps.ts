// ps and dmesg from /proc. ps: busybox's default columns (PID USER TIME COMMAND), procps' -f/-ef (UID PID PPID C
// STIME TTY TIME CMD) and BSD-style aux (USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND), -o (with
// renamed or emptied headers), -p PIDS and --no-headers.
import { replaceAll } from "../lib/strings";
import { stdout } from "../lib/io";
import { parseIntOr } from "../lib/opts";
import { usage, report } from "../lib/cmd";
import * as fs from "../lib/fs";
import * as proc from "../lib/proc";
import { UserNames } from "../lib/users";
import { civil } from "./system";

/** What ps shows of one process, read from /proc/PID. */
class ProcInfo {
  pid: i32 = 0;
  ppid: i32 = 0;
  pgid: i32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  nice: i64 = 0;
  state: string = "?";
  name: string = "";
  args: string = "";
  rssKb: i64 = 0;
  cpuMs: i64 = 0;
  startMs: i64 = 0;
}

function field(status: string, name: string): string {
  const key = name + ":";
  let at = status.startsWith(key) ? 0 : status.indexOf("\n" + key);
  if (at < 0) return "";
  if (at > 0) at++;
  const end = status.indexOf("\n", at);
  return status.substring(at + key.length, end < 0 ? status.length : end).trim();
}

function readProcs(): ProcInfo[] | null {
  const names = fs.listNames("/proc");
  if (names == null) return null;
  const out = new Array<ProcInfo>();
  const pids = new Array<i32>();
  for (let i = 0; i < names.length; i++) { const p = <i32>parseIntOr(names[i], -1); if (p > 0) pids.push(p); }
  pids.sort((a: i32, b: i32): i32 => a - b);
  for (let i = 0; i < pids.length; i++) {
    const dir = "/proc/" + pids[i].toString();
    const st = fs.readFile(dir + "/status");
    if (st == null) continue;
    const status = String.UTF8.decode(st.buffer);
    const p = new ProcInfo();
    p.pid = pids[i];
    p.ppid = <i32>parseIntOr(field(status, "PPid"), 0);
    p.uid = <u32>parseIntOr(field(status, "Uid").split("\t")[0], 0);
    p.gid = <u32>parseIntOr(field(status, "Gid").split("\t")[0], 0);
    p.pgid = <i32>parseIntOr(field(status, "PGid"), 0);
    p.state = field(status, "State").substring(0, 1);
    p.name = field(status, "Name");
    p.rssKb = parseIntOr(field(status, "VmRSS").replace(" kB", ""), 0);
    p.cpuMs = parseIntOr(field(status, "CpuMs"), 0);
    p.startMs = parseIntOr(field(status, "StartMs"), 0);
    p.nice = parseIntOr(field(status, "Nice"), 0);
    const cmd = fs.readFile(dir + "/cmdline");
    p.args = cmd != null ? replaceAll(String.UTF8.decode(cmd.buffer), "\0", " ").trim() : "";
    if (p.args == "") p.args = "[" + p.name + "]";
    out.push(p);
  }
  return out;
}

function two(v: i64): string { return v < 10 ? "0" + v.toString() : v.toString(); }
function left(s: string, width: i32): string { let out = s; while (out.length < width) out += " "; return out; }
function right(s: string, width: i32): string { let out = s; while (out.length < width) out = " " + out; return out; }

/** "HH:MM" of a start time today, else "MonDD" (procps' STIME and START). */
function startText(ms: i64, nowMs: i64): string {
  const c = civil(ms / 1000);
  if (nowMs - ms < 86400000) return two(c[3]) + ":" + two(c[4]);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return months[<i32>c[1] - 1] + two(c[2]);
}

/** CPU time as [DD-]HH:MM:SS (procps' TIME of -f). */
function longTime(ms: i64): string {
  const secs = ms / 1000;
  const days = secs / 86400;
  return (days > 0 ? days.toString() + "-" : "") + two((secs / 3600) % 24) + ":" + two((secs / 60) % 60) + ":" + two(secs % 60);
}

/** CPU time as M:SS (busybox's TIME, and aux's). */
function shortTime(ms: i64): string {
  const secs = ms / 1000;
  return (secs / 60).toString() + ":" + two(secs % 60);
}

function percent(part: f64, whole: f64): string {
  const v = whole > 0 ? part * 100 / whole : 0;
  const tenths = <i64>Math.round(v * 10);
  return (tenths / 10).toString() + "." + (tenths % 10).toString();
}

function memTotalKb(): i64 {
  const data = fs.readFile("/proc/meminfo");
  if (data == null) return 0;
  return parseIntOr(field(String.UTF8.decode(data.buffer), "MemTotal").replace(" kB", "").trim(), 0);
}

/** The value of one -o column for a process. */
function column(name: string, p: ProcInfo, names: UserNames, nowMs: i64): string {
  if (name == "pid") return p.pid.toString();
  if (name == "ppid") return p.ppid.toString();
  if (name == "pgid" || name == "pgrp") return p.pgid.toString();
  if (name == "gid") return p.gid.toString();
  if (name == "group") return names.group(p.gid);
  if (name == "pcpu" || name == "%cpu") { const elapsed = nowMs - p.startMs; return percent(<f64>p.cpuMs, <f64>elapsed); }
  if (name == "user") return names.user(p.uid);
  if (name == "uid") return p.uid.toString();
  if (name == "comm") return p.name;
  if (name == "args" || name == "cmd" || name == "command") return p.args;
  if (name == "stat" || name == "s" || name == "state") return p.state;
  if (name == "rss" || name == "vsz" || name == "vsize") return p.rssKb.toString();
  if (name == "time") return longTime(p.cpuMs);
  if (name == "etime") return shortTime(nowMs - p.startMs);
  if (name == "stime" || name == "start") return startText(p.startMs, nowMs);
  if (name == "tty") return "?";
  if (name == "ni" || name == "nice") return p.nice.toString();
  return "";
}

function header(name: string): string {
  if (name == "args" || name == "command" || name == "comm") return "COMMAND";
  if (name == "cmd") return "CMD";
  if (name == "vsize") return "VSZ";
  if (name == "state" || name == "s") return "S";
  if (name == "etime") return "ELAPSED";
  if (name == "tty") return "TT";
  if (name == "nice") return "NI";
  if (name == "pcpu") return "%CPU";
  if (name == "pgrp") return "PGID";
  return name.toUpperCase();
}

/** ps [-e] [-f] [-A] [aux] [-o COLUMN,...] */
export function psMain(args: string[]): i32 {
  let full = false;
  let bsd = false;
  let noHeaders = false;
  const columns = new Array<string>();
  /** Per column: its header ("pid=" gives none, "pid=ID" gives ID), or null for the usual one. */
  const headers = new Array<string | null>();
  const onlyPids = new Array<i32>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--no-headers" || a == "--no-heading") { noHeaders = true; continue; }
    if (a == "-p" || a == "p" || a == "--pid" || a.startsWith("--pid=") || (a.startsWith("-p") && a.length > 2)) {
      let list = "";
      if (a.startsWith("--pid=")) list = a.substring(6);
      else if (a.startsWith("-p") && a.length > 2) list = a.substring(2);
      else { if (i + 1 >= args.length) return usage("ps", "option requires an argument -- 'p'"); list = args[++i]; }
      const pids = list.replaceAll(" ", ",").split(",");
      for (let k = 0; k < pids.length; k++) {
        if (pids[k] == "") continue;
        const v = parseIntOr(pids[k], -1);
        if (v <= 0) return usage("ps", "process ID list syntax error");
        onlyPids.push(<i32>v);
      }
      continue;
    }
    if (a == "-o" || a == "o" || (a.startsWith("-o") && a.length > 2) || a.startsWith("--format=")) {
      let spec = "";
      if (a.startsWith("--format=")) spec = a.substring(9);
      else if (a.startsWith("-o") && a.length > 2) spec = a.substring(2);
      else { if (i + 1 >= args.length) return usage("ps", "option requires an argument -- 'o'"); spec = args[++i]; }
      // "pid,comm" or "pid=PID": a header after = takes the rest of the argument.
      const eq = spec.indexOf("=");
      const head = eq >= 0 ? spec.substring(0, eq) : spec;
      const list = head.split(",");
      for (let k = 0; k < list.length; k++) {
        if (list[k] == "") continue;
        columns.push(list[k].toLowerCase());
        headers.push(eq >= 0 && k == list.length - 1 ? spec.substring(eq + 1) : null);
      }
      continue;
    }
    const letters = a.startsWith("-") ? a.substring(1) : a;
    const dash = a.startsWith("-");
    for (let k = 0; k < letters.length; k++) {
      const c = letters.charAt(k);
      if (c == "e" || c == "A" || c == "a" || c == "x" || c == "w" || c == "l") continue;
      if (c == "f" && dash) { full = true; continue; }
      if (c == "u" && !dash) { bsd = true; continue; }
      return usage("ps", "unknown option -- '" + c + "'");
    }
  }
  const all = readProcs();
  if (all == null) { report("ps", "/proc", fs.lastError); return 1; }
  let procs = all!;
  if (onlyPids.length > 0) {
    const picked = new Array<ProcInfo>();
    for (let i = 0; i < procs.length; i++) if (onlyPids.includes(procs[i].pid)) picked.push(procs[i]);
    procs = picked;
  }
  // As procps: status 1 when no process was selected.
  const status = procs.length == 0 ? 1 : 0;
  const names = new UserNames();
  const nowMs = proc.nowNs() / 1000000;
  if (columns.length > 0) {
    const widths = new Array<i32>(columns.length);
    const rows = new Array<string[]>();
    const titles = new Array<string>(columns.length);
    let anyTitle = false;
    for (let c = 0; c < columns.length; c++) { const h = headers[c]; titles[c] = h != null ? h! : header(columns[c]); if (titles[c] != "") anyTitle = true; }
    for (let c = 0; c < columns.length; c++) widths[c] = titles[c].length;
    for (let i = 0; i < procs.length; i++) {
      const row = new Array<string>(columns.length);
      for (let c = 0; c < columns.length; c++) { row[c] = column(columns[c], procs[i], names, nowMs); if (row[c].length > widths[c]) widths[c] = row[c].length; }
      rows.push(row);
    }
    const numeric = (name: string): bool => name == "pid" || name == "ppid" || name == "pgid" || name == "pgrp" || name == "gid" || name == "pcpu" || name == "%cpu" || name == "uid" || name == "rss" || name == "vsz" || name == "vsize" || name == "time" || name == "etime" || name == "ni" || name == "nice";
    let line = "";
    for (let c = 0; c < columns.length; c++) {
      const h = titles[c];
      line += (c > 0 ? " " : "") + (c == columns.length - 1 ? h : numeric(columns[c]) ? right(h, widths[c]) : left(h, widths[c]));
    }
    // As procps: no header line when every column's header was emptied (-o pid=), or with --no-headers.
    if (anyTitle && !noHeaders) stdout.line(line);
    for (let i = 0; i < rows.length; i++) {
      line = "";
      for (let c = 0; c < columns.length; c++) {
        const v = rows[i][c];
        line += (c > 0 ? " " : "") + (c == columns.length - 1 ? v : numeric(columns[c]) ? right(v, widths[c]) : left(v, widths[c]));
      }
      stdout.line(line);
    }
    return status;
  }
  if (bsd) {
    const total = <f64>memTotalKb();
    if (!noHeaders) stdout.line("USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND");
    for (let i = 0; i < procs.length; i++) {
      const p = procs[i];
      const elapsed = nowMs - p.startMs;
      stdout.str(left(names.user(p.uid), 8)).byte(32).str(right(p.pid.toString(), 5)).byte(32)
        .str(right(percent(<f64>p.cpuMs, <f64>elapsed), 4)).byte(32).str(right(percent(<f64>p.rssKb, total), 4)).byte(32)
        .str(right(p.rssKb.toString(), 6)).byte(32).str(right(p.rssKb.toString(), 5)).byte(32).str(left("?", 8)).byte(32)
        .str(left(p.state, 4)).byte(32).str(right(startText(p.startMs, nowMs), 5)).byte(32).str(right(shortTime(p.cpuMs), 6)).byte(32).line(p.args);
    }
    return status;
  }
  if (full) {
    if (!noHeaders) stdout.line("UID        PID  PPID  C STIME TTY          TIME CMD");
    for (let i = 0; i < procs.length; i++) {
      const p = procs[i];
      const elapsed = nowMs - p.startMs;
      const c = elapsed > 0 ? p.cpuMs * 100 / elapsed : 0;
      stdout.str(left(names.user(p.uid), 8)).byte(32).str(right(p.pid.toString(), 5)).byte(32).str(right(p.ppid.toString(), 5)).byte(32)
        .str(right(c.toString(), 2)).byte(32).str(right(startText(p.startMs, nowMs), 5)).byte(32).str(left("?", 8)).byte(32)
        .str(right(longTime(p.cpuMs), 8)).byte(32).line(p.args);
    }
    return status;
  }
  if (!noHeaders) stdout.line("PID   USER     TIME  COMMAND");
  for (let i = 0; i < procs.length; i++) {
    const p = procs[i];
    let user = names.user(p.uid);
    if (user.length > 8) user = user.substring(0, 8);
    stdout.str(right(p.pid.toString(), 5)).byte(32).str(left(user, 8)).byte(32).str(right(shortTime(p.cpuMs), 5)).byte(32).line(p.args);
  }
  return status;
}

/** dmesg [-c] [-r] [-t] [-H]: the kernel's message ring from /proc/kmsg ("[seconds] text"); -t drops the times. */
export function dmesgMain(args: string[]): i32 {
  let noTimes = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-t" || a == "--notime") noTimes = true;
    else if (a == "-r" || a == "--raw" || a == "-H" || a == "--human" || a == "-x") continue;
    else return usage("dmesg", "invalid option -- '" + a + "'");
  }
  const data = fs.readFile("/proc/kmsg");
  if (data == null) { report("dmesg", "/proc/kmsg", fs.lastError); return 1; }
  if (!noTimes) { stdout.data(data); return 0; }
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length == 0) continue;
    const close = line.startsWith("[") ? line.indexOf("] ") : -1;
    stdout.line(close >= 0 ? line.substring(close + 2) : line);
  }
  return 0;
}
