// xargs: builds command lines from standard input (POSIX quoting, -0, -d) and runs them,
// with -n, -L, -I, -r, -t, -p-free, -P parallel runs and the exit statuses GNU xargs gives.

import { stderr, warn, ByteBuf } from "../lib/io";
import { getopt, parseIntOr } from "../lib/opts";
import { usage } from "../lib/cmd";
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
  status: i32 = 0;
  fatal: i32 = -1;
  constructor(public maxProcs: i32, public trace: bool) {}

  start(argv: string[]): void {
    while (this.running >= this.maxProcs) this.reapOne();
    if (this.fatal >= 0) return;
    if (this.trace) stderr.line(argv.join(" ")).flush();
    const path = which(argv[0]);
    if (path == "") { warn("xargs", argv[0] + ": No such file or directory"); this.fatal = 127; return; }
    const pid = proc.spawn(path, argv, null, fs.getcwd(), []);
    if (pid < 0) { warn("xargs", argv[0] + ": " + strerror(-pid)); this.fatal = -pid == ENOENT ? 127 : 126; return; }
    this.running++;
  }

  reapOne(): void {
    let err = proc.wait(-1);
    while (err == EINTR) err = proc.wait(-1);
    if (err == ECHILD) { this.running = 0; return; }
    if (err != 0) { this.running--; return; }
    this.running--;
    const st = proc.waitedStatus;
    if ((st & 0x7f) != 0) {
      warn("xargs", "child terminated by signal " + (st & 0x7f).toString());
      this.fatal = 125;
      return;
    }
    const code = (st >> 8) & 0xff;
    if (code == 255) { warn("xargs", "child exited with status 255; aborting"); this.fatal = 124; }
    else if (code == 127 || code == 126) this.fatal = code;
    else if (code != 0) this.status = 123;
  }

  finish(): i32 {
    while (this.running > 0) this.reapOne();
    return this.fatal >= 0 ? this.fatal : this.status;
  }
}

/** xargs [-0] [-d DELIM] [-n N] [-L N] [-I STR] [-r] [-t] [-P N] [-s SIZE] [-E EOF] [COMMAND [ARG]...] */
export function xargsMain(args: string[]): i32 {
  const o = getopt(args, "0rtxn:L:l:I:i:P:s:d:E:e:", false);
  if (o.error != "") return usage("xargs", o.error);
  const command = o.operands.length > 0 ? o.operands : ["echo"];
  let maxArgs = <i32>parseIntOr(o.value("n", "0"), -1);
  let maxLines = <i32>parseIntOr(o.value("L", o.value("l", "0")), -1);
  const replace = o.has("I") ? o.value("I", "{}") : o.has("i") ? o.value("i", "{}") : "";
  const maxProcs = <i32>parseIntOr(o.value("P", "1"), -1);
  const maxChars = <i32>parseIntOr(o.value("s", "131072"), -1);
  if (maxArgs < 0 || (o.has("n") && maxArgs == 0)) return usage("xargs", "invalid number \"" + o.value("n", "") + "\" for -n option");
  if (maxLines < 0) return usage("xargs", "invalid number for -L option");
  if (maxProcs < 0) return usage("xargs", "invalid number \"" + o.value("P", "") + "\" for -P option");
  if (maxChars <= 0) return usage("xargs", "invalid number for -s option");

  const data = new ByteBuf();
  data.readFrom(0);
  const text = data.toString();
  const items = new Array<Item>();
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
      const eof = o.value("E", o.value("e", ""));
      if (eof != "" && line == eof) break;
      if (line.length > 0) items.push(new Item(line, true));
    }
  } else {
    const err = splitWords(text, items, o.value("E", o.value("e", "")));
    if (err != "") { warn("xargs", err); return 1; }
  }

  const runner = new Runner(maxProcs == 0 ? 1 << 20 : maxProcs, o.has("t"));
  if (items.length == 0) {
    if (!o.has("r") && replace == "") { runner.start(command); }
    return runner.finish();
  }
  if (replace != "") {
    for (let i = 0; i < items.length && runner.fatal < 0; i++) {
      const argv = new Array<string>();
      for (let c = 0; c < command.length; c++) argv.push(c == 0 ? command[c] : command[c].replaceAll(replace, items[i].word));
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
  return runner.finish();
}
