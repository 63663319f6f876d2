// sh: a POSIX shell (dash's behaviour). No fork: programs start with proc_spawn and an fd map; builtins in
// pipelines, "&", ( ) and $( ) run in a child "sh -c TEXT" given the functions, aliases, options, $$ and $?.

import { Parser, Node, Redir, isAssignment, N_LIST, N_ANDOR, N_PIPE, N_SIMPLE, N_IF, N_WHILE, N_UNTIL, N_FOR, N_GROUP, N_SUBSHELL, N_FUNCDEF, N_CASE, isName } from "./shparse";
import { state, expandWord, expandWordInto, expandString, expandHereDoc, expandAssignmentValue, expandPattern, ShellOptions, OPTION_LETTERS, OPTION_NAMES, setOption, getOption, optionFlags, expandError, clearExpandError, setCommandSubstitution, getVar, lineNumber } from "./shexpand";
import { editLine, setCompletionPath } from "./lineedit";
import { Job, killBuiltin, startJob, waitForeground, reapJobs, enableJobControl, jobsBuiltin, fgBuiltin, bgBuiltin, waitBuiltin, interruptedByUser, clearInterrupted, takeSignals, stashSignals } from "./shjobs";
import { printfBuiltin } from "./printf";
import { testEvaluate, testError } from "./test";
import { stdout, stderr, readLineUnbuffered, readSome, ByteBuf, warn, writeAll, Writer } from "../lib/io";
import { environ, unsetenv } from "../lib/env";
import { open, create, close, stat, modeOf, chdir, getcwd, readFile, writeFile, unlink, lastError, fdType } from "../lib/fs";
import { spawn, pipe, pipeRead, pipeWrite, kill as killProcess, getpid, getppid, getpgid, setpgid, sigaction, winsize, windowRows, windowCols } from "../lib/proc";
import { replaceAll } from "../lib/strings";
import { strerror, ENOENT, ENOEXEC, ESRCH } from "../lib/errno";
import { fnmatch, join } from "../lib/path";
import { O_CREAT } from "../lib/wasi";
import { tty_mode, TTY_RAW, TTY_COOKED, SPAWN_NEW_PGROUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIG_CATCH, SIG_IGN, SIG_DFL } from "../lib/wasmbox";
import { parseIntOr } from "../lib/opts";
import { timesBuiltin, umaskBuiltin, ulimitBuiltin } from "./shlimits";
import { plainDecimal, NOT_PLAIN } from "./sharith";

const SHELL_PATH = "/bin/sh";
/** Redirectable fds 0-99, as the lexer reads an io number of up to two digits (bash also allows above 9). */
const FD_SLOTS = 100;
/** Here-documents smaller than this go through a pipe (the kernel's pipes hold 64 KiB). */
const HEREDOC_PIPE_MAX = 60000;
let heredocCount = 0;

/** The shell's view of fds 0-9: which real fd each one is, or -1 when closed. */
let fdCtx = new StaticArray<i32>(FD_SLOTS);
let exitRequested = false;
let exitCode = 0;
let breakLevels = 0;
let continueLevels = 0;
let returning = false;
let interactive = false;
const functions = new Map<string, Node>();
/** Each function's definition as source text: child shells (pipelines, $( ), subshells) get them. */
const functionTexts = new Map<string, string>();
/** The line each function's definition starts on, so that a child shell numbers its lines the same. */
const functionLines = new Map<string, i32>();

/** What errors are signed with outside an interactive shell (dash's way): the script, -c's NAME, or "sh". */
let errorName = "sh";

/**
 * An error message: "NAME: LINE: message" while a script or -c text runs, as dash; "sh: message" at
 * the prompt. Inside eval or a `.` file (outside the builtins they run) it says so: "NAME: LINE: eval: message".
 */
function error(message: string): void {
  const context = state.commandName.length > 0 ? state.commandName + ": " : "";
  if (interactive || state.source == "") warn("sh", context + message);
  else warn(errorName, lineNumber() + ": " + context + message);
}

/** A message of the printf builtin, with the shell's name and line as dash has them. */
function printfError(message: string): void { error("printf: " + message); }

function copyCtx(): StaticArray<i32> {
  const c = new StaticArray<i32>(FD_SLOTS);
  for (let i = 0; i < FD_SLOTS; i++) c[i] = fdCtx[i];
  return c;
}

/** The environment for children: every exported variable, or every variable for child shells. */
function childEnv(all: bool, extra: string[]): string[] {
  const out = new Array<string>();
  const names = state.vars.keys();
  for (let i = 0; i < names.length; i++) {
    if (all || state.exported.has(names[i])) out.push(names[i] + "=" + state.vars.get(names[i]));
  }
  for (let i = 0; i < extra.length; i++) out.push(extra[i]);
  return out;
}

function fdMap(ctx: StaticArray<i32>): i32[] {
  const map = new Array<i32>();
  for (let i = 0; i < FD_SLOTS; i++) if (ctx[i] >= 0) { map.push(i); map.push(ctx[i]); }
  return map;
}

/** Applies redirections to ctx; returns the fds it opened (to close later), or null after an error. */
function applyRedirs(redirs: Redir[], ctx: StaticArray<i32>): i32[] | null {
  const opened = new Array<i32>();
  for (let i = 0; i < redirs.length; i++) {
    const r = redirs[i];
    if (r.heredoc != null) {
      const doc = r.heredoc!;
      state.wordLine = doc.line;
      const fd = heredocFd(doc.quoted ? doc.body : expandHereDoc(doc.body));
      if (fd < 0) return closeAll(opened);
      opened.push(fd);
      ctx[r.fd] = fd;
      continue;
    }
    clearExpandError();
    const target = expandString(r.target);
    if (expandError != "") { error(expandError); exitStatusForError(); return closeAll(opened); }
    if (r.fd >= FD_SLOTS) { error(r.fd.toString() + ": Bad file descriptor"); return closeAll(opened); }
    if (r.op == ">&" || r.op == "<&") {
      if (target == "-") { ctx[r.fd] = -1; continue; }
      if (!isDigits(target)) { error("Syntax error: Bad fd number"); exitStatusForError(); return closeAll(opened); }
      const from = <i32>parseIntOr(target, -1);
      // n>&n changes nothing, even for a closed n (dash).
      if (from == r.fd) continue;
      if (from < 0 || from >= FD_SLOTS || ctx[from] < 0) { error(target + ": Bad file descriptor"); return closeAll(opened); }
      ctx[r.fd] = ctx[from];
      continue;
    }
    let fd: i32;
    if (r.op == ">" && state.opts.noclobber) {
      const st = stat(target);
      if (st != null && st.isFile()) { error("cannot create " + target + ": File exists"); return closeAll(opened); }
    }
    if (r.op == "<") fd = open(target);
    else if (r.op == "<>") fd = open(target, O_CREAT, 0, true);
    else if (r.op == ">|") fd = create(target, false);
    else fd = create(target, r.op == ">>");
    if (fd < 0) {
      // dash's words for a missing file or directory.
      const reason = lastError == ENOENT ? (r.op == "<" ? "No such file" : "Directory nonexistent") : strerror(lastError);
      error((r.op == "<" ? "cannot open " : "cannot create ") + target + ": " + reason);
      return closeAll(opened);
    }
    opened.push(fd);
    ctx[r.fd] = fd;
  }
  return opened;
}

/** Fds above 2 the parent left open (not preopened directories) join the table at start, as the
 *  fds a shell inherits, so `3<f sh -c 'cat <&3'` reads f. Only the first few are looked at. */
const INHERITED_FD_PROBE = 16;
function takeInheritedFds(): void {
  for (let fd = 3; fd < INHERITED_FD_PROBE; fd++) {
    const type = fdType(fd);
    if (type >= 0 && type != 3) fdCtx[fd] = fd; // 3: WASI's directory
  }
}

/** A readable fd holding text: a pipe filled now when the text fits in it, else an unlinked temporary file. */
function heredocFd(text: string): i32 {
  const data = String.UTF8.encode(text);
  if (data.byteLength < HEREDOC_PIPE_MAX) {
    const err = pipe();
    if (err != 0) { error("pipe: " + strerror(err)); return -1; }
    const readEnd = pipeRead;
    writeAll(pipeWrite, changetype<usize>(data), <usize>data.byteLength);
    close(pipeWrite);
    return readEnd;
  }
  const path = "/tmp/.sh-heredoc-" + getpid().toString() + "-" + (heredocCount++).toString();
  const bytes = Uint8Array.wrap(data);
  const werr = writeFile(path, bytes);
  if (werr != 0) { error(path + ": " + strerror(werr)); return -1; }
  const fd = open(path);
  unlink(path);
  return fd;
}

/** The fields of a command without words (shared, never changed). */
const NO_WORDS: string[] = [];

/** The fds a command without redirections opened: none (shared, never changed). */
const NO_FDS: i32[] = [];

function closeAll(fds: i32[]): i32[] | null {
  for (let i = 0; i < fds.length; i++) close(fds[i]);
  return null;
}

/** Sets a variable; false (after the error, which ends a non-interactive shell) if it is read-only. */
function setVar(name: string, value: string): bool {
  if (state.readonly.has(name)) { fatalError(name + ": is read only"); return false; }
  state.vars.set(name, value);
  if (name == "PATH") state.commandPaths.clear();
  // Setting OPTIND starts getopts again (at that index, at the start of its word).
  if (name == "OPTIND") {
    const index = parseIntOr(value, -1);
    if (index < 0 || value.charCodeAt(0) == 43) { fatalError("Illegal number: " + value); return false; }
    state.optind = max(<i32>index, 1); state.optoff = -1;
  }
  if (state.opts.allexport) state.exported.add(name);
  return true;
}

/** An error that ends a non-interactive shell with status 2 (special builtins, read-only variables). */
function fatalError(message: string): i32 {
  error(message);
  if (!interactive) { exitRequested = true; exitCode = 2; }
  return 2;
}

/** With set -e: a failed command ends the shell unless it ran where -e is ignored. */
function checkErrexit(status: i32): void {
  if (status != 0 && state.opts.errexit && state.errexitIgnored == 0 && !exitRequested) { exitRequested = true; exitCode = status; }
}

/** Runs n with set -e ignored (conditions, all but the last of && || lists, ! pipelines). */
function execTested(n: Node): i32 {
  state.errexitIgnored++;
  const status = exec(n);
  state.errexitIgnored--;
  return status;
}

