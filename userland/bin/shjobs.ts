// The shell's jobs: the table of background and stopped jobs, foreground waits that notice ^Z,
// the terminal handed to a job and back, and the jobs, fg, bg and wait builtins (bash's messages).

import { stdout, stderr, warn } from "../lib/io";
import { wait, waitedPid, waitedStatus, kill, sigpending, getpgid, tcsetpgrp } from "../lib/proc";
import { EINTR, ECHILD } from "../lib/errno";
import { parseIntOr } from "../lib/opts";
import { killMain } from "./system";
import { WAIT_NOHANG, WAIT_UNTRACED, WAIT_CONTINUED, SIGCONT, SIGINT, SIGPIPE, SIGTSTP } from "../lib/wasmbox";

/** A job: one pipeline's processes in one process group. */
export class Job {
  id: i32 = 0;
  /** Wait status of each process; -1 while it runs. */
  statuses: i32[];
  stopped: bool = false;
  /** Whether its end has been reported (or it was a foreground job that ended). */
  reported: bool = false;
  constructor(public pgid: i32, public pids: i32[], public text: string) {
    this.statuses = new Array<i32>(pids.length).fill(-1);
  }
  done(): bool {
    for (let i = 0; i < this.statuses.length; i++) if (this.statuses[i] < 0) return false;
    return true;
  }
  /** The status of the job's last process, as POSIX wait encodes it. */
  lastStatus(): i32 { return this.statuses[this.statuses.length - 1]; }
}

/** Jobs still known: running in the background, stopped, or ended and not yet reported. */
const table = new Array<Job>();
/** The current job (%+, %%) and the previous one (%-), by id; 0 when none. */
let currentId = 0;
let previousId = 0;
/** Whether this shell does job control (interactive, on a terminal). */
let monitor = false;
/** The shell's own process group, which gets the terminal back after each foreground job. */
let shellPgid = 0;
/** Set when a foreground job was ended by ^C: the rest of the command line is dropped, as in dash and bash. */
export let interruptedByUser = false;

export function clearInterrupted(): void { interruptedByUser = false; }

/** Caught signals taken from the kernel while waiting, kept for the shell's traps. */
let stashed: u32 = 0;
/** Takes the kernel's pending signals into the stash (a wait said EINTR: they must not make it spin). */
export function stashSignals(): void { stashed |= sigpending(); }
/** The caught signals not yet handled (stashed or pending); taking them clears them. */
export function takeSignals(): u32 {
  const mask = stashed | sigpending();
  stashed = 0;
  return mask;
}

/** Turns job control on: the shell then hands the terminal to each foreground job. */
export function enableJobControl(): void {
  monitor = true;
  shellPgid = getpgid(0);
  tcsetpgrp(0, shellPgid);
}

export function jobControl(): bool { return monitor; }

/** Shell exit status of a POSIX wait status: the code, 128 + signal, or 128 + the stop signal. */
export function shellStatus(status: i32): i32 {
  if ((status & 0xff) == 0x7f) return 128 + ((status >> 8) & 0xff);
  return (status & 0x7f) != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
}

function signalName(sig: i32): string {
  if (sig == 1) return "Hangup";
  if (sig == 2) return "Interrupt";
  if (sig == 3) return "Quit";
  if (sig == 6) return "Aborted";
  if (sig == 9) return "Killed";
  if (sig == 13) return "Broken pipe";
  if (sig == 14) return "Alarm clock";
  if (sig == 15) return "Terminated";
  if (sig == 19 || sig == 20 || sig == 21 || sig == 22) return "Stopped";
  return "Signal " + sig.toString();
}

/** A job's state as `jobs` shows it: Running, Stopped, Done, Exit N, or the signal's name. */
function stateText(job: Job): string {
  if (job.stopped) return "Stopped";
  if (!job.done()) return "Running";
  const status = job.lastStatus();
  if ((status & 0x7f) != 0) return signalName(status & 0x7f);
  const code = (status >> 8) & 0xff;
  return code == 0 ? "Done" : "Exit " + code.toString();
}

/** "[1]+  Stopped                 sleep 100", as bash prints it. */
function jobLine(job: Job, withPid: bool): string {
  const mark = job.id == currentId ? "+" : job.id == previousId ? "-" : " ";
  let stateField = stateText(job);
  while (stateField.length < 24) stateField += " ";
  const pid = withPid ? job.pgid.toString() + " " : "";
  return "[" + job.id.toString() + "]" + mark + "  " + pid + stateField + job.text + (!job.done() && !job.stopped ? " &" : "");
}

function makeCurrent(job: Job): void {
  if (currentId == job.id) return;
  previousId = currentId;
  currentId = job.id;
}

function forget(job: Job): void {
  const at = table.indexOf(job);
  if (at >= 0) table.splice(at, 1);
  if (currentId == job.id) { currentId = previousId; previousId = 0; }
  else if (previousId == job.id) previousId = 0;
  if (currentId == 0 && table.length > 0) currentId = table[table.length - 1].id;
  if (previousId == currentId) previousId = 0;
}

