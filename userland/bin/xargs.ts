// xargs: builds command lines from standard input or -a FILE (POSIX quoting, -0, -d) and runs them,
// with -n, -L, -I, -r, -t, -p, -x, -P parallel runs, GNU's long options, messages and exit statuses.

import { replaceAll } from "../lib/strings";
import { stderr, warn, ByteBuf, readLineUnbuffered } from "../lib/io";
import { getopt, expandLong, parseIntOr, Options } from "../lib/opts";
import * as fs from "../lib/fs";
import * as proc from "../lib/proc";
import { strerror, EINTR, ENOENT, ECHILD } from "../lib/errno";
import { which } from "./system";

/** One input item and the number of the input line it ended (for -L). */
class Item { constructor(public word: string, public lineEnd: bool) {} }

/** Splits input the POSIX way: blanks separate, quotes and backslash protect; -1 on an unmatched quote. */
function splitWords(text: string, items: Item[], eofString: string): string {
  let word = "";
  let inWord = false;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote != 0) {
      if (c == quote) quote = 0;
      else if (c == 10) return "unmatched " + (quote == 39 ? "single" : "double") + " quote; by default quotes are special to xargs unless you use the -0 option";
      else word += String.fromCharCode(c);
      continue;
    }
    if (c == 39 || c == 34) { quote = c; inWord = true; continue; }
    if (c == 92 && i + 1 < text.length) { word += text.charAt(++i); inWord = true; continue; }
    if (c == 32 || c == 9 || c == 10) {
      if (inWord) {
        if (eofString != "" && word == eofString) return "";
        // A line ending in a blank continues onto the next line for -L.
        items.push(new Item(word, c == 10));
        word = ""; inWord = false;
      } else if (c == 10 && items.length > 0 && !items[items.length - 1].lineEnd) {
        const prev = i > 0 ? text.charCodeAt(i - 1) : 10;
        if (prev != 32 && prev != 9) items[items.length - 1].lineEnd = true;
      }
      continue;
    }
    word += String.fromCharCode(c);
    inWord = true;
  }
  if (quote != 0) return "unmatched " + (quote == 39 ? "single" : "double") + " quote; by default quotes are special to xargs unless you use the -0 option";
  if (inWord && !(eofString != "" && word == eofString)) items.push(new Item(word, true));
  return "";
}

class Runner {
  running: i32 = 0;
  /** The command name of each running pid, for GNU's "xargs: NAME: exited with status 255". */
  names: Map<i32, string> = new Map<i32, string>();
  status: i32 = 0;
  fatal: i32 = -1;
  /** With -p: the terminal the answers are read from. */
  tty: i32 = -1;
  constructor(public maxProcs: i32, public trace: bool, public prompt: bool) {}

  start(argv: string[]): void {
    while (this.running >= this.maxProcs) this.reapOne();
    if (this.fatal >= 0) return;
    if (this.prompt) {
      // -p: "COMMAND ARGS ?..." on stderr; it runs when the answer from the terminal begins with y.
      if (this.tty < 0) this.tty = fs.open("/dev/tty");
      if (this.tty < 0) { warn("xargs", "failed to open /dev/tty for reading: " + strerror(fs.lastError)); this.fatal = 1; return; }
      stderr.str(argv.join(" ")).str(" ?...").flush();
      const answer = readLineUnbuffered(this.tty);
      if (answer == null || !(answer.startsWith("y") || answer.startsWith("Y"))) return;
    } else if (this.trace) stderr.line(argv.join(" ")).flush();
    const path = which(argv[0]);
    if (path == "") { warn("xargs", argv[0] + ": No such file or directory"); this.fatal = 127; return; }
    const pid = proc.spawn(path, argv, null, fs.getcwd(), []);
    if (pid < 0) { warn("xargs", argv[0] + ": " + strerror(-pid)); this.fatal = -pid == ENOENT ? 127 : 126; return; }
    this.running++;
    this.names.set(pid, argv[0]);
  }

  reapOne(): void {
    let err = proc.wait(-1);
    while (err == EINTR) err = proc.wait(-1);
    if (err == ECHILD) { this.running = 0; return; }
    if (err != 0) { this.running--; return; }
    this.running--;
    const st = proc.waitedStatus;
    const pid = proc.waitedPid;
    const name = this.names.has(pid) ? this.names.get(pid) : "child";
    if (this.names.has(pid)) this.names.delete(pid);
    if ((st & 0x7f) != 0) {
      warn("xargs", name + ": terminated by signal " + (st & 0x7f).toString());
      this.fatal = 125;
      return;
    }
    const code = (st >> 8) & 0xff;
    if (code == 255) { warn("xargs", name + ": exited with status 255; aborting"); this.fatal = 124; }
    else if (code == 127 || code == 126) this.fatal = code;
    else if (code != 0) this.status = 123;
  }

  finish(): i32 {
    while (this.running > 0) this.reapOne();
    return this.fatal >= 0 ? this.fatal : this.status;
  }
}

/** GNU xargs's long options. */
const LONG_OPTIONS = ["null=0", "arg-file:a", "delimiter:d", "eof:E", "replace:I", "max-lines:L", "max-args:n", "max-procs:P",
  "max-chars:s", "no-run-if-empty=r", "verbose=t", "exit=x", "interactive=p"];

/** A usage error as GNU xargs prints it, status 1. */
function badUsage(message: string): i32 {
  warn("xargs", message);
  stderr.line("Try 'xargs --help' for more information.").flush();
  return 1;
}