/** Runs a parsed tree; returns its exit status. */
function exec(n: Node): i32 {
  if (exitRequested) return exitCode;
  if (state.opts.noexec && !interactive) return 0;
  switch (n.kind) {
    case N_LIST: {
      let status = state.lastStatus;
      for (let i = 0; i < n.kids.length; i++) {
        if (exitRequested || breakLevels > 0 || continueLevels > 0 || returning || interruptedByUser) break;
        if (n.flags[i]) { startBackground(n.kids[i]); status = 0; }
        else status = exec(n.kids[i]);
        state.lastStatus = status;
        if (state.traps.size > 0) runPendingTraps();
      }
      return status;
    }
    case N_ANDOR: {
      const last = n.kids.length - 1;
      let status = last == 0 ? exec(n.kids[0]) : execTested(n.kids[0]);
      let ranLast = last == 0;
      for (let i = 1; i < n.kids.length; i++) {
        if (exitRequested || breakLevels > 0 || continueLevels > 0 || returning || interruptedByUser) break;
        state.lastStatus = status;
        if (n.flags[i - 1] == (status == 0)) { status = i == last ? exec(n.kids[i]) : execTested(n.kids[i]); if (i == last) ranLast = true; }
        state.lastStatus = status;
      }
      // A failure that ended the list before its last command is no set -e failure for the compound around it either.
      state.andOrFailedEarly = status != 0 && !ranLast;
      return status;
    }
    case N_PIPE: {
      if (n.negate) state.errexitIgnored++;
      state.andOrFailedEarly = false;
      const status = n.kids.length == 1 ? exec(n.kids[0]) : runPipeline(n);
      if (n.negate) { state.errexitIgnored--; return status == 0 ? 1 : 0; }
      if (!(n.kids.length == 1 && n.kids[0].kind != N_SIMPLE && state.andOrFailedEarly)) checkErrexit(status);
      return status;
    }
    case N_SIMPLE: return execSimple(n);
    case N_FUNCDEF: functions.set(n.name, n.kids[0]); functionTexts.set(n.name, n.text); functionLines.set(n.name, n.line); return 0;
    default: return execCompound(n);
  }
}

/** Compound commands run in this shell, with their redirections applied for the duration. */
function execCompound(n: Node): i32 {
  state.line = n.line;
  if (n.kind == N_SUBSHELL) return waitFor(spawnSubshell(n, copyCtx(), interactive ? SPAWN_NEW_PGROUP : 0), n.text);
  const saved = fdCtx;
  if (n.redirs.length > 0) {
    const ctx = copyCtx();
    const opened = applyRedirs(n.redirs, ctx);
    if (opened == null) return 2;
    fdCtx = ctx;
    const status = execBody(n);
    fdCtx = saved;
    closeAll(opened);
    return status;
  }
  return execBody(n);
}

function execBody(n: Node): i32 {
  let status = 0;
  if (n.kind == N_GROUP) return exec(n.kids[0]);
  if (n.kind == N_IF) {
    let i = 0;
    for (; i + 1 < n.kids.length; i += 2) {
      if (execTested(n.kids[i]) == 0) return exec(n.kids[i + 1]);
      if (exitRequested) return exitCode;
    }
    return n.hasElse ? exec(n.kids[n.kids.length - 1]) : 0;
  }
  if (n.kind == N_WHILE || n.kind == N_UNTIL) {
    state.loopDepth++;
    for (;;) {
      const cond = execTested(n.kids[0]);
      if (exitRequested || returning || interruptedByUser) break;
      if ((cond == 0) != (n.kind == N_WHILE)) break;
      status = exec(n.kids[1]);
      if (loopControl()) break;
    }
    state.loopDepth--;
    return status;
  }
  if (n.kind == N_FOR) {
    state.line = n.line;
    let items: string[] = [];
    if (!n.hasList) items = state.positional.slice(0);
    else {
      state.wordLine = n.line;
      clearExpandError();
      for (let i = 0; i < n.words.length; i++) items = items.concat(expandWord(n.words[i], false));
      if (expandError != "") { error(expandError); return exitStatusForError(); }
    }
    state.loopDepth++;
    for (let i = 0; i < items.length; i++) {
      if (!setVar(n.name, items[i])) { state.loopDepth--; return 2; }
      status = exec(n.kids[0]);
      if (loopControl()) break;
    }
    state.loopDepth--;
    return status;
  }
  if (n.kind == N_CASE) {
    state.line = n.line;
    state.wordLine = n.line;
    clearExpandError();
    const subject = expandString(n.words[0]);
    if (expandError != "") { error(expandError); return exitStatusForError(); }
    for (let i = 0; i < n.kids.length; i++) {
      const patterns = n.assigns[i].split("\n");
      for (let p = 0; p < patterns.length; p++) {
        const pattern = casePattern(patterns[p]);
        if (expandError != "") { error(expandError); return exitStatusForError(); }
        if (fnmatch(pattern, subject)) return exec(n.kids[i]);
      }
    }
    return 0;
  }
  return status;
}

/** A case pattern with quoted parts made literal. */
function casePattern(raw: string): string {
  return expandPattern(raw);
}

/** After a loop body: true when the loop should stop (break, exit, return). */
function loopControl(): bool {
  if (exitRequested || returning || interruptedByUser) return true;
  if (breakLevels > 0) { breakLevels--; return true; }
  if (continueLevels > 0) { continueLevels--; return continueLevels > 0; }
  return false;
}

function expandWords(n: Node): string[] {
  const out = new Array<string>();
  const words = n.words;
  state.wordLine = n.wordLines.length > 0 ? n.wordLines[0] : n.line;
  expandWordInto(words[0], out);
  // export, readonly and local (even as $e) take NAME=value arguments as assignments (no splitting; ~ after = and :).
  const declaration = out.length == 1 && (out[0] == "export" || out[0] == "readonly" || out[0] == "local");
  for (let i = 1; i < words.length; i++) {
    state.wordLine = i < n.wordLines.length ? n.wordLines[i] : n.line;
    if (declaration && isAssignment(words[i])) {
      const eq = words[i].indexOf("=");
      out.push(words[i].substring(0, eq + 1) + expandAssignmentValue(words[i].substring(eq + 1)));
    } else expandWordInto(words[i], out);
  }
  return out;
}

/** The reserved words, which type and command -v name as keywords. */
const SHELL_KEYWORDS: string[] = ["!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while", "{", "}"];

/** POSIX special builtins: their errors (and redirection errors) end a non-interactive shell. */
const SPECIAL_BUILTINS: string[] = [":", ".", "break", "continue", "eval", "exec", "exit", "export", "local", "readonly", "return", "set", "shift", "unset", "trap", "times"];
/** The other builtins. */
const REGULAR_BUILTINS: string[] = ["cd", "chdir", "pwd", "echo", "printf", "test", "[", "true", "false", "wait", "read", "jobs", "fg", "bg", "kill",
  "source", "command", "type", "getopts", "alias", "unalias", "umask", "ulimit", "hash"];

/** The names as a set (one hash lookup per command instead of forty comparisons); built once, never changed. */
function nameSet(names: string[]): Set<string> {
  const set = new Set<string>();
  for (let i = 0; i < names.length; i++) set.add(names[i]);
  return set;
}
const SPECIAL_BUILTIN_SET = nameSet(SPECIAL_BUILTINS);
const BUILTIN_SET = nameSet(SPECIAL_BUILTINS.concat(REGULAR_BUILTINS));

function isBuiltin(name: string): bool { return BUILTIN_SET.has(name); }

function isSpecialBuiltin(name: string): bool { return SPECIAL_BUILTIN_SET.has(name); }

/** set -x: writes PS4 and the expanded command to the shell's stderr. */
function trace(assigns: string[], words: string[]): void {
  const ps4 = getVar("PS4");
  let line = ps4 != null ? ps4 : "+ ";
  for (let i = 0; i < assigns.length; i++) line += (i > 0 ? " " : "") + assigns[i];
  for (let i = 0; i < words.length; i++) line += (i > 0 || assigns.length > 0 ? " " : "") + words[i];
  stdout.flush(); stderr.flush();
  const saved = stderr.fd;
  stderr.fd = fdCtx[2] >= 0 ? fdCtx[2] : 2;
  stderr.line(line).flush();
  stderr.fd = saved;
}

function execSimple(n: Node): i32 {
  state.line = n.line;
  state.wordLine = n.line;
  clearExpandError();
  if (n.words.length == 0 && n.assigns.length == 1 && n.redirs.length == 0 && !state.opts.xtrace) {
    // The commonest command, x=value, without the arrays of the general case.
    const substitutions = state.substitutions;
    const value = expandAssignmentValue(n.assignValues[0]);
    if (expandError != "") { error(expandError); return exitStatusForError(); }
    if (!setVar(n.assignNames[0], value)) return 2;
    return state.substitutions != substitutions ? state.lastStatus : 0;
  }
  const substitutions = state.substitutions;
  const words = n.words.length > 0 ? expandWords(n) : NO_WORDS;
  if (expandError != "") { error(expandError); return exitStatusForError(); }
  if (words.length == 0) {
    // As dash, the redirections come first: when one fails, nothing is assigned.
    if (n.redirs.length > 0) {
      const opened = applyRedirs(n.redirs, copyCtx());
      if (opened == null) return 2;
      closeAll(opened);
    }
    // Every value is expanded before any is set (an expansion error sets none).
    const values = new Array<string>();
    for (let i = 0; i < n.assigns.length; i++) values.push(expandAssignmentValue(n.assignValues[i]));
    if (expandError != "") { error(expandError); return exitStatusForError(); }
    if (state.opts.xtrace && values.length > 0) {
      const shown = new Array<string>();
      for (let i = 0; i < values.length; i++) shown.push(n.assigns[i].substring(0, n.assigns[i].indexOf("=") + 1) + values[i]);
      trace(shown, []);
    }
    for (let i = 0; i < values.length; i++) {
      if (!setVar(n.assigns[i].substring(0, n.assigns[i].indexOf("=")), values[i])) return 2;
    }
    return state.substitutions != substitutions ? state.lastStatus : 0;
  }
  const name = words[0];
  if (state.opts.xtrace) trace(n.assigns.length > 0 ? assignmentsOf(n) : [], words);
  const isFunction = functions.size > 0 && functions.has(name);
  if (isFunction || isBuiltin(name)) {
    // Assignments before a special builtin stay; before a function or another builtin they last
    // for the command only (exported meanwhile), as in dash.
    const temporary = n.assigns.length > 0 && (isFunction || !isSpecialBuiltin(name)) ? new Array<SavedVar>() : null;
    for (let i = 0; i < n.assigns.length; i++) {
      if (temporary != null) {
        const varName = n.assignNames[i];
        temporary.push(new SavedVar(varName, state.vars.has(varName) ? state.vars.get(varName) : null, state.exported.has(varName)));
      }
      if (!assign(n.assigns[i])) { if (temporary != null) putBack(temporary); return 2; }
      if (expandError != "") { if (temporary != null) putBack(temporary); error(expandError); return exitStatusForError(); }
      if (temporary != null) state.exported.add(n.assignNames[i]);
    }
    // exec's program gets these assignments in its environment.
    state.prefixAssigns = n.assigns.length > 0 ? assignmentsNow(n) : NO_WORDS;
    const status = runBuiltinOrFunction(n, name, words, isFunction);
    if (temporary != null) putBack(temporary);
    return status;
  }
  const assigns = assignmentsOf(n);
  if (expandError != "") { error(expandError); return exitStatusForError(); }
  const ctx = copyCtx();
  const opened = applyRedirs(n.redirs, ctx);
  if (opened == null) return 2;
  const pid = spawnExternal(words, assigns, ctx, interactive ? SPAWN_NEW_PGROUP : 0);
  closeAll(opened);
  return waitFor(pid, n.text.length > 0 ? n.text : words.join(" "));
}

