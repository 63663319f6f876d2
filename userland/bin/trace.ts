// trace: strace for wasmbox. Runs a command with the kernel recording its syscalls (proc_trace) and
// prints them as strace does: filters (-e), follow children (-f), times (-t -tt -ttt -r -T), a summary (-c).

import { Writer, Reader } from "../lib/io";
import { usage } from "../lib/cmd";
import * as fs from "../lib/fs";
import * as proc from "../lib/proc";
import * as k from "../lib/wasmbox";
import { strerror, EINTR } from "../lib/errno";
import { civil, which } from "./system";

const USAGE = "usage: trace [-cCfqTrtz] [-Z] [-e trace=CALLS] [-o FILE] [-s STRSIZE] COMMAND [ARG]...";

const SIGNAL_NAMES = ["", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"];

function signalName(sig: i32): string {
  return sig > 0 && sig < SIGNAL_NAMES.length ? "SIG" + SIGNAL_NAMES[sig] : "signal " + sig.toString();
}

/** What the command line asked for. */
class TraceConfig {
  follow: bool = false;
  summaryOnly: bool = false;
  summaryToo: bool = false;
  /** 0: none; 1: -t; 2: -tt; 3: -ttt. */
  stamps: i32 = 0;
  relative: bool = false;
  spent: bool = false;
  quiet: i32 = 0;
  failedOnly: bool = false;
  succeededOnly: bool = false;
  strsize: i32 = 32;
  output: string = "";
  /** Calls to show (empty: all), or to hide when negated. */
  calls: Set<string> = new Set<string>();
  negated: bool = false;
  /** Classes named with %: file, desc, process, network, signal, clock. */
  classes: Set<string> = new Set<string>();
  command: string[] = [];
  error: string = "";
}

/** The class of a call, as strace groups them for -e trace=%CLASS. */
function inClass(name: string, cls: string): bool {
  if (cls == "file") return name.startsWith("path_");
  if (cls == "desc") return name.startsWith("fd_") || name == "poll_oneoff";
  if (cls == "process") return name.startsWith("proc_") && name != "proc_sigaction" && name != "proc_sigpending" && name != "proc_signal" && name != "proc_raise";
  if (cls == "network") return name.startsWith("sock_");
  if (cls == "signal") return name == "proc_signal" || name == "proc_sigaction" || name == "proc_sigpending" || name == "proc_raise";
  if (cls == "clock") return name.startsWith("clock_") || name == "poll_oneoff";
  if (cls == "tty") return name.startsWith("tty_");
  return false;
}

const CLASSES = ["file", "desc", "process", "network", "signal", "clock", "tty"];

function parseFilter(cfg: TraceConfig, spec: string): void {
  let list = spec;
  if (list.startsWith("trace=")) list = list.substring(6);
  else if (list.indexOf("=") >= 0) {
    const key = list.substring(0, list.indexOf("="));
    if (key == "status") {
      const v = list.substring(7);
      if (v == "failed") cfg.failedOnly = true;
      else if (v == "successful") cfg.succeededOnly = true;
      else if (v != "all") cfg.error = "invalid -e status value '" + v + "'";
      return;
    }
    cfg.error = "invalid -e qualifier '" + key + "' (trace= and status= are supported)";
    return;
  }
  if (list.startsWith("!")) { cfg.negated = true; list = list.substring(1); }
  if (list == "all") { cfg.negated = !cfg.negated; return; }
  const names = list.split(",");
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name.startsWith("%")) {
      const cls = name.substring(1);
      if (!CLASSES.includes(cls)) { cfg.error = "invalid system call class '" + name + "'"; return; }
      cfg.classes.add(cls);
    } else if (name != "") cfg.calls.add(name);
  }
}