/** A count option's value (>= 1), or -1 after the error GNU prints. */
function countOption(o: Options, letter: string, fallback: string): i32 {
  const text = o.value(letter, fallback);
  const v = parseIntOr(text, -2);
  if (v == -2 || v > <i64>i32.MAX_VALUE) { badUsage("invalid number \"" + text + "\" for -" + letter + " option"); return -1; }
  if (v < 1) { badUsage("value " + text + " for -" + letter + " option should be >= 1"); return -1; }
  return <i32>v;
}

/**
 * xargs [-0prtx] [-a FILE] [-d DELIM] [-n N] [-L N | -l[N]] [-I STR | -i[STR]] [-P N]
 * [-s SIZE] [-E EOF | -e[EOF]] [COMMAND [ARG]...], with GNU's long options.
 */
export function xargsMain(argList: string[]): i32 {
  const SPEC = "0rtxpn:L:I:P:s:d:E:a:";
  // -i, -l and -e take their value only when attached (GNU's optional arguments).
  const args = new Array<string>();
  let optionsEnd = false;
  for (let i = 0; i < argList.length; i++) {
    const a = argList[i];
    if (optionsEnd || a == "--" || !a.startsWith("-") || a.length < 2) { optionsEnd = true; args.push(a); continue; }
    if (a.startsWith("-i")) args.push("-I" + (a.length > 2 ? a.substring(2) : "{}"));
    else if (a.startsWith("-l")) args.push("-L" + (a.length > 2 ? a.substring(2) : "1"));
    else if (a == "-e") { args.push("-E"); args.push(""); }
    else if (a.startsWith("-e")) args.push("-E" + a.substring(2));
    else {
      args.push(a);
      if (a.length == 2 && SPEC.indexOf(a.charAt(1) + ":") >= 0 && i + 1 < argList.length) args.push(argList[++i]);
    }
  }
  const longError = expandLong(args, SPEC, LONG_OPTIONS, false);
  if (longError != "") return badUsage(longError);
  const o = getopt(args, SPEC, false);
  if (o.error != "") return badUsage(o.error);
  const command = o.operands.length > 0 ? o.operands : ["echo"];
  const maxArgs = o.has("n") ? countOption(o, "n", "") : 0;
  if (maxArgs < 0) return 1;
  const maxLines = o.has("L") ? countOption(o, "L", "") : 0;
  if (maxLines < 0) return 1;
  const replace = o.has("I") ? o.value("I", "{}") : "";
  const procsText = o.value("P", "1");
  const maxProcs = <i32>parseIntOr(procsText, -1);
  if (maxProcs < 0) return badUsage("invalid number \"" + procsText + "\" for -P option");
  const maxChars = o.has("s") ? countOption(o, "s", "") : 131072;
  if (maxChars < 0) return 1;

  let input = 0;
  if (o.has("a")) {
    const name = o.value("a", "");
    input = name == "-" ? 0 : fs.open(name);
    if (input < 0) { warn("xargs", "Cannot open input file '" + name + "': " + strerror(fs.lastError)); return 1; }
  }
  const data = new ByteBuf();
  data.readFrom(input);
  const text = data.toString();
  const items = new Array<Item>();
  let quoteError = "";
  if (o.has("0") || o.has("d")) {
    let delim = "\0";
    if (o.has("d")) {
      const d = o.value("d", "\n");
      delim = d == "\\n" ? "\n" : d == "\\t" ? "\t" : d == "\\0" ? "\0" : d.substring(0, 1);
    }
    const parts = text.split(delim);
    // A trailing delimiter ends the last item rather than starting an empty one.
    const count = parts.length > 0 && parts[parts.length - 1] == "" ? parts.length - 1 : parts.length;
    for (let i = 0; i < count; i++) items.push(new Item(parts[i], true));
  } else if (replace != "") {
    // -I: each input line is one item, leading blanks removed.
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i];
      let s = 0;
      while (s < line.length && (line.charCodeAt(s) == 32 || line.charCodeAt(s) == 9)) s++;
      line = line.substring(s);
      const eof = o.value("E", "");
      if (eof != "" && line == eof) break;
      if (line.length > 0) items.push(new Item(line, true));
    }
  } else {
    // An unmatched quote ends the input: what came before it still runs, then the status is 1.
    quoteError = splitWords(text, items, o.value("E", ""));
    if (quoteError != "") warn("xargs", quoteError);
  }

  const runner = new Runner(maxProcs == 0 ? 1 << 20 : maxProcs, o.has("t"), o.has("p"));
  if (items.length == 0) {
    if (!o.has("r") && replace == "" && quoteError == "") { runner.start(command); }
    const status = runner.finish();
    return quoteError != "" && status == 0 ? 1 : status;
  }
  if (replace != "") {
    for (let i = 0; i < items.length && runner.fatal < 0; i++) {
      const argv = new Array<string>();
      for (let c = 0; c < command.length; c++) argv.push(c == 0 ? command[c] : replaceAll(command[c], replace, items[i].word));
      runner.start(argv);
    }
    return runner.finish();
  }
  let base = 0;
  for (let c = 0; c < command.length; c++) base += command[c].length + 1;
  let i = 0;
  while (i < items.length && runner.fatal < 0) {
    const argv = command.slice(0);
    let size = base;
    let lines = 0;
    while (i < items.length) {
      const w = items[i].word;
      if (argv.length > command.length && size + w.length + 1 > maxChars) break;
      if (argv.length == command.length && size + w.length + 1 > maxChars && o.has("x")) { warn("xargs", "argument line too long"); return 1; }
      argv.push(w);
      size += w.length + 1;
      i++;
      if (items[i - 1].lineEnd) lines++;
      if (maxArgs > 0 && argv.length - command.length >= maxArgs) break;
      if (maxLines > 0 && lines >= maxLines) break;
    }
    runner.start(argv);
  }
  const status = runner.finish();
  return quoteError != "" && status == 0 ? 1 : status;
}