/** NAME=value for each of a command's assignments, as the variables now hold them. */
function assignmentsNow(n: Node): string[] {
  const out = new Array<string>();
  for (let i = 0; i < n.assignNames.length; i++) {
    const name = n.assignNames[i];
    out.push(name + "=" + (state.vars.has(name) ? state.vars.get(name) : ""));
  }
  return out;
}

/** Puts variables back as they were (values, unset, exported or not), last saved first. */
function putBack(saved: SavedVar[]): void {
  for (let i = saved.length - 1; i >= 0; i--) {
    const v = saved[i];
    const value = v.value;
    if (value == null) { state.vars.delete(v.name); unsetenv(v.name); } else state.vars.set(v.name, value!);
    if (v.exported) state.exported.add(v.name); else state.exported.delete(v.name);
    if (v.name == "PATH") state.commandPaths.clear();
  }
}

/** Runs a builtin or function with the command's redirections (words: its fields, taken over). */
function runBuiltinOrFunction(n: Node, name: string, words: string[], isFunction: bool): i32 {
  // Without redirections the command shares the shell's fd table (no copy per builtin).
  const ctx = n.redirs.length > 0 ? copyCtx() : fdCtx;
  const opened = n.redirs.length > 0 ? applyRedirs(n.redirs, ctx) : NO_FDS;
  if (opened == null) return isSpecialBuiltin(name) ? exitStatusForError() : 2;
  const saved = fdCtx;
  fdCtx = ctx;
  // words becomes the arguments (taking the name off the array this command owns costs no copy).
  words.shift();
  const status = isFunction ? callFunction(functions.get(name), words) : runBuiltin(name, words);
  fdCtx = saved;
  if (keepRedirections) {
    // "exec 3>&1": the redirections stay for the rest of the shell; the fds they opened stay open.
    keepRedirections = false;
    for (let i = 0; i < FD_SLOTS; i++) saved[i] = ctx[i];
    return status;
  }
  closeAll(opened);
  return status;
}

function exitStatusForError(): i32 {
  if (!interactive) { exitRequested = true; exitCode = 2; }
  return 2;
}

/** The NAME=value pairs of a command's assignments, each expanded seeing the ones before it (as dash). */
function assignmentsOf(n: Node): string[] {
  const out = new Array<string>();
  const saved = new Array<SavedVar>();
  for (let i = 0; i < n.assigns.length; i++) {
    const name = n.assignNames[i];
    const value = expandAssignmentValue(n.assignValues[i]);
    out.push(name + "=" + value);
    if (i + 1 < n.assigns.length) {
      saved.push(new SavedVar(name, state.vars.has(name) ? state.vars.get(name) : null, state.exported.has(name)));
      state.vars.set(name, value);
    }
  }
  putBack(saved);
  return out;
}

function assign(word: string): bool {
  const eq = word.indexOf("=");
  return setVar(word.substring(0, eq), expandAssignmentValue(word.substring(eq + 1)));
}

/** A variable as it was before `local` in the running function: its value (null: unset) and whether it was exported. */
class SavedVar {
  constructor(public name: string, public value: string | null, public exported: bool) {}
}

/** One list per running function call: the variables its `local` saved, put back when it returns (dash's dynamic scope). */
let localFrames: SavedVar[][] = [];

function callFunction(body: Node, args: string[]): i32 {
  const saved = state.positional;
  const savedOptind = state.optind; const savedOptoff = state.optoff; const savedLoops = state.loopDepth;
  state.positional = args;
  state.optind = 1; state.optoff = -1; state.loopDepth = 0;
  localFrames.push([]);
  const status = exec(body);
  const locals = localFrames.pop();
  for (let i = locals.length - 1; i >= 0; i--) {
    const v = locals[i];
    const value = v.value;
    if (value == null) { state.vars.delete(v.name); unsetenv(v.name); } else state.vars.set(v.name, value!);
    if (v.exported) state.exported.add(v.name); else state.exported.delete(v.name);
  }
  state.positional = saved;
  state.optind = savedOptind; state.optoff = savedOptoff; state.loopDepth = savedLoops;
  const result = returning ? state.lastStatus : status;
  returning = false;
  return result;
}

/** Finds a command in PATH; "" if not found. Names with a "/" are used as they are. */
function lookPath(name: string, command: bool = true): string {
  if (name.indexOf("/") >= 0) return name;
  // A command is remembered where it was first found (dash's hash table) until PATH changes or hash -r.
  if (command && state.commandPaths.has(name)) return state.commandPaths.get(name);
  const pathVar = getVar("PATH");
  const dirs = (pathVar != null ? pathVar : "/bin").split(":");
  for (let i = 0; i < dirs.length; i++) {
    const candidate = join(dirs[i].length > 0 ? dirs[i] : ".", name);
    const st = stat(candidate);
    if (st == null || !st.isFile()) continue;
    if (command) {
      // A command must be executable by someone (as dash, a file without x is passed over).
      const mode = modeOf(candidate);
      if (mode != null && (mode.mode & 0o111) == 0) continue;
      state.commandPaths.set(name, candidate);
    }
    return candidate;
  }
  return "";
}

/** The first executable NAME in the PATH directories after the one holding `gone`; "" if none. */
function searchPathFrom(name: string, gone: string): string {
  const pathVar = getVar("PATH");
  const dirs = (pathVar != null ? pathVar : "/bin").split(":");
  let found = false;
  for (let i = 0; i < dirs.length; i++) {
    const candidate = join(dirs[i].length > 0 ? dirs[i] : ".", name);
    if (!found) { found = candidate == gone; continue; }
    const st = stat(candidate);
    if (st == null || !st.isFile()) continue;
    const mode = modeOf(candidate);
    if (mode != null && (mode.mode & 0o111) == 0) continue;
    return candidate;
  }
  return "";
}

/** hash [-r] [NAME]...: lists the remembered commands, forgets them (-r), or looks NAMEs up; a NAME not found is an error. */
function hashBuiltin(args: string[]): i32 {
  let status = 0;
  if (args.length == 0) {
    const names = state.commandPaths.keys();
    for (let i = 0; i < names.length; i++) stdout.line(state.commandPaths.get(names[i]));
    return 0;
  }
  for (let i = 0; i < args.length; i++) {
    if (args[i] == "-r") { state.commandPaths.clear(); continue; }
    if (isBuiltin(args[i]) || functions.has(args[i])) continue;
    if (lookPath(args[i]) == "") { error("hash: " + args[i] + ": not found"); status = 1; }
  }
  return status;
}

/** Starts an external command; returns its pid or -(exit status) after reporting the error. */
function spawnExternal(words: string[], assigns: string[], ctx: StaticArray<i32>, flags: u32): i32 {
  const name = words[0];
  let path = lookPath(name);
  if (path != "" && name.indexOf("/") < 0 && stat(path) == null) {
    // The remembered file is gone: as dash, the search goes on from its directory in PATH.
    path = searchPathFrom(name, path);
    if (path != "") state.commandPaths.set(name, path); else state.commandPaths.delete(name);
  }
  if (path == "") { error(name + ": not found"); return -127; }
  if (name.indexOf("/") >= 0) {
    // A file nobody may execute is refused (126), as exec would.
    const mode = modeOf(path);
    if (mode != null && (mode.mode & 0o111) == 0 && (mode.mode & 0o170000) != 0o040000) { error(name + ": Permission denied"); return -126; }
  }
  const env = childEnv(false, assigns);
  let pid = spawn(path, words, env, getcwd(), fdMap(ctx), flags);
  if (pid == -ENOEXEC) {
    // Not a Wasm module: run it as a shell script, as POSIX shells do.
    const args = [SHELL_PATH, path].concat(words.slice(1));
    pid = spawn(SHELL_PATH, args, env, getcwd(), fdMap(ctx), flags);
  }
  if (pid < 0) {
    error(name + ": " + (pid == -ENOENT ? (name.indexOf("/") >= 0 ? "No such file or directory" : "not found") : strerror(-pid)));
    return pid == -ENOENT ? -127 : -126;
  }
  return pid;
}

/**
 * The shell's functions and aliases as source text for a child shell (there is no fork to copy
 * them), in records "LINE LENGTH\nTEXT": each function's definition with the line it started on,
 * then one `alias` command (line 0). They travel in DEFINITIONS_VAR, run by the child before its text.
 */
function definitions(): string {
  let out = "";
  const names = functionTexts.keys();
  for (let i = 0; i < names.length; i++) out += definitionRecord(functionLines.has(names[i]) ? functionLines.get(names[i]) : 0, functionTexts.get(names[i]));
  const aliasNames = state.aliases.keys();
  if (aliasNames.length > 0) {
    let command = "alias";
    for (let i = 0; i < aliasNames.length; i++) command += " " + aliasNames[i] + "=" + shellQuote(state.aliases.get(aliasNames[i]));
    out += definitionRecord(0, command);
  }
  return out;
}

function definitionRecord(line: i32, text: string): string {
  return line.toString() + " " + text.length.toString() + "\n" + text;
}

const DEFINITIONS_VAR = "WASMBOX_SH_DEFINITIONS";

/** Runs the definitions a parent shell passed (see definitions()) and takes them out of the environment. */
function takeDefinitions(): void {
  if (!state.vars.has(DEFINITIONS_VAR)) return;
  const records = state.vars.get(DEFINITIONS_VAR);
  state.vars.delete(DEFINITIONS_VAR);
  state.exported.delete(DEFINITIONS_VAR);
  unsetenv(DEFINITIONS_VAR);
  let at = 0;
  while (at < records.length) {
    const space = records.indexOf(" ", at);
    const newline = space < 0 ? -1 : records.indexOf("\n", space);
    if (newline < 0) break;
    const line = <i32>parseIntOr(records.substring(at, space), 0);
    const length = <i32>parseIntOr(records.substring(space + 1, newline), 0);
    const text = records.substr(newline + 1, length);
    at = newline + 1 + length;
    runSource(text, max(line - 1, 0));
  }
  state.lastStatus = 0;
}