function parseArgs(args: string[]): TraceConfig {
  const cfg = new TraceConfig();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a == "--") { i++; break; }
    if (!a.startsWith("-") || a == "-") break;
    if (a == "--help" || a == "-h") { cfg.error = "help"; return cfg; }
    if (a.startsWith("--")) { cfg.error = "unrecognized option '" + a + "'"; return cfg; }
    for (let j = 1; j < a.length; j++) {
      const c = a.charAt(j);
      if (c == "f") cfg.follow = true;
      else if (c == "c") cfg.summaryOnly = true;
      else if (c == "C") cfg.summaryToo = true;
      else if (c == "t") cfg.stamps = min(cfg.stamps + 1, 3);
      else if (c == "r") cfg.relative = true;
      else if (c == "T") cfg.spent = true;
      else if (c == "q") cfg.quiet++;
      else if (c == "Z") cfg.failedOnly = true;
      else if (c == "z") cfg.succeededOnly = true;
      else if (c == "e" || c == "o" || c == "s" || c == "p") {
        let value = a.substring(j + 1);
        if (value == "") {
          if (i + 1 >= args.length) { cfg.error = "option requires an argument -- '" + c + "'"; return cfg; }
          value = args[++i];
        }
        if (c == "e") parseFilter(cfg, value);
        else if (c == "o") cfg.output = value;
        else if (c == "s") {
          const n = I32.parseInt(value);
          if (n < 0 || value == "" || isNaN(<f64>n)) { cfg.error = "invalid -s argument '" + value + "'"; return cfg; }
          cfg.strsize = min(n, k.TRACE_STRSIZE_MAX);
        } else cfg.error = "-p: attaching to a running process is not supported; trace starts COMMAND itself";
        if (cfg.error != "") return cfg;
        break;
      } else { cfg.error = "invalid option -- '" + c + "'"; return cfg; }
    }
  }
  cfg.command = args.slice(i);
  if (cfg.error == "" && cfg.command.length == 0) cfg.error = "must have COMMAND to run";
  return cfg;
}

/** One record of the kernel's trace stream (see proc_trace in wasmbox-abi.ts). */
class TraceRecord {
  pid: i32 = 0;
  startUs: i64 = 0;
  spentUs: i64 = 0;
  name: string = "";
  args: string = "";
  status: string = "";
  value: string = "";
}

function parseRecord(line: string): TraceRecord | null {
  const f = line.split("\t");
  if (f.length < 7) return null;
  const r = new TraceRecord();
  r.pid = I32.parseInt(f[0]);
  r.startUs = I64.parseInt(f[1]);
  r.spentUs = I64.parseInt(f[2]);
  r.name = f[3];
  r.args = f[4];
  r.status = f[5];
  r.value = f[6];
  return r;
}

/** Per-call totals for -c. */
class CallStats {
  calls: i64 = 0;
  errors: i64 = 0;
  us: i64 = 0;
  constructor(public name: string) {}
}

function padLeft(s: string, width: i32): string {
  let out = s;
  while (out.length < width) out = " " + out;
  return out;
}

function zeros(v: i64, width: i32): string {
  let s = v.toString();
  while (s.length < width) s = "0" + s;
  return s;
}

/** v with `decimals` digits after the point (v >= 0). */
function fixed(v: f64, decimals: i32): string {
  const scale = Math.pow(10, decimals);
  const n = <i64>Math.round(v * scale);
  const whole = n / <i64>scale;
  if (decimals == 0) return whole.toString();
  return whole.toString() + "." + zeros(n % <i64>scale, decimals);
}

class Tracer {
  out: Writer;
  stats: Map<string, CallStats> = new Map<string, CallStats>();
  order: string[] = [];
  /** A blocked call printed without its end: its pid (0: none). */
  openPid: i32 = 0;
  openName: string = "";
  /** A blocked call not printed yet (printed when the stream pauses or another record comes). */
  held: TraceRecord | null = null;
  /** Pids whose call is unfinished on screen, to the call's name. */
  unfinished: Map<i32, string> = new Map<i32, string>();
  lastUs: i64 = 0;
  firstPid: i32 = 0;

  constructor(public cfg: TraceConfig, fd: i32) { this.out = new Writer(fd); }

  selected(r: TraceRecord): bool {
    const cfg = this.cfg;
    if (cfg.calls.size == 0 && cfg.classes.size == 0) return !cfg.negated;
    let hit = cfg.calls.has(r.name);
    if (!hit) {
      const classes = cfg.classes.values();
      for (let i = 0; i < classes.length; i++) if (inClass(r.name, classes[i])) { hit = true; break; }
    }
    return hit != cfg.negated;
  }