function addJob(job: Job): void {
  if (table.indexOf(job) >= 0) return;
  let id = 1;
  for (let i = 0; i < table.length; i++) if (table[i].id >= id) id = table[i].id + 1;
  job.id = id;
  table.push(job);
  makeCurrent(job);
}

/** Records a wait result in whichever job holds the pid; returns that job or null. */
function record(pid: i32, status: i32): Job | null {
  for (let j = 0; j < table.length; j++) {
    const job = table[j];
    for (let i = 0; i < job.pids.length; i++) {
      if (job.pids[i] != pid) continue;
      if ((status & 0xff) == 0x7f) job.stopped = true;
      else if (status == 0xffff) job.stopped = false;
      else job.statuses[i] = status;
      return job;
    }
  }
  return null;
}

/** Starts tracking a background job and says so ("[1] 42") when interactive. */
export function startJob(pgid: i32, pids: i32[], text: string): Job {
  const job = new Job(pgid, pids, text);
  addJob(job);
  if (monitor) stderr.str("[").str(job.id.toString()).str("] ").str(pids[pids.length - 1].toString()).byte(10).flush();
  return job;
}

/**
 * Waits for a foreground job (given the terminal under job control). Returns its shell status
 * (the last process's, or the last failing one's with pipefail); a stopped job goes to the table.
 */
export function waitForeground(job: Job, pipefail: bool): i32 {
  const handOver = monitor && job.pgid != shellPgid;
  if (handOver) tcsetpgrp(0, job.pgid);
  const options = monitor ? WAIT_UNTRACED : 0;
  for (let i = 0; i < job.pids.length && !job.stopped; i++) {
    while (job.statuses[i] < 0 && !job.stopped) {
      const err = wait(job.pids[i], options);
      if (err == EINTR) { stashSignals(); continue; }
      if (err != 0) { job.statuses[i] = 127 << 8; break; }
      if ((waitedStatus & 0xff) == 0x7f) job.stopped = true;
      else if (waitedStatus != 0xffff) job.statuses[i] = waitedStatus;
    }
  }
  if (handOver) tcsetpgrp(0, shellPgid);
  if (job.stopped) {
    addJob(job);
    stdout.flush();
    stderr.byte(10).str(jobLine(job, false)).byte(10).flush();
    return 128 + SIGTSTP;
  }
  forget(job);
  let status = shellStatus(job.lastStatus());
  if (pipefail) for (let i = 0; i < job.statuses.length; i++) if (job.statuses[i] != 0) status = shellStatus(job.statuses[i]);
  const sig = job.lastStatus() & 0x7f;
  if (sig == 0 || sig == 0x7f || sig == SIGPIPE) return status;
  // As dash, interactive or not: a command a signal ended is reported by the signal's name (^C's
  // only by the newline an interactive shell gives it).
  if (sig != SIGINT) { stdout.flush(); stderr.str(signalName(sig)).byte(10).flush(); }
  else if (monitor) { interruptedByUser = true; stdout.byte(10).flush(); }
  return status;
}

/** Collects ended and stopped background jobs without waiting; reports them when interactive (before a prompt). */
export function reapJobs(report: bool): void {
  for (;;) {
    const err = wait(-1, WAIT_NOHANG | (monitor ? WAIT_UNTRACED | WAIT_CONTINUED : 0));
    if (err == EINTR) { stashSignals(); continue; }
    if (err != 0 || waitedPid == 0) break;
    const job = record(waitedPid, waitedStatus);
    if (job != null && job.stopped) job.reported = false;
  }
  if (!report) return;
  for (let j = 0; j < table.length; j++) {
    const job = table[j];
    if (job.done()) {
      stderr.str(jobLine(job, false)).byte(10);
      forget(job);
      j--;
    }
  }
  stderr.flush();
}

/** A job by jobspec (%N, %+, %%, %-, %string, or a pid); null after an error naming it. */
function findJob(spec: string, builtin: string): Job | null {
  if (table.length == 0) { warn("sh", builtin + ": " + (spec == "" ? "current" : spec) + ": no such job"); return null; }
  let id = currentId;
  if (spec == "" || spec == "%" || spec == "%%" || spec == "%+") id = currentId;
  else if (spec == "%-") id = previousId;
  else if (spec.startsWith("%")) {
    const n = <i32>parseIntOr(spec.substring(1), -1);
    if (n >= 0) id = n;
    else {
      for (let j = table.length - 1; j >= 0; j--) if (table[j].text.startsWith(spec.substring(1))) return table[j];
      id = -1;
    }
  } else {
    const pid = <i32>parseIntOr(spec, -1);
    for (let j = 0; j < table.length; j++) if (table[j].pids.indexOf(pid) >= 0) return table[j];
    id = -1;
  }
  for (let j = 0; j < table.length; j++) if (table[j].id == id) return table[j];
  warn("sh", builtin + ": " + spec + ": no such job");
  return null;
}