/** A child shell is this shell's subshell: it keeps $$, $?, the line numbers and the name its
 *  errors are signed with, and which variables are not exported. They travel in one environment
 *  entry, "PID STATUS LINEBASE NAMELENGTH NAME UNEXPORTED...", that the child takes out at start. */
const SUBSHELL_VAR = "WASMBOX_SH_SUBSHELL";

function subshellMarker(lineBase: i32): string {
  let out = SUBSHELL_VAR + "=" + state.pid.toString() + " " + state.lastStatus.toString() + " " + lineBase.toString() +
    " " + errorName.length.toString() + " " + errorName + " " + state.commandName.length.toString() + " " + state.commandName;
  const names = state.vars.keys();
  for (let i = 0; i < names.length; i++) if (!state.exported.has(names[i])) out += " " + names[i];
  return out;
}

/** The lines before a child shell's text in its parent's script (from the marker; 0 in other shells). */
let inheritedLineBase = 0;
/** Whether errorName came from the parent shell (then -c's NAME does not replace it). */
let inheritedErrorName = false;

/** Reads the marker's fields: space-ended ones, and "LENGTH TEXT" ones that may hold spaces. */
class MarkerReader {
  at: i32 = 0;
  constructor(public text: string) {}
  field(): string {
    let end = this.text.indexOf(" ", this.at);
    if (end < 0) end = this.text.length;
    const value = this.text.substring(this.at, end);
    this.at = min(end + 1, this.text.length);
    return value;
  }
  counted(): string {
    const length = <i32>parseIntOr(this.field(), 0);
    const value = this.text.substr(this.at, length);
    this.at = min(this.at + length + 1, this.text.length);
    return value;
  }
}

function takeSubshellMarker(): void {
  if (!state.vars.has(SUBSHELL_VAR)) return;
  const marker = state.vars.get(SUBSHELL_VAR);
  state.vars.delete(SUBSHELL_VAR);
  state.exported.delete(SUBSHELL_VAR);
  unsetenv(SUBSHELL_VAR);
  const reader = new MarkerReader(marker);
  state.pid = <i32>parseIntOr(reader.field(), state.pid);
  state.lastStatus = <i32>parseIntOr(reader.field(), 0);
  inheritedLineBase = <i32>parseIntOr(reader.field(), 0);
  errorName = reader.counted();
  inheritedErrorName = true;
  state.commandName = reader.counted();
  const names = marker.substring(reader.at).split(" ");
  for (let i = 0; i < names.length; i++) if (names[i].length > 0) { state.exported.delete(names[i]); unsetenv(names[i]); }
}

/** Starts `sh -c text` (same $0 and positional parameters, all variables, functions and aliases)
 *  with the given fds; text starts on line `line` of this shell's source. */
function spawnShell(text: string, ctx: StaticArray<i32>, flags: u32, line: i32): i32 {
  // The child inherits the options (set -e only where it is not being ignored here).
  let letters = optionFlags(state.opts);
  if (state.errexitIgnored > 0) letters = letters.replace("e", "");
  const args = [SHELL_PATH];
  if (letters.length > 0) args.push("-" + letters);
  if (state.opts.pipefail && state.errexitIgnored == 0) { args.push("-o"); args.push("pipefail"); }
  args.push("-c"); args.push(text); args.push(state.name);
  for (let i = 0; i < state.positional.length; i++) args.push(state.positional[i]);
  stdout.flush();
  const extra = [subshellMarker(max(line - 1, 0))];
  const defs = definitions();
  if (defs.length > 0) extra.push(DEFINITIONS_VAR + "=" + defs);
  const pid = spawn(SHELL_PATH, args, childEnv(true, extra), getcwd(), fdMap(ctx), flags);
  if (pid < 0) { error(SHELL_PATH + ": " + strerror(-pid)); return -126; }
  return pid;
}

/** Starts a "( list ) redirs" subshell: the redirections apply here, the child runs the inner list. */
function spawnSubshell(n: Node, ctx: StaticArray<i32>, flags: u32): i32 {
  const opened = applyRedirs(n.redirs, ctx);
  if (opened == null) return -1;
  const pid = spawnShell(n.kids[0].text, ctx, flags, n.kids[0].line);
  closeAll(opened);
  return pid;
}

/** Whether a simple command must start as a child shell: a builtin or function by its literal name, or words that may assign. */
function runsInChildShell(n: Node): bool {
  const first = n.words[0];
  if (isPlainWord(first) && (functions.has(first) || isBuiltin(first))) return true;
  for (let i = 0; i < n.words.length; i++) {
    const w = n.words[i];
    if (w.indexOf("=") >= 0 && (w.indexOf("${") >= 0 || w.indexOf("$((") >= 0)) return true;
  }
  return false;
}

/** A word with no quoting or expansion in it. */
function isPlainWord(w: string): bool {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c == 36 || c == 96 || c == 92 || c == 39 || c == 34) return false;
  }
  return true;
}

/** Starts one pipeline stage or background job without waiting for it. */
function spawnNode(n: Node, ctx: StaticArray<i32>, flags: u32): i32 {
  let simple = n;
  while ((simple.kind == N_PIPE || simple.kind == N_ANDOR || simple.kind == N_LIST) && simple.kids.length == 1 && !simple.negate &&
         (simple.kind != N_LIST || !simple.flags[0])) simple = simple.kids[0];
  // A builtin or function runs in a child shell that expands its words there; so do words whose
  // expansion could assign (${x=...}, $((x=...))): the parent's variables must not change.
  if (simple.kind == N_SIMPLE && simple.words.length > 0 && !runsInChildShell(simple)) {
    state.line = simple.line;
    clearExpandError();
    const words = expandWords(simple);
    if (expandError != "") { error(expandError); return -2; }
    if (words.length > 0 && !functions.has(words[0]) && !isBuiltin(words[0])) {
      const opened = applyRedirs(simple.redirs, ctx);
      if (opened == null) return -1;
      const pid = spawnExternal(words, assignmentsOf(simple), ctx, flags);
      closeAll(opened);
      return pid;
    }
  }
  if (simple.kind == N_SUBSHELL) return spawnSubshell(simple, ctx, flags);
  return spawnShell(n.text, ctx, flags, n.line);
}

/**
 * Waits for a pid from spawn (negative = the status of a failed start) as a foreground job: in
 * its own process group when an interactive shell started it with SPAWN_NEW_PGROUP, else in the shell's.
 */
function waitFor(pid: i32, text: string, ownGroup: bool = interactive): i32 {
  if (pid <= 0) return -pid;
  return waitForeground(new Job(ownGroup ? pid : getpgid(0), [pid], text.trim()), false);
}

function runPipeline(n: Node): i32 {
  const pids = new Array<i32>();
  let prevRead = -1;
  let group = 0;
  for (let i = 0; i < n.kids.length; i++) {
    const ctx = copyCtx();
    if (prevRead >= 0) ctx[0] = prevRead;
    let nextRead = -1;
    let writeEnd = -1;
    if (i < n.kids.length - 1) {
      const err = pipe();
      if (err != 0) { error("pipe: " + strerror(err)); break; }
      ctx[1] = pipeWrite; writeEnd = pipeWrite; nextRead = pipeRead;
    }
    const pid = spawnNode(n.kids[i], ctx, interactive && group == 0 ? SPAWN_NEW_PGROUP : 0);
    if (interactive && pid > 0) { if (group == 0) group = pid; else setpgid(pid, group); }
    if (prevRead >= 0) close(prevRead);
    if (writeEnd >= 0) close(writeEnd);
    prevRead = nextRead;
    pids.push(pid);
  }
  if (prevRead >= 0) close(prevRead);
  // Stages that could not start count with their status; the others are one job.
  const started = new Array<i32>();
  for (let i = 0; i < pids.length; i++) if (pids[i] > 0) started.push(pids[i]);
  if (started.length == 0) return -pids[pids.length - 1];
  const status = waitForeground(new Job(group > 0 ? group : getpgid(0), started, n.text.trim()), state.opts.pipefail);
  const last = pids[pids.length - 1];
  return last <= 0 ? -last : status;
}

function startBackground(n: Node): void {
  const pid = spawnNode(n, copyCtx(), interactive ? SPAWN_NEW_PGROUP : 0);
  if (pid > 0) {
    state.lastBackground = pid;
    startJob(interactive ? pid : getpgid(0), [pid], n.text.trim());
  }
}

// ---- builtins ----

function runBuiltin(name: string, args: string[]): i32 {
  stdout.flush(); stderr.flush();
  const savedOut = stdout.fd; const savedErr = stderr.fd;
  stdout.fd = fdCtx[1]; stderr.fd = fdCtx[2];
  stdout.error = 0;
  // A builtin's own errors name it (dash's commandname): eval and . name themselves around their text.
  const savedCommandName = state.commandName;
  if (name != "eval" && name != "." && name != "source") state.commandName = "";
  const status = builtin(name, args);
  state.commandName = savedCommandName;
  stdout.flush(); stderr.flush();
  stdout.fd = savedOut; stderr.fd = savedErr;
  stdout.error = 0;
  return status;
}