  prefix(r: TraceRecord): void {
    const cfg = this.cfg;
    if (cfg.follow) this.out.str("[pid ").str(padLeft(r.pid.toString(), 5)).str("] ");
    if (cfg.stamps > 0) {
      const secs = r.startUs / 1000000;
      const us = r.startUs % 1000000;
      if (cfg.stamps == 3) this.out.str(secs.toString()).str(".").str(zeros(us, 6));
      else {
        const t = civil(secs);
        this.out.str(zeros(t[3], 2)).str(":").str(zeros(t[4], 2)).str(":").str(zeros(t[5], 2));
        if (cfg.stamps == 2) this.out.str(".").str(zeros(us, 6));
      }
      this.out.byte(32);
    }
    if (cfg.relative) {
      const delta = this.lastUs == 0 ? 0 : r.startUs - this.lastUs;
      this.lastUs = r.startUs;
      this.out.str(padLeft(fixed(<f64>delta / 1e6, 6), 10)).byte(32);
    }
  }

  /** "= 3", "= -1 ENOENT (No such file or directory)", "= ?" and -T's "<0.000012>". */
  result(r: TraceRecord): void {
    const out = this.out;
    if (r.status == "0") out.str(" = ").str(r.value == "" ? "0" : r.value);
    else if (r.status == "exit" || r.status == "killed") out.str(" = ?");
    else if (r.status == "error") out.str(" = ? (").str(r.value).str(")");
    else out.str(" = -1 ").str(r.value).str(" (").str(strerror(I32.parseInt(r.status))).str(")");
    if (this.cfg.spent) out.str(" <").str(fixed(<f64>r.spentUs / 1e6, 6)).str(">");
    out.byte(10);
  }

  closeOpen(): void {
    if (this.openPid != 0) {
      this.out.line(" <unfinished ...>");
      this.unfinished.set(this.openPid, this.openName);
      this.openPid = 0;
    }
  }

  /** Prints a held blocked call as an open line ("read(0, "), to be ended by its completion. */
  showHeld(): void {
    const r = this.held;
    if (r == null) return;
    this.held = null;
    this.closeOpen();
    this.prefix(r);
    this.out.str(r.name).str("(").str(r.args);
    this.openPid = r.pid;
    this.openName = r.name;
  }

  count(r: TraceRecord): void {
    if (!this.stats.has(r.name)) { this.stats.set(r.name, new CallStats(r.name)); this.order.push(r.name); }
    const s = this.stats.get(r.name);
    s.calls++;
    s.us += r.spentUs;
    if (r.status != "0" && r.status != "exit" && r.status != "killed") s.errors++;
  }

  take(r: TraceRecord): void {
    if (this.firstPid == 0) this.firstPid = r.pid;
    const cfg = this.cfg;
    const printing = !cfg.summaryOnly;
    if (r.name == "+++") {
      const held = this.held;
      if (held != null && held.pid == r.pid) this.showHeld();
      if (this.openPid == r.pid) { this.out.line(") = ?"); this.openPid = 0; }
      if (!printing || cfg.quiet >= 2) return;
      this.showHeld();
      this.closeOpen();
      this.prefix(r);
      if (r.status == "killed") this.out.str("+++ killed by ").str(signalName(I32.parseInt(r.value))).line(" +++");
      else this.out.str("+++ exited with ").str(r.value).line(" +++");
      return;
    }
    if (r.name == "+lost") {
      this.showHeld();
      this.closeOpen();
      this.out.str("trace: ").str(r.value).line(" records lost (the output was too slow)");
      return;
    }
    if (!this.selected(r)) return;
    const ok = r.status == "0";
    if (r.status == "blocked") {
      if (!printing || cfg.failedOnly || cfg.succeededOnly) return;
      this.showHeld();
      this.held = r;
      return;
    }
    if (cfg.summaryOnly || cfg.summaryToo) this.count(r);
    const held = this.held;
    if (held != null && held.pid == r.pid && held.name == r.name) {
      // Its own completion came before anything else: one whole line.
      this.held = null;
    } else {
      this.showHeld();
    }
    if (!printing) return;
    const failed = !ok && r.status != "exit" && r.status != "killed";
    if ((cfg.failedOnly && !failed) || (cfg.succeededOnly && !ok)) return;
    if (this.openPid == r.pid && this.openName == r.name) {
      this.openPid = 0;
      this.result(r);
      return;
    }
    this.closeOpen();
    this.prefix(r);
    if (this.unfinished.has(r.pid) && this.unfinished.get(r.pid) == r.name) {
      this.unfinished.delete(r.pid);
      this.out.str("<... ").str(r.name).str(" resumed>)");
    } else {
      this.out.str(r.name).str("(").str(r.args).str(")");
    }
    this.result(r);
  }

  /** The stream has nothing more for now: a held blocked call shows as an open line. */
  pause(): void {
    this.showHeld();
    this.out.flush();
  }