/**
 * kill [-s SIG | -SIG] PID|JOB...: the kill utility's, with job specs (%N, %+, %-, %name) sent to
 * the job's process group as bash's builtin does; a stopped job is continued to receive it.
 */
export function killBuiltin(args: string[]): i32 {
  const operands = new Array<string>();
  const stoppedJobs = new Array<Job>();
  let missing = false;
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith("%")) { operands.push(args[i]); continue; }
    const job = findJob(args[i], "kill");
    if (job == null) { missing = true; continue; }
    // A first operand that is a group must not read as an option.
    if (operands.length == 0) operands.push("--");
    operands.push("-" + job.pgid.toString());
    if (job.stopped) stoppedJobs.push(job);
  }
  if (missing && operands.length == 0) return 1;
  const status = killMain(operands);
  for (let i = 0; i < stoppedJobs.length; i++) kill(-stoppedJobs[i].pgid, SIGCONT);
  return missing ? 1 : status;
}

/** jobs [-l | -p]: the job table. */
export function jobsBuiltin(args: string[]): i32 {
  let pids = false;
  let long = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] == "-p") pids = true;
    else if (args[i] == "-l") long = true;
  }
  reapJobs(false);
  for (let j = 0; j < table.length; j++) {
    const job = table[j];
    if (pids) stdout.line(job.pgid.toString());
    else stdout.line(jobLine(job, long));
  }
  // Ended jobs are reported once, here as at a prompt.
  for (let j = 0; j < table.length; j++) if (table[j].done()) { forget(table[j]); j--; }
  return 0;
}

/** fg [JOB]: continues a job in the foreground and waits for it. */
export function fgBuiltin(args: string[]): i32 {
  if (!monitor) { warn("sh", "fg: no job control"); return 1; }
  const job = findJob(args.length > 0 ? args[0] : "", "fg");
  if (job == null) return 1;
  stdout.line(job.text).flush();
  job.stopped = false;
  job.reported = false;
  makeCurrent(job);
  tcsetpgrp(0, job.pgid);
  kill(-job.pgid, SIGCONT);
  return waitForeground(job, false);
}

/** bg [JOB]...: continues stopped jobs in the background. */
export function bgBuiltin(args: string[]): i32 {
  if (!monitor) { warn("sh", "bg: no job control"); return 1; }
  const specs = args.length > 0 ? args : [""];
  let status = 0;
  for (let i = 0; i < specs.length; i++) {
    const job = findJob(specs[i], "bg");
    if (job == null) { status = 1; continue; }
    job.stopped = false;
    kill(-job.pgid, SIGCONT);
    stdout.line("[" + job.id.toString() + "]" + (job.id == currentId ? "+" : " ") + " " + job.text + " &");
  }
  return status;
}

/** wait [JOB|PID]...: waits for background jobs (all of them without operands); the last one's status. */
export function waitBuiltin(args: string[]): i32 {
  if (args.length == 0) {
    for (let j = 0; j < table.length; j++) {
      const job = table[j];
      if (!waitJob(job)) return 128 + SIGINT;
    }
    for (let j = 0; j < table.length; j++) if (table[j].done()) { forget(table[j]); j--; }
    return 0;
  }
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith("%")) {
      const job = findJob(args[i], "wait");
      if (job == null) { status = 127; continue; }
      if (!waitJob(job)) return 128 + SIGINT;
      status = shellStatus(job.lastStatus());
      forget(job);
      continue;
    }
    const pid = <i32>parseIntOr(args[i], -1);
    let job: Job | null = null;
    for (let j = 0; j < table.length; j++) if (table[j].pids.indexOf(pid) >= 0) job = table[j];
    if (job == null) {
      // Not a known job: an ended child already collected, or no child at all (127).
      const err = waitPid(pid);
      status = err < 0 ? 127 : shellStatus(err);
      continue;
    }
    const at = job.pids.indexOf(pid);
    if (!waitJob(job)) return 128 + SIGINT;
    status = shellStatus(job.statuses[at]);
    if (job.done()) forget(job);
  }
  return status;
}

/** Waits until a job has ended (not stopped); false when a caught signal interrupted the wait. */
function waitJob(job: Job): bool {
  for (let i = 0; i < job.pids.length; i++) {
    while (job.statuses[i] < 0) {
      const err = wait(job.pids[i], 0);
      if (err == EINTR) { stashSignals(); if (stashed & (1 << SIGINT)) return false; continue; }
      if (err != 0) { job.statuses[i] = err == ECHILD ? 127 << 8 : 1 << 8; break; }
      record(waitedPid, waitedStatus);
    }
  }
  return true;
}

/** Waits for one child pid outside the table; its wait status, or -1. */
function waitPid(pid: i32): i32 {
  for (;;) {
    const err = wait(pid, 0);
    if (err == EINTR) { stashSignals(); continue; }
    return err == 0 ? waitedStatus : -1;
  }
}