function builtin(name: string, args: string[]): i32 {
  if (name == "echo") return echoBuiltin(args);
  if (name == "printf") return printfBuiltin(args, printfError);
  if (name == "test" || name == "[") {
    const quick = quickTest(name, args);
    if (quick >= 0) return quick;
    const status = testEvaluate(name, args, true);
    if (testError() != "") error(name + ": " + testError());
    return status;
  }
  if (name == "true" || name == ":") return 0;
  if (name == "false") return 1;
  if (name == "pwd") { stdout.line(getcwd()); return 0; }
  if (name == "cd" || name == "chdir") return cdBuiltin(args);
  if (name == "export" || name == "readonly" || name == "local") {
    if (args.length == 0 || (args.length == 1 && args[0] == "-p")) {
      const names = state.vars.keys();
      names.sort();
      for (let i = 0; i < names.length; i++) {
        const listed = name == "readonly" ? state.readonly.has(names[i]) : state.exported.has(names[i]);
        if (listed) stdout.str(name).str(" ").str(names[i]).str("=").line(shellQuote(state.vars.get(names[i])));
      }
      return 0;
    }
    for (let i = 0; i < args.length; i++) {
      const eq = args[i].indexOf("=");
      const varName = eq < 0 ? args[i] : args[i].substring(0, eq);
      if (!isName(varName)) return fatalError(name + ": " + args[i] + ": bad variable name");
      if (eq >= 0 && state.readonly.has(varName)) return fatalError(name + ": " + varName + ": is read only");
      if (name == "local") {
        // The variable keeps its value (as in dash) until set; the function's return puts it back.
        if (localFrames.length == 0) return fatalError("local: not in a function");
        const frame = localFrames[localFrames.length - 1];
        let known = false;
        for (let k = 0; k < frame.length; k++) if (frame[k].name == varName) known = true;
        if (!known) frame.push(new SavedVar(varName, state.vars.has(varName) ? state.vars.get(varName) : null, state.exported.has(varName)));
      }
      if (eq >= 0) setVar(varName, args[i].substring(eq + 1));
      if (name == "export") state.exported.add(varName);
      if (name == "readonly") state.readonly.add(varName);
    }
    return 0;
  }
  if (name == "unset") {
    for (let i = 0; i < args.length; i++) {
      if (args[i] == "-v") continue;
      if (args[i] == "-f") { if (i + 1 < args.length) { functions.delete(args[i + 1]); functionLines.delete(args[i + 1]); functionTexts.delete(args[++i]); } continue; }
      if (!isName(args[i])) return fatalError("unset: " + args[i] + ": bad variable name");
      if (state.readonly.has(args[i])) return fatalError("unset: " + args[i] + ": is read only");
      state.vars.delete(args[i]); state.exported.delete(args[i]); unsetenv(args[i]);
      if (args[i] == "PATH") state.commandPaths.clear();
    }
    return 0;
  }
  if (name == "exit") {
    if (args.length > 0 && parseIntOr(args[0], -1) < 0) return fatalError("exit: Illegal number: " + args[0]);
    exitRequested = true;
    exitCode = args.length > 0 ? <i32>(parseIntOr(args[0], 2) & 255) : state.lastStatus;
    return exitCode;
  }
  if (name == "return") {
    // As dash: the number as it is (not cut to 8 bits); no sign and at most 2^31-1.
    if (args.length > 0 && (!isDigits(args[0]) || parseIntOr(args[0], -1) > 2147483647)) return fatalError("return: Illegal number: " + args[0]);
    returning = true;
    state.lastStatus = args.length > 0 ? <i32>parseIntOr(args[0], 0) : state.lastStatus;
    return state.lastStatus;
  }
  if (name == "break" || name == "continue") {
    const levels = args.length > 0 ? <i32>parseIntOr(args[0], 0) : 1;
    if (levels < 1) return fatalError(name + ": Illegal number: " + args[0]);
    // As dash: outside a loop nothing happens, and N is at most the loops around.
    if (state.loopDepth == 0) return 0;
    if (name == "break") breakLevels = min(levels, state.loopDepth); else continueLevels = min(levels, state.loopDepth);
    return 0;
  }
  if (name == "shift") {
    const count = args.length > 0 ? <i32>parseIntOr(args[0], 1) : 1;
    if (count < 0 || count > state.positional.length) return fatalError("shift: can't shift that many");
    state.positional = state.positional.slice(count);
    state.optind = 1; state.optoff = -1;
    return 0;
  }
  if (name == "set") return setBuiltin(args);
  if (name == "wait") {
    // dash's wait takes no options, and pids as numbers.
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a.length > 1 && a.charCodeAt(0) == 45) { error("wait: Illegal option -" + a.charAt(1)); return 2; }
      if (!a.startsWith("%") && !isDigits(a)) { error("wait: Illegal number: " + a); return 2; }
    }
    return waitBuiltin(args);
  }
  if (name == "jobs") return jobsBuiltin(args);
  if (name == "kill") return killCommand(args);
  if (name == "fg") return fgBuiltin(args);
  if (name == "bg") return bgBuiltin(args);
  if (name == "read") return readBuiltin(args);
  // eval's text and a . file count their lines from 1, as dash; errors in them name "eval" or the file.
  if (name == "eval") {
    const savedCommandName = state.commandName; const savedOffset = state.linenoOffset;
    state.commandName = "eval";
    // $LINENO in eval's text goes on from the eval command's line, as in bash (dash leaves it empty).
    state.linenoOffset += state.line - 1;
    const status = runSource(args.join(" "));
    state.commandName = savedCommandName; state.linenoOffset = savedOffset;
    return status;
  }
  if (name == "." || name == "source") {
    if (args.length == 0) { error(name + ": filename argument required"); return 2; }
    // As dash: a name without "/" is looked for in PATH only (a file, not a directory).
    const path = args[0].indexOf("/") >= 0 ? args[0] : lookPath(args[0], false);
    if (path == "") return fatalError(name + ": " + args[0] + ": not found");
    const info = stat(path);
    // A directory reads as nothing, as in dash.
    if (info != null && info.isDir()) return 0;
    const data = readFile(path);
    if (data == null) return fatalError(name + ": cannot open " + args[0] + ": " + strerror(lastError));
    const savedCommandName = state.commandName; const savedOffset = state.linenoOffset;
    state.commandName = args[0];
    state.linenoOffset = 0;
    // Read as a script is: under set -v its lines go to stderr as they are read (dash; eval's text does not).
    const status = runSource(String.UTF8.decode(data.buffer), 0, true);
    state.commandName = savedCommandName; state.linenoOffset = savedOffset;
    return status;
  }
  if (name == "exec") {
    if (args.length == 0) {
      // "exec >file": the redirections apply to the rest of the shell.
      keepRedirections = true;
      return 0;
    }
    const pid = spawnExternal(args, state.prefixAssigns, fdCtx, 0);
    exitRequested = true;
    exitCode = waitFor(pid, args.join(" "), false);
    return exitCode;
  }
  if (name == "command" || name == "type") {
    let i = 0;
    let describe = name == "type";
    let verbose = name == "type";
    // dash's type takes no options (a "-t" is a name not found).
    while (name == "command" && i < args.length && args[i].startsWith("-") && args[i].length > 1) {
      if (args[i] == "--") { i++; break; }
      if (args[i].indexOf("v") >= 0) describe = true;
      if (args[i].indexOf("V") >= 0) { describe = true; verbose = true; }
      i++;
    }
    if (!describe) {
      // command NAME ARG...: runs a builtin or a program, never a function.
      if (i >= args.length) return 0;
      const words = args.slice(i);
      if (isBuiltin(words[0])) return builtin(words[0], words.slice(1));
      return waitFor(spawnExternal(words, [], fdCtx, interactive ? SPAWN_NEW_PGROUP : 0), words.join(" "));
    }
    let status = 0;
    // command -v and -V describe their first name only, as dash.
    const end = name == "command" ? min(i + 1, args.length) : args.length;
    for (; i < end; i++) {
      const cmd = args[i];
      if (state.aliases.has(cmd)) stdout.line(verbose ? cmd + " is an alias for " + state.aliases.get(cmd) : "alias " + cmd + "=" + shellQuote(state.aliases.get(cmd)));
      else if (SHELL_KEYWORDS.indexOf(cmd) >= 0) stdout.line(verbose ? cmd + " is a shell keyword" : cmd);
      else if (functions.has(cmd)) stdout.line(verbose ? cmd + " is a shell function" : cmd);
      else if (isBuiltin(cmd)) stdout.line(verbose ? cmd + " is a " + (isSpecialBuiltin(cmd) ? "special " : "") + "shell builtin" : cmd);
      else {
        const path = lookPath(cmd);
        if (path == "") { status = 127; if (verbose) stdout.line(cmd + ": not found"); }
        else stdout.line(verbose ? cmd + " is " + path : path);
      }
    }
    return status;
  }
  if (name == "trap") return trapBuiltin(args);
  if (name == "alias") return aliasBuiltin(args);
  if (name == "unalias") return unaliasBuiltin(args);
  if (name == "getopts") return getoptsBuiltin(args);
  if (name == "times") return timesBuiltin();
  if (name == "umask") return umaskBuiltin(args, error);
  if (name == "ulimit") return ulimitBuiltin(args);
  if (name == "hash") return hashBuiltin(args);
  return 127;
}

/**
 * dash's echo: a first argument "-n" drops the newline (no other option: "-e" is printed), and
 * backslash sequences are always read: \a \b \c (stop all output) \e \f \n \r \t \v \\, \0NNN and
 * \NNN in octal (a byte); any other backslash stays as it is.
 */
function echoBuiltin(args: string[]): i32 {
  let i = 0;
  let newline = true;
  if (args.length > 0 && args[0] == "-n") { newline = false; i = 1; }
  for (let first = i; i < args.length; i++) {
    if (i > first) stdout.byte(32);
    if (!echoEscaped(args[i], stdout)) { newline = false; break; }
  }
  if (newline) stdout.byte(10);
  return 0;
}

/** The bytes of echo's \a \b \e \f \n \r \t \v \\, in that order. */
const ECHO_ESCAPE_BYTES = "\x07\x08\x1b\x0c\n\r\t\x0b\\";

/** Writes s to out with echo's backslash sequences read; false after \c. */
function echoEscaped(s: string, out: Writer): bool {
  let plainFrom = 0;
  for (let j = 0; j < s.length; j++) {
    if (s.charCodeAt(j) != 92 || j + 1 >= s.length) continue;
    out.str(s.substring(plainFrom, j));
    const e = s.charCodeAt(j + 1);
    j++;
    if (e == 99) return false; // \c
    const simple = "abefnrtv\\".indexOf(String.fromCharCode(e));
    if (simple >= 0) { out.byte(ECHO_ESCAPE_BYTES.charCodeAt(simple)); plainFrom = j + 1; continue; }
    if (e >= 48 && e <= 55) {
      // \0 takes up to three more octal digits, \1-\7 up to two more.
      let value = e == 48 ? 0 : e - 48;
      let digits = 0;
      while (digits < (e == 48 ? 3 : 2) && j + 1 < s.length && s.charCodeAt(j + 1) >= 48 && s.charCodeAt(j + 1) <= 55) { value = value * 8 + s.charCodeAt(j + 1) - 48; j++; digits++; }
      out.byte(<u8>(value & 255));
      plainFrom = j + 1;
      continue;
    }
    plainFrom = j - 1;
  }
  out.str(s.substring(plainFrom));
  return true;
}

/**
 * The status of the commonest tests, `[ A OP B ]` with OP one of = != -eq -ne -lt -le -gt -ge and
 * numbers in plain decimal, without the general parser; -1 for any other test (testEvaluate's to judge).
 */
function quickTest(name: string, args: string[]): i32 {
  const count = name == "[" ? 4 : 3;
  if (args.length != count || (count == 4 && args[3] != "]")) return -1;
  const a = args[0]; const op = args[1]; const b = args[2];
  // Three arguments with a binary operator in the middle are that comparison, even `[ ! = x ]` (POSIX).
  if (op == "=") return a == b ? 0 : 1;
  if (op == "!=") return a != b ? 0 : 1;
  if (op.length != 3 || op.charCodeAt(0) != 45) return -1;
  const x = plainDecimal(a); const y = plainDecimal(b);
  if (x == NOT_PLAIN || y == NOT_PLAIN) return -1;
  let result: bool;
  if (op == "-eq") result = x == y;
  else if (op == "-ne") result = x != y;
  else if (op == "-lt") result = x < y;
  else if (op == "-le") result = x <= y;
  else if (op == "-gt") result = x > y;
  else if (op == "-ge") result = x >= y;
  else return -1;
  return result ? 0 : 1;
}