  summary(): void {
    const out = this.out;
    this.showHeld();
    this.closeOpen();
    let totalUs: i64 = 0;
    let totalCalls: i64 = 0;
    let totalErrors: i64 = 0;
    const list = new Array<CallStats>();
    for (let i = 0; i < this.order.length; i++) {
      const s = this.stats.get(this.order[i]);
      list.push(s);
      totalUs += s.us;
      totalCalls += s.calls;
      totalErrors += s.errors;
    }
    list.sort((a, b) => a.us != b.us ? (a.us > b.us ? -1 : 1) : (a.calls != b.calls ? (a.calls > b.calls ? -1 : 1) : a.name.localeCompare(b.name)));
    out.line("% time     seconds  usecs/call     calls    errors syscall");
    const rule = "------ ----------- ----------- --------- --------- ----------------";
    out.line(rule);
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      const share = totalUs > 0 ? <f64>s.us * 100 / <f64>totalUs : 0;
      this.row(fixed(share, 2), s.us, s.calls > 0 ? s.us / s.calls : 0, s.calls, s.errors, s.name);
    }
    out.line(rule);
    this.row("100.00", totalUs, totalCalls > 0 ? totalUs / totalCalls : 0, totalCalls, totalErrors, "total");
  }

  private row(share: string, us: i64, perCall: i64, calls: i64, errors: i64, name: string): void {
    this.out.str(padLeft(share, 6)).byte(32).str(padLeft(fixed(<f64>us / 1e6, 6), 11)).byte(32).str(padLeft(perCall.toString(), 11)).byte(32)
      .str(padLeft(calls.toString(), 9)).byte(32).str(padLeft(errors > 0 ? errors.toString() : "", 9)).byte(32).line(name);
  }
}

/** trace [-cCfqrTtzZ] [-e EXPR] [-o FILE] [-s STRSIZE] COMMAND [ARG]... */
export function traceMain(args: string[]): i32 {
  const cfg = parseArgs(args);
  if (cfg.error == "help") {
    const w = new Writer(1);
    w.line(USAGE);
    w.line("  -f  follow children   -c  summary only   -C  summary too   -o FILE  write the trace to FILE");
    w.line("  -e trace=CALL,...|%file|%desc|%process|%network|%signal|%clock|%tty (! negates); -e status=failed|successful");
    w.line("  -t/-tt/-ttt  time of day   -r  relative times   -T  time spent   -s N  string size (32)");
    w.line("  -Z  failed calls only   -z  successful calls only   -q  quieter (-qq: no exit lines)");
    w.flush();
    return 0;
  }
  if (cfg.error != "") return usage("trace", cfg.error + "\n" + USAGE, 1);
  let outFd = 2;
  if (cfg.output != "") {
    outFd = fs.create(cfg.output);
    if (outFd < 0) return usage("trace", "can't open '" + cfg.output + "': " + strerror(fs.lastError), 1);
  }
  const path = which(cfg.command[0]);
  if (path == "") return usage("trace", "can't stat '" + cfg.command[0] + "': No such file or directory", 1);
  let err = proc.pipe();
  if (err != 0) return usage("trace", "pipe: " + strerror(err), 1);
  const readEnd = proc.pipeRead;
  const writeEnd = proc.pipeWrite;
  err = k.proc_trace(writeEnd, cfg.follow ? k.TRACE_FOLLOW : 0, <u32>cfg.strsize);
  if (err != 0) return usage("trace", "proc_trace: " + strerror(err), 1);
  const pid = proc.spawn(path, cfg.command, null, fs.getcwd(), []);
  k.proc_trace(-1, 0, 0);
  fs.close(writeEnd);
  if (pid < 0) { fs.close(readEnd); return usage("trace", "can't run '" + cfg.command[0] + "': " + strerror(-pid), 1); }
  const tracer = new Tracer(cfg, outFd);
  const reader = new Reader(readEnd);
  while (reader.nextLine()) {
    const r = parseRecord(reader.lineString());
    if (r != null) tracer.take(r);
    if (reader.start == reader.end) tracer.pause();
  }
  fs.close(readEnd);
  if (cfg.summaryOnly || cfg.summaryToo) tracer.summary();
  tracer.pause();
  let w = proc.wait(pid);
  while (w == EINTR) w = proc.wait(pid);
  const status = proc.waitedStatus;
  if ((status & 0x7f) != 0) return 128 + (status & 0x7f);
  return (status >> 8) & 0xff;
}