/**
 * cd [-L|-P] [DIR|-]: as dash, PWD follows the path as written (-L, the default; "dir/.." is
 * dir's parent) or the real one (-P); a relative DIR is looked for in CDPATH first, and the new
 * directory is printed when CDPATH or "-" chose it. OLDPWD and PWD are exported.
 */
function cdBuiltin(args: string[]): i32 {
  let physical = false;
  let i = 0;
  for (; i < args.length && args[i].length > 1 && args[i].charCodeAt(0) == 45; i++) {
    if (args[i] == "--") { i++; break; }
    for (let k = 1; k < args[i].length; k++) {
      const c = args[i].charAt(k);
      if (c == "P") physical = true;
      else if (c == "L") physical = false;
      else { error("cd: Illegal option -" + c); return 2; }
    }
  }
  let dir = i < args.length ? args[i] : "";
  let print = false;
  if (dir == "") { const home = getVar("HOME"); dir = home != null ? home! : "/"; }
  if (dir == "-") { const old = getVar("OLDPWD"); dir = old != null ? old! : getcwd(); print = true; }
  if (!dir.startsWith("/") && !dir.startsWith("./") && !dir.startsWith("../") && dir != "." && dir != "..") {
    const cdpath = getVar("CDPATH");
    if (cdpath != null && cdpath!.length > 0) {
      const entries = cdpath!.split(":");
      for (let k = 0; k < entries.length; k++) {
        const candidate = entries[k].length > 0 ? join(entries[k], dir) : dir;
        const info = stat(candidate);
        if (info != null && info.isDir()) { dir = candidate; if (entries[k].length > 0) print = true; break; }
      }
    }
  }
  const pwdVar = getVar("PWD");
  const before = pwdVar != null && pwdVar!.startsWith("/") ? pwdVar! : getcwd();
  const logical = normalizePath(dir.startsWith("/") ? dir : before + "/" + dir);
  const err = chdir(physical ? dir : logical);
  if (err != 0) { error("cd: can't cd to " + (i < args.length ? args[i] : dir)); return 2; }
  const now = physical ? getcwd() : logical;
  state.vars.set("OLDPWD", before); state.exported.add("OLDPWD");
  state.vars.set("PWD", now); state.exported.add("PWD");
  if (print) stdout.line(now);
  return 0;
}

/** An absolute path without ".", ".." or repeated slashes, read as text (symbolic links not followed). */
function normalizePath(path: string): string {
  const parts = path.split("/");
  const out = new Array<string>();
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    if (part.length == 0 || part == ".") continue;
    if (part == "..") { if (out.length > 0) out.pop(); continue; }
    out.push(part);
  }
  return "/" + out.join("/");
}

/** 'text' quoted for reuse as shell input (set, export -p). */
function shellQuote(text: string): string { return "'" + replaceAll(text, "'", "'\\''") + "'"; }

/** Applies one option letter (from set or sh's command line); false if there is no such option. */
function setFlag(letter: string, on: bool): bool {
  const k = OPTION_LETTERS.indexOf(letter);
  if (k < 0 || letter == "-") return false;
  setOption(state.opts, k, on);
  return true;
}

function setLongOption(optName: string, on: bool): bool {
  // dash's line-editing modes: accepted (the prompt's editor has one mode).
  if (optName == "vi" || optName == "emacs") return true;
  const k = OPTION_NAMES.indexOf(optName);
  if (k < 0) return false;
  setOption(state.opts, k, on);
  return true;
}

/** set [-+efnxvCau] [-+o NAME]... [--] [ARG]...: options, the positional parameters, or the variables. */
function setBuiltin(args: string[]): i32 {
  if (args.length == 0) {
    const names = state.vars.keys();
    names.sort();
    for (let k = 0; k < names.length; k++) stdout.str(names[k]).str("=").line(shellQuote(state.vars.get(names[k])));
    return 0;
  }
  let i = 0;
  let setPositional = false;
  while (i < args.length) {
    const a = args[i];
    if (a == "--") { i++; setPositional = true; break; }
    if (a == "-") { i++; state.opts.xtrace = false; state.opts.verbose = false; if (i < args.length) setPositional = true; break; }
    // A lone "+" is an ignored option, as in dash.
    if (a == "+") { i++; continue; }
    if (a.length < 2 || (a.charAt(0) != "-" && a.charAt(0) != "+")) break;
    const on = a.charAt(0) == "-";
    for (let k = 1; k < a.length; k++) {
      const letter = a.charAt(k);
      if (letter == "o") {
        if (i + 1 >= args.length) { listOptions(on); continue; }
        const optName = args[++i];
        if (!setLongOption(optName, on)) return fatalError("set: Illegal option " + a.charAt(0) + "o " + optName);
      } else if (!setFlag(letter, on)) return fatalError("set: Illegal option " + a.charAt(0) + letter);
    }
    i++;
  }
  if (setPositional || i < args.length) { state.positional = args.slice(i); state.optind = 1; state.optoff = -1; }
  return 0;
}

/** set -o (a table) or set +o (commands that restore the options). */
function listOptions(table: bool): void {
  if (table) stdout.line("Current option settings");
  for (let k = 0; k < OPTION_NAMES.length; k++) {
    const on = getOption(state.opts, k);
    if (table) { stdout.str(OPTION_NAMES[k]); for (let p = OPTION_NAMES[k].length; p < 16; p++) stdout.byte(32); stdout.line(on ? "on" : "off"); }
    else stdout.str("set ").str(on ? "-o " : "+o ").line(OPTION_NAMES[k]);
  }
}

// exec with only redirections makes them permanent; runBuiltin's caller restores fdCtx otherwise.
let keepRedirections = false;

/** alias [NAME[=VALUE]]...: defines or prints aliases; no operands prints them all. */
function aliasBuiltin(args: string[]): i32 {
  if (args.length == 0) {
    const names = state.aliases.keys();
    names.sort();
    for (let i = 0; i < names.length; i++) stdout.str(names[i]).str("=").line(shellQuote(state.aliases.get(names[i])));
    return 0;
  }
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    const eq = args[i].indexOf("=");
    if (eq > 0) { state.aliases.set(args[i].substring(0, eq), args[i].substring(eq + 1)); state.aliasGeneration++; continue; }
    if (state.aliases.has(args[i])) stdout.str(args[i]).str("=").line(shellQuote(state.aliases.get(args[i])));
    else { error("alias: " + args[i] + " not found"); status = 1; }
  }
  return status;
}

/** unalias -a | NAME...: removes aliases. */
function unaliasBuiltin(args: string[]): i32 {
  if (args.length == 1 && args[0] == "-a") { state.aliases.clear(); state.aliasGeneration++; return 0; }
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    if (state.aliases.has(args[i])) { state.aliases.delete(args[i]); state.aliasGeneration++; }
    else { error("unalias: " + args[i] + " not found"); status = 1; }
  }
  return status;
}

const SIGNAL_NAMES = ["EXIT", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH"];

/** Signals kill knows, 0 to 64, as Linux numbers them. */
const KILL_SIGNALS = 65;

/** A signal's name as dash's kill -l gives it (the number where Linux has no name). */
function killSignalName(n: i32): string {
  if (n >= 1 && n < SIGNAL_NAMES.length && n != 16) return SIGNAL_NAMES[n];
  if (n >= 29 && n <= 31) return ["IO", "PWR", "SYS"][n - 29];
  if (n == 34) return "RTMIN";
  if (n >= 35 && n <= 49) return "RTMIN+" + (n - 34).toString();
  if (n >= 50 && n <= 63) return "RTMAX-" + (64 - n).toString();
  if (n == 64) return "RTMAX";
  return n.toString();
}

/** kill's signal: a number below 65, or a name in any case after an optional "SIG"; -1 if none. */
function killSignal(spec: string): i32 {
  if (isDigits(spec)) { const n = <i32>parseIntOr(spec, -1); return n < KILL_SIGNALS ? n : -1; }
  const name = (spec.startsWith("SIG") ? spec.substring(3) : spec).toUpperCase();
  for (let n = 1; n < KILL_SIGNALS; n++) if (killSignalName(n) == name) return n;
  return -1;
}

function isDigits(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

/**
 * kill [-s SIG | -SIG] PID|JOB... and kill -l [STATUS], as dash: its messages and status 2 for bad
 * use; a job (%N ...) needs job control (an interactive shell), as in dash.
 */
function killCommand(args: string[]): i32 {
  let sig = 15;
  let i = 0;
  if (args.length > 0 && args[0] == "-l") {
    if (args.length == 1) { for (let n = 0; n < KILL_SIGNALS; n++) stdout.line(killSignalName(n)); return 0; }
    if (!isDigits(args[1])) { error("kill: Illegal number: " + args[1]); return 2; }
    const value = <i32>parseIntOr(args[1], 0);
    const n = value > 128 ? value - 128 : value;
    if (n <= 0 || n >= KILL_SIGNALS) { error("kill: invalid signal number or exit status: " + args[1]); return 2; }
    stdout.line(killSignalName(n));
    return 0;
  }
  if (args.length > 0 && args[0] == "-s") {
    if (args.length < 2) { error("kill: No arg for -s option"); return 2; }
    sig = killSignal(args[1]);
    if (sig < 0) { error("kill: invalid signal number or name: " + args[1]); return 2; }
    i = 2;
  } else if (args.length > 0 && args[0] == "--") i = 1;
  else if (args.length > 0 && args[0].length > 1 && args[0].charCodeAt(0) == 45) {
    sig = killSignal(args[0].substring(1));
    if (sig < 0) { error("kill: Illegal option -" + args[0].charAt(1)); return 2; }
    i = 1;
  }
  if (i >= args.length) { error("kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\nkill -l [exitstatus]"); return 2; }
  let status = 0;
  for (; i < args.length; i++) {
    const target = args[i];
    if (target.startsWith("%")) {
      if (!interactive) { error("kill: No such process"); status = 1; continue; }
      if (killBuiltin(["-" + sig.toString(), target]) != 0) status = 1;
      continue;
    }
    const negative = target.startsWith("-");
    if (!isDigits(negative ? target.substring(1) : target)) { error("kill: Illegal number: " + target); return 2; }
    const err = killProcess(<i32>parseIntOr(target, 0), sig);
    // dash's message for a missing process ends with an empty line.
    if (err != 0) { error("kill: " + (err == ESRCH ? "No such process\n" : strerror(err))); status = 1; }
  }
  return status;
}

/** A signal number from a name (INT, SIGINT, EXIT) or a number; -1 if there is none. */
function signalNumber(spec: string): i32 {
  let name = spec.toUpperCase();
  if (name.startsWith("SIG")) name = name.substring(3);
  const k = SIGNAL_NAMES.indexOf(name);
  if (k >= 0) return k;
  const n = <i32>parseIntOr(spec, -1);
  return n >= 0 && n < SIGNAL_NAMES.length ? n : -1;
}

/** trap [ACTION CONDITION...]: ACTION "-" resets, "" ignores; no arguments lists the traps. */
function trapBuiltin(args: string[]): i32 {
  let i = 0;
  if (i < args.length && args[i] == "--") i++;
  else if (i < args.length && args[i].length > 1 && args[i].charCodeAt(0) == 45 && args[i] != "-") return fatalError("trap: Illegal option -" + args[i].charAt(1));
  if (i >= args.length) {
    for (let sig = 0; sig < SIGNAL_NAMES.length; sig++) {
      if (state.traps.has(sig)) stdout.str("trap -- ").str(shellQuote(state.traps.get(sig))).str(" ").line(SIGNAL_NAMES[sig]);
    }
    return 0;
  }
  // A first operand that is a number is a condition: "trap 2 15" resets them.
  let action = args[i];
  if (args.length - i == 1 || parseIntOr(action, -1) >= 0) action = "-"; else i++;
  let status = 0;
  for (; i < args.length; i++) {
    // As dash: names in any case but without "SIG", and the message without the script's name and line.
    const sig = args[i].toUpperCase().startsWith("SIG") ? -1 : signalNumber(args[i]);
    if (sig < 0) { stdout.flush(); stderr.str("trap: ").str(args[i]).str(": bad trap\n").flush(); status = 1; continue; }
    if (action == "-") { state.traps.delete(sig); if (sig > 0) sigaction(sig, sig == SIGINT && interactive ? SIG_CATCH : SIG_DFL); continue; }
    state.traps.set(sig, action);
    if (sig > 0) sigaction(sig, action == "" ? SIG_IGN : SIG_CATCH);
  }
  return status;
}

/** Runs the actions of trapped signals that arrived; $? is kept across them. */
function runPendingTraps(): void {
  const mask = takeSignals();
  if (mask == 0) return;
  for (let sig = 1; sig < 32; sig++) {
    if ((mask & (1 << sig)) == 0 || !state.traps.has(sig)) continue;
    const action = state.traps.get(sig);
    if (action == "") continue;
    const saved = state.lastStatus;
    runSource(action);
    if (!exitRequested) state.lastStatus = saved;
  }
}

/** Runs the EXIT trap once, as the shell ends; an exit inside it sets the status. */
function runExitTrap(status: i32): i32 {
  if (!state.traps.has(0)) return status;
  const action = state.traps.get(0);
  state.traps.delete(0);
  exitRequested = false;
  state.lastStatus = status;
  runSource(action);
  const result = exitRequested ? exitCode : status;
  exitRequested = true;
  exitCode = result;
  return result;
}

/**
 * getopts OPTSTRING NAME [ARG]...: the next option of ARGs (default the positional parameters),
 * as dash does it: OPTIND is the index of the next argument even in the middle of a bundle like
 * -abc (the place inside it is kept apart, and lost when OPTIND is set or the parameters change).
 */
function getoptsBuiltin(args: string[]): i32 {
  if (args.length < 2) { error("Usage: getopts optstring var [arg]"); return 2; }
  const spec = args[0];
  const varName = args[1];
  const params = args.length > 2 ? args.slice(2) : state.positional;
  if (state.optind > params.length + 1) { state.optind = 1; state.optoff = -1; }
  const ind = state.optind;
  const off = state.optoff;
  let next = ind - 1;
  let word = "";
  let p = -1;
  if (!(ind <= 1 || off < 0 || next < 1 || params[next - 1].length < off)) { word = params[next - 1]; p = off; }
  let c = "?";
  let done = false;
  let optarg: string | null = null;
  do {
    if (p < 0 || p >= word.length) {
      // The current word is done: the next one must be an option.
      if (next >= params.length || !params[next].startsWith("-") || params[next].length == 1 || params[next] == "--") {
        if (next < params.length && params[next] == "--") next++;
        p = -1; done = true; break;
      }
      word = params[next++]; p = 1;
    }
    c = word.charAt(p++);
    const at = c == ":" ? -1 : spec.indexOf(c, spec.startsWith(":") ? 1 : 0);
    if (at < 0) {
      if (spec.startsWith(":")) optarg = c;
      else { stdout.flush(); stderr.str("Illegal option -").str(c).str("\n").flush(); }
      c = "?";
      break;
    }
    if (at + 1 < spec.length && spec.charAt(at + 1) == ":") {
      if (p >= word.length) {
        if (next >= params.length) {
          if (spec.startsWith(":")) { optarg = c; c = ":"; }
          else { stdout.flush(); stderr.str("No arg for -").str(c).str(" option\n").flush(); c = "?"; }
          break;
        }
        optarg = params[next++];
      } else optarg = word.substring(p);
      p = -1;
    } else optarg = "";
  } while (false);
  if (optarg != null) state.vars.set("OPTARG", optarg!); else if (!done) state.vars.delete("OPTARG");
  state.optind = next + 1;
  state.optoff = p >= 0 ? p : -1;
  state.vars.set("OPTIND", state.optind.toString());
  if (!isName(varName)) { error("getopts: " + varName + ": bad variable name"); return 2; }
  if (!setVar(varName, done ? "?" : c)) return 2;
  return done ? 1 : 0;
}

/**
 * read [-r] [-p PROMPT] NAME...: one line from fd 0 (dash's options only; no NAME is an error).
 * Without -r a backslash quotes the next character (kept from splitting) and backslash-newline
 * joins lines. The line is split on IFS, the last NAME taking the rest; status 1 at end of input.
 */
function readBuiltin(args: string[]): i32 {
  let raw = false;
  let prompt = "";
  let i = 0;
  for (; i < args.length && args[i].length > 1 && args[i].charCodeAt(0) == 45; i++) {
    const a = args[i];
    if (a == "--") { i++; break; }
    for (let k = 1; k < a.length; k++) {
      const c = a.charAt(k);
      if (c == "r") raw = true;
      else if (c == "p") {
        if (k + 1 < a.length) prompt = a.substring(k + 1);
        else if (i + 1 < args.length) prompt = args[++i];
        else { error("read: No arg for -p option"); return 2; }
        break;
      } else { error("read: Illegal option -" + c); return 2; }
    }
  }
  if (i >= args.length) { error("read: arg count"); return 2; }
  if (prompt.length > 0 && interactive) { stderr.str(prompt); stderr.flush(); }
  const line = new ByteBuf(64);
  const escaped = new Array<bool>();
  const one = heap.alloc(1);
  let status = 0;
  for (;;) {
    if (readSome(fdCtx[0], one, 1) <= 0) { status = 1; break; }
    let c = <i32>load<u8>(one);
    if (c == 10) break;
    let quoted = false;
    if (c == 92 && !raw) {
      if (readSome(fdCtx[0], one, 1) <= 0) { status = 1; break; }
      c = <i32>load<u8>(one);
      if (c == 10) continue;
      quoted = true;
    }
    line.appendByte(c);
    escaped.push(quoted);
  }
  heap.free(one);
  const ifsVar = getVar("IFS");
  const fields = splitReadLine(line, escaped, ifsVar != null ? ifsVar! : " \t\n", args.length - i);
  heap.free(line.ptr);
  for (let k = 0; i + k < args.length; k++) {
    if (!setVar(args[i + k], k < fields.length ? fields[k] : "")) return 2;
  }
  return status;
}

/** Splits a line read by read into at most count fields (the last one the rest, less one trailing delimiter). */
function splitReadLine(line: ByteBuf, escaped: bool[], ifs: string, count: i32): string[] {
  const fields = new Array<string>();
  const len = line.len;
  const at = (k: i32, line: ByteBuf): i32 => <i32>load<u8>(line.ptr + k);
  let p = 0;
  while (p < len && !escaped[p] && isIfsSpace(ifs, at(p, line))) p++;
  while (p < len || fields.length == 0) {
    if (fields.length == count - 1) {
      let end = len;
      while (end > p && !escaped[end - 1] && isIfsSpace(ifs, at(end - 1, line))) end--;
      // A trailing non-blank delimiter goes when the rest is one field ("a:b:" gives b); when the rest
      // holds other delimiters it stays ("b::", "b c:"), as in dash.
      if (end > p && !escaped[end - 1] && isIfsOther(ifs, at(end - 1, line))) {
        let fieldEnd = end - 1;
        while (fieldEnd > p && !escaped[fieldEnd - 1] && isIfsSpace(ifs, at(fieldEnd - 1, line))) fieldEnd--;
        let oneField = true;
        for (let k = p; k < fieldEnd; k++) if (!escaped[k] && ifs.indexOf(String.fromCharCode(at(k, line))) >= 0) { oneField = false; break; }
        if (oneField) end = fieldEnd;
      }
      fields.push(String.UTF8.decodeUnsafe(line.ptr + p, end - p));
      return fields;
    }
    let end = p;
    while (end < len && (escaped[end] || ifs.indexOf(String.fromCharCode(at(end, line))) < 0)) end++;
    fields.push(String.UTF8.decodeUnsafe(line.ptr + p, end - p));
    p = end;
    // One delimiter: IFS white space around at most one other IFS character.
    while (p < len && !escaped[p] && isIfsSpace(ifs, at(p, line))) p++;
    if (p < len && !escaped[p] && isIfsOther(ifs, at(p, line))) {
      p++;
      while (p < len && !escaped[p] && isIfsSpace(ifs, at(p, line))) p++;
    }
    if (p >= len) break;
  }
  return fields;
}

function isIfsOther(ifs: string, c: i32): bool {
  return c != 32 && c != 9 && c != 10 && ifs.indexOf(String.fromCharCode(c)) >= 0;
}

function isIfsSpace(ifs: string, c: i32): bool {
  return (c == 32 || c == 9 || c == 10) && ifs.indexOf(String.fromCharCode(c)) >= 0;
}

/** $(...): runs cmd in a child shell and returns its output without trailing newlines. */
function substitute(cmd: string, line: i32): string {
  const err = pipe();
  if (err != 0) { error("pipe: " + strerror(err)); return ""; }
  const readEnd = pipeRead;
  const ctx = copyCtx();
  ctx[1] = pipeWrite;
  const pid = spawnShell(cmd, ctx, 0, line);
  close(pipeWrite);
  const out = new ByteBuf();
  out.readFrom(readEnd);
  close(readEnd);
  state.lastStatus = waitFor(pid, cmd, false);
  state.substitutions++;
  let len = out.len;
  while (len > 0 && load<u8>(out.ptr + len - 1) == 10) len--;
  return String.UTF8.decodeUnsafe(out.ptr, len);
}

/** Parses and runs a complete source text (lineBase: lines read before it, for error messages).
 *  On a syntax error the complete lines before the one holding it run first, as in dash. */
function runSource(text: string, lineBase: i32 = 0, fromScript: bool = false): i32 {
  const parser = new Parser(text, lineBase);
  if (state.aliases.size > 0) parser.aliases = state.aliases;
  let tree = parser.program();
  if (parser.error != "" || parser.incomplete) {
    let cut = parser.errorPos;
    while (cut > 0 && text.charCodeAt(cut - 1) != 10) cut--;
    while (cut > 0) {
      const before = new Parser(text.substring(0, cut), lineBase);
      if (state.aliases.size > 0) before.aliases = state.aliases;
      const prefix = before.program();
      if (before.error == "" && !before.incomplete) {
        const outerSource = state.source; const outerLine = state.line;
        state.source = text;
        // An alias the lines define applies to the lines after (dash reads a line at a time): the
        // rest is parsed again then, and the error may be no error at all.
        state.reparsed = false;
        const generation = state.aliasGeneration;
        const status = text.indexOf("alias") >= 0 ? runTreeWithAliases(prefix, text, lineBase) : runTree(prefix);
        state.source = outerSource; state.line = outerLine;
        if (state.reparsed) { state.reparsed = false; return status; }
        if (state.aliasGeneration != generation && !exitRequested) {
          let lines = 0;
          for (let k = 0; k < cut; k++) if (text.charCodeAt(k) == 10) lines++;
          return runSource(text.substring(cut), lineBase + lines);
        }
        break;
      }
      if (before.safeEnd >= cut) break;
      cut = before.safeEnd;
    }
    if (exitRequested) return exitCode;
    const line = lineBase + parser.lineOf(parser.error != "" ? parser.errorLinePos : text.length);
    const context = state.commandName.length > 0 ? state.commandName + ": " : "";
    warn(interactive ? "sh" : errorName, line.toString() + ": " + context + (parser.error != "" ? parser.error : "Syntax error: end of file unexpected"));
    state.lastStatus = 2;
    if (!interactive) { exitRequested = true; exitCode = 2; }
    return 2;
  }
  const outerSource = state.source; const outerLine = state.line;
  state.source = text;
  const status = text.indexOf("alias") >= 0 ? runTreeWithAliases(tree, text, lineBase)
    : fromScript ? runTreeEchoing(tree, text) : runTree(tree);
  state.source = outerSource; state.line = outerLine;
  return status;
}

/** Runs a top-level list one command at a time; after a command that changed the aliases, the rest
 *  of the source is parsed again so that they apply to the commands after it. */
function runTreeWithAliases(tree: Node, text: string, lineBase: i32): i32 {
  let status = state.lastStatus;
  const generation = state.aliasGeneration;
  let changedAt = -1;
  for (let i = 0; i < tree.kids.length; i++) {
    // As in dash, a changed alias applies from the next line: the rest of this one was parsed already.
    if (changedAt >= 0 && text.substring(changedAt, tree.kids[i].pos).indexOf("\n") >= 0) {
      const from = tree.kids[i].pos;
      let lines = 0;
      for (let k = 0; k < from; k++) if (text.charCodeAt(k) == 10) lines++;
      const status = runSource(text.substring(from), lineBase + lines);
      state.reparsed = true;
      return status;
    }
    const one = new Node(N_LIST);
    one.kids.push(tree.kids[i]);
    one.flags.push(tree.flags[i]);
    one.text = tree.kids[i].text;
    status = runTree(one);
    if (exitRequested || breakLevels > 0 || continueLevels > 0 || returning) return status;
    if (changedAt < 0 && state.aliasGeneration != generation) changedAt = tree.kids[i].pos;
  }
  return status;
}

/** Runs a script's top-level list one command at a time so that, under set -v, the lines a command
 *  was read from go to stderr before it runs (and the rest at the end), as dash reads a script. */
function runTreeEchoing(tree: Node, text: string): i32 {
  let status = state.lastStatus;
  let echoed = 0;
  for (let i = 0; i < tree.kids.length; i++) {
    const kid = tree.kids[i];
    // A command's text ends with a newline when it holds here-documents (their bodies read with it).
    const end = kid.pos + kid.text.length;
    let lineEnd = end;
    if (end == 0 || text.charCodeAt(end - 1) != 10) {
      const newline = text.indexOf("\n", end);
      lineEnd = newline < 0 ? text.length : newline + 1;
    }
    if (state.opts.verbose && lineEnd > echoed) echoSource(text.substring(echoed, lineEnd));
    if (lineEnd > echoed) echoed = lineEnd;
    const one = new Node(N_LIST);
    one.kids.push(kid);
    one.flags.push(tree.flags[i]);
    one.text = kid.text;
    status = runTree(one);
    if (exitRequested || breakLevels > 0 || continueLevels > 0 || returning) return status;
  }
  if (state.opts.verbose && echoed < text.length) echoSource(text.substring(echoed));
  return status;
}

function echoSource(lines: string): void {
  stdout.flush();
  stderr.str(lines);
  stderr.flush();
}

function runTree(tree: Node): i32 {
  const status = exec(tree);
  state.lastStatus = status;
  return status;
}

/**
 * An interactive shell does job control: it leads its own process group, holds the terminal, and
 * ignores the keyboard's stop and quit signals (its jobs get them); ^C only interrupts its waits.
 */
function startInteractive(): void {
  sigaction(SIGINT, SIG_CATCH);
  sigaction(SIGQUIT, SIG_IGN);
  sigaction(SIGTSTP, SIG_IGN);
  sigaction(SIGTTIN, SIG_IGN);
  sigaction(SIGTTOU, SIG_IGN);
  if (getpgid(0) != getpid()) setpgid(0, 0);
  enableJobControl();
}

/** LINES and COLUMNS from the terminal's window size, as bash's checkwinsize keeps them. */
function readWindowSize(): void {
  if (winsize(0) != 0) return;
  state.vars.set("LINES", windowRows.toString());
  state.vars.set("COLUMNS", windowCols.toString());
}

/** Reads commands from stdin until EOF: a line at a time, more lines while a command is unfinished. */
function readLoop(): i32 {
  let pending = "";
  let linesRead = 0;
  for (;;) {
    let line: string | null;
    if (interactive) {
      if (pending.length == 0) { reapJobs(true); readWindowSize(); }
      const ps = getVar(pending.length > 0 ? "PS2" : "PS1");
      const path = getVar("PATH");
      setCompletionPath(path != null ? path : "/bin", windowCols);
      tty_mode(0, TTY_RAW);
      line = editLine(ps != null ? ps : pending.length > 0 ? "> " : "$ ");
      tty_mode(0, TTY_COOKED);
      readWindowSize();
    } else line = readLineUnbuffered(0);
    if (line == null) {
      if (pending.length == 0) return state.lastStatus;
      // A here-document ended by the end of input is complete, as in dash.
      const last = new Parser(pending);
      last.program();
      runSource(pending, linesRead);
      return exitRequested ? exitCode : state.lastStatus;
    }
    if (state.opts.verbose) echoSource(line + "\n");
    pending += line + "\n";
    const parser = new Parser(pending);
    if (state.aliases.size > 0) parser.aliases = state.aliases;
    parser.program();
    if (parser.incomplete || parser.incompleteHeredoc) continue;
    clearInterrupted();
    runSource(pending, linesRead);
    clearInterrupted();
    for (let k = 0; k < pending.length; k++) if (pending.charCodeAt(k) == 10) linesRead++;
    pending = "";
    if (exitRequested) return exitCode;
  }
  return state.lastStatus;
}

/** sh [-c COMMAND [NAME [ARG]...] | SCRIPT [ARG]...] */
export function shMain(argv0: string, args: string[]): i32 {
  for (let i = 0; i < FD_SLOTS; i++) fdCtx[i] = i < 3 ? i : -1;
  takeInheritedFds();
  setCommandSubstitution(substitute);
  state.pid = getpid();
  state.name = argv0;
  const env = environ();
  for (let i = 0; i < env.length; i++) {
    const eq = env[i].indexOf("=");
    state.vars.set(env[i].substring(0, eq), env[i].substring(eq + 1));
    state.exported.add(env[i].substring(0, eq));
  }
  const childShell = state.vars.has(SUBSHELL_VAR);
  takeSubshellMarker();
  takeDefinitions();
  // PPID is the parent of the shell itself (a child shell keeps its parent's), whatever the environment said.
  if (!childShell) state.vars.set("PPID", getppid().toString());
  state.vars.set("PWD", getcwd());
  state.exported.add("PWD");
  if (!state.vars.has("PATH")) state.vars.set("PATH", "/bin");
  state.vars.set("OPTIND", "1");
  // IFS starts as space, tab and newline (not exported), as POSIX has it and dash does.
  if (!state.vars.has("IFS")) state.vars.set("IFS", " \t\n");
  let i = 0;
  let command: string | null = null;
  let forceInteractive = false;
  let wantCommand = false;
  while (i < args.length && (args[i].startsWith("-") || args[i].startsWith("+")) && args[i].length > 1) {
    const opt = args[i++];
    if (opt == "--") break;
    const on = opt.charAt(0) == "-";
    for (let k = 1; k < opt.length; k++) {
      const letter = opt.charAt(k);
      if (letter == "c") wantCommand = true;
      else if (letter == "i") forceInteractive = true;
      else if (letter == "s") continue;
      else if (letter == "o") {
        if (i >= args.length || !setLongOption(args[i], on)) { error("Illegal option -o " + (i < args.length ? args[i] : "")); return 2; }
        i++;
      } else if (!setFlag(letter, on)) { error("Illegal option " + opt.charAt(0) + letter); return 2; }
    }
  }
  if (wantCommand) {
    if (i >= args.length) { error("-c requires an argument"); return 2; }
    command = args[i++];
  }
  let status = 0;
  if (command != null) {
    if (i < args.length) { state.name = args[i++]; if (!inheritedErrorName) errorName = state.name; }
    state.positional = args.slice(i);
    status = runSource(command as string, inheritedLineBase);
  } else if (i < args.length) {
    const script = args[i++];
    state.name = script;
    errorName = script;
    state.positional = args.slice(i);
    const data = readFile(script);
    if (data == null) { error(script + ": " + strerror(lastError)); return lastError == ENOENT ? 127 : 126; }
    status = runSource(String.UTF8.decode(data.buffer), 0, true);
  } else {
    interactive = forceInteractive || tty_mode(0, TTY_COOKED) == 0;
    if (interactive) startInteractive();
    status = readLoop();
  }
  status = runExitTrap(exitRequested ? exitCode : status);
  stdout.flush();
  return status;
}

