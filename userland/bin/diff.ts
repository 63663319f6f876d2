// diff (normal, unified, context and ed output, -q, -s, -r on directories, -i -b -w -B) over a
// Myers O(ND) line diff, and patch, which applies unified (and normal) diffs with offsets, -p, -R and -i.

import { replaceAll } from "../lib/strings";
import { stdout, warn, Reader, ByteBuf, BLOCK, writeAll } from "../lib/io";
import { getopt, parseIntOr } from "../lib/opts";
import { usage, report } from "../lib/cmd";
import * as fs from "../lib/fs";
import { strerror } from "../lib/errno";
import { formatIso } from "./system";

class TextFile {
  lines: string[] = [];
  /** Whether the last line ended with a newline. */
  endsWithNewline: bool = true;
  ok: bool = true;
  mtimeNs: u64 = 0;
}

function loadText(prog: string, name: string): TextFile {
  const t = new TextFile();
  let fd = 0;
  if (name != "-") {
    const st = fs.stat(name);
    if (st != null) t.mtimeNs = st.mtim;
    fd = fs.open(name);
    if (fd < 0) { report(prog, name, fs.lastError); t.ok = false; return t; }
  }
  const r = new Reader(fd);
  while (r.nextLine()) { t.lines.push(r.lineString()); t.endsWithNewline = r.newline; }
  if (fd > 2) fs.close(fd);
  if (r.error != 0) { report(prog, name, r.error); t.ok = false; }
  return t;
}

/** An edit script entry: lines a[aStart, aEnd) are replaced by b[bStart, bEnd). */
class Change {
  constructor(public aStart: i32, public aEnd: i32, public bStart: i32, public bEnd: i32) {}
}

class DiffOptions {
  ignoreCase: bool = false;
  ignoreSpaceChange: bool = false;
  ignoreAllSpace: bool = false;
  ignoreBlankLines: bool = false;
}

function normalizeLine(s: string, o: DiffOptions): string {
  let t = s;
  if (o.ignoreAllSpace) { t = replaceAll(replaceAll(t, " ", ""), "\t", ""); }
  else if (o.ignoreSpaceChange) {
    let out = ""; let space = false;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c == 32 || c == 9) { space = true; continue; }
      if (space && out.length > 0) out += " ";
      space = false;
      out += String.fromCharCode(c);
    }
    t = out;
  }
  if (o.ignoreCase) t = t.toLowerCase();
  return t;
}

/** The changes turning a into b (Myers' greedy algorithm over line ids). */
function computeDiff(a: string[], b: string[], o: DiffOptions): Change[] {
  const ids = new Map<string, i32>();
  const A = new StaticArray<i32>(a.length); const B = new StaticArray<i32>(b.length);
  for (let i = 0; i < a.length; i++) { const k = normalizeLine(a[i], o); if (!ids.has(k)) ids.set(k, ids.size); A[i] = ids.get(k); }
  for (let i = 0; i < b.length; i++) { const k = normalizeLine(b[i], o); if (!ids.has(k)) ids.set(k, ids.size); B[i] = ids.get(k); }
  // Trim the common prefix and suffix first.
  let pre = 0;
  while (pre < a.length && pre < b.length && A[pre] == B[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && A[a.length - 1 - suf] == B[b.length - 1 - suf]) suf++;
  const n = a.length - pre - suf; const m = b.length - pre - suf;
  const changes = new Array<Change>();
  if (n == 0 && m == 0) return changes;
  const maxD = n + m;
  const offset = maxD + 1;
  let v = new StaticArray<i32>(2 * maxD + 3);
  const trace = new Array<StaticArray<i32>>();
  let found = false;
  for (let d = 0; d <= maxD && !found; d++) {
    // Past this many edits the trace gets too large: report the rest as one change.
    if (d > 3000) { changes.push(new Change(pre, pre + n, pre, pre + m)); return changes; }
    trace.push(StaticArray.slice<i32>(v, offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x: i32;
      if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) x = v[offset + k + 1];
      else x = v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && A[pre + x] == B[pre + y]) { x++; y++; }
      v[offset + k] = x;
      if (x >= n && y >= m) { found = true; break; }
    }
  }
  // Walk back through the trace collecting the diagonal moves' gaps as changes.
  let x = n; let y = m;
  const edits = new Array<i32>();   // pairs of (kind, index): 0 delete a[x], 1 insert b[y]
  for (let d = trace.length - 1; d > 0; d--) {
    // trace[d] holds V for diagonals -d..d at index k + d.
    const vd = trace[d];
    const k = x - y;
    let prevK: i32;
    if (k == -d || (k != d && vd[k - 1 + d] < vd[k + 1 + d])) prevK = k + 1; else prevK = k - 1;
    const prevX = vd[prevK + d];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) { x--; y--; }
    if (x == prevX) { y--; edits.push(1); edits.push(y); }
    else { x--; edits.push(0); edits.push(x); }
  }
  // edits are in reverse order; group consecutive ones into changes.
  let ai = 0; let bi = 0;
  let cur: Change | null = null;
  for (let e = edits.length - 2; e >= 0; e -= 2) {
    const kind = edits[e]; const idx = edits[e + 1];
    // Advance over the common lines before this edit.
    const targetA = kind == 0 ? idx : ai + (idx - bi);
    const targetB = kind == 1 ? idx : bi + (idx - ai);
    if (cur != null && (targetA != cur.aEnd - pre || targetB != cur.bEnd - pre)) { changes.push(cur); cur = null; }
    ai = targetA; bi = targetB;
    if (cur == null) cur = new Change(pre + ai, pre + ai, pre + bi, pre + bi);
    if (kind == 0) { ai++; cur.aEnd = pre + ai; } else { bi++; cur.bEnd = pre + bi; }
  }
  if (cur != null) changes.push(cur);
  if (o.ignoreBlankLines) {
    const kept = new Array<Change>();
    for (let c = 0; c < changes.length; c++) {
      const ch = changes[c];
      let blank = true;
      for (let i = ch.aStart; i < ch.aEnd && blank; i++) if (a[i].trim().length > 0) blank = false;
      for (let i = ch.bStart; i < ch.bEnd && blank; i++) if (b[i].trim().length > 0) blank = false;
      if (!blank) kept.push(ch);
    }
    return kept;
  }
  return changes;
}

function range(start: i32, end: i32): string {
  // Normal format: 1-based "s,e", or just "s" for one line; an empty range names the line before.
  if (end - start <= 1) return (end - start == 0 ? start : start + 1).toString();
  return (start + 1).toString() + "," + end.toString();
}

function noNewline(file: TextFile, index: i32): void {
  if (index == file.lines.length - 1 && !file.endsWithNewline) stdout.line("\\ No newline at end of file");
}

function printNormal(a: TextFile, b: TextFile, changes: Change[]): void {
  for (let c = 0; c < changes.length; c++) {
    const ch = changes[c];
    const op = ch.aStart == ch.aEnd ? "a" : ch.bStart == ch.bEnd ? "d" : "c";
    stdout.str(range(ch.aStart, ch.aEnd)).str(op).line(range(ch.bStart, ch.bEnd));
    for (let i = ch.aStart; i < ch.aEnd; i++) { stdout.str("< ").line(a.lines[i]); noNewline(a, i); }
    if (op == "c") stdout.line("---");
    for (let i = ch.bStart; i < ch.bEnd; i++) { stdout.str("> ").line(b.lines[i]); noNewline(b, i); }
  }
}

function unifiedRange(start: i32, count: i32): string {
  if (count == 0) return start.toString() + ",0";
  if (count == 1) return (start + 1).toString();
  return (start + 1).toString() + "," + count.toString();
}

function stamp(ns: u64): string {
  const secs = <i64>(ns / 1000000000);
  let frac = (ns % 1000000000).toString();
  while (frac.length < 9) frac = "0" + frac;
  const c = formatIso(secs);
  const s = (secs % 60 + 60) % 60;
  return c + ":" + (s < 10 ? "0" : "") + s.toString() + "." + frac + " +0000";
}

function printUnified(a: TextFile, b: TextFile, changes: Change[], context: i32, nameA: string, nameB: string, labelA: string, labelB: string): void {
  stdout.str("--- ").str(labelA != "" ? labelA : nameA + "\t" + stamp(a.mtimeNs)).byte(10);
  stdout.str("+++ ").str(labelB != "" ? labelB : nameB + "\t" + stamp(b.mtimeNs)).byte(10);
  let c = 0;
  while (c < changes.length) {
    // Group changes whose contexts touch.
    let last = c;
    while (last + 1 < changes.length && changes[last + 1].aStart - changes[last].aEnd <= 2 * context) last++;
    const aStart = max(0, changes[c].aStart - context);
    const bStart = max(0, changes[c].bStart - context);
    const aEnd = min(a.lines.length, changes[last].aEnd + context);
    const bEnd = min(b.lines.length, changes[last].bEnd + context);
    stdout.str("@@ -").str(unifiedRange(aStart, aEnd - aStart)).str(" +").str(unifiedRange(bStart, bEnd - bStart)).line(" @@");
    let ai = aStart;
    for (let k = c; k <= last; k++) {
      const ch = changes[k];
      for (; ai < ch.aStart; ai++) { stdout.byte(32).line(a.lines[ai]); noNewline(a, ai); }
      for (let i = ch.aStart; i < ch.aEnd; i++) { stdout.byte(45).line(a.lines[i]); noNewline(a, i); }
      for (let i = ch.bStart; i < ch.bEnd; i++) { stdout.byte(43).line(b.lines[i]); noNewline(b, i); }
      ai = ch.aEnd;
    }
    for (; ai < aEnd; ai++) { stdout.byte(32).line(a.lines[ai]); noNewline(a, ai); }
    c = last + 1;
  }
}

/** The groups of changes whose contexts touch: [first, last] indexes into changes. */
function hunks(changes: Change[], context: i32): i32[][] {
  const out = new Array<i32[]>();
  let c = 0;
  while (c < changes.length) {
    let last = c;
    while (last + 1 < changes.length && changes[last + 1].aStart - changes[last].aEnd <= 2 * context) last++;
    out.push([c, last]);
    c = last + 1;
  }
  return out;
}

/** Context format (POSIX diff -c): each hunk's old lines, then its new ones, "! " marking changed lines, "- " deleted, "+ " added. */
function printContext(a: TextFile, b: TextFile, changes: Change[], context: i32, nameA: string, nameB: string, labelA: string, labelB: string): void {
  stdout.str("*** ").str(labelA != "" ? labelA : nameA + "\t" + stamp(a.mtimeNs)).byte(10);
  stdout.str("--- ").str(labelB != "" ? labelB : nameB + "\t" + stamp(b.mtimeNs)).byte(10);
  const groups = hunks(changes, context);
  for (let g = 0; g < groups.length; g++) {
    const first = groups[g][0]; const last = groups[g][1];
    const aStart = max(0, changes[first].aStart - context); const aEnd = min(a.lines.length, changes[last].aEnd + context);
    const bStart = max(0, changes[first].bStart - context); const bEnd = min(b.lines.length, changes[last].bEnd + context);
    let removes = false; let adds = false;
    for (let k = first; k <= last; k++) { if (changes[k].aEnd > changes[k].aStart) removes = true; if (changes[k].bEnd > changes[k].bStart) adds = true; }
    stdout.line("***************");
    stdout.str("*** ").str(range(aStart, aEnd)).line(" ****");
    if (removes) {
      let ai = aStart;
      for (let k = first; k <= last; k++) {
        const ch = changes[k];
        for (; ai < ch.aStart; ai++) { stdout.str("  ").line(a.lines[ai]); noNewline(a, ai); }
        const mark = ch.bStart == ch.bEnd ? "- " : "! ";
        for (; ai < ch.aEnd; ai++) { stdout.str(mark).line(a.lines[ai]); noNewline(a, ai); }
      }
      for (; ai < aEnd; ai++) { stdout.str("  ").line(a.lines[ai]); noNewline(a, ai); }
    }
    stdout.str("--- ").str(range(bStart, bEnd)).line(" ----");
    if (adds) {
      let bi = bStart;
      for (let k = first; k <= last; k++) {
        const ch = changes[k];
        for (; bi < ch.bStart; bi++) { stdout.str("  ").line(b.lines[bi]); noNewline(b, bi); }
        const mark = ch.aStart == ch.aEnd ? "+ " : "! ";
        for (; bi < ch.bEnd; bi++) { stdout.str(mark).line(b.lines[bi]); noNewline(b, bi); }
      }
      for (; bi < bEnd; bi++) { stdout.str("  ").line(b.lines[bi]); noNewline(b, bi); }
    }
  }
}

/** An ed script (diff -e): the changes from the last to the first, as a, c and d commands. */
function printEd(b: TextFile, changes: Change[]): void {
  for (let c = changes.length - 1; c >= 0; c--) {
    const ch = changes[c];
    const op = ch.aStart == ch.aEnd ? "a" : ch.bStart == ch.bEnd ? "d" : "c";
    stdout.str(range(ch.aStart, ch.aEnd)).line(op);
    if (op == "d") continue;
    for (let i = ch.bStart; i < ch.bEnd; i++) stdout.line(b.lines[i]);
    stdout.line(".");
  }
}

class DiffRun {
  unified: i32 = -1;
  /** Lines of context for -c/-C (context format), or -1. */
  contextLines: i32 = -1;
  ed: bool = false;
  reportIdentical: bool = false;
  brief: bool = false;
  recursive: bool = false;
  newFile: bool = false;
  opts: DiffOptions = new DiffOptions();
  labels: string[] = [];
  /** The options as given, echoed in "diff -r a/f b/f" headers. */
  switches: string = "";
}

function diffFiles(run: DiffRun, nameA: string, nameB: string, header: string = ""): i32 {
  const a = run.newFile && nameA != "-" && !fs.exists(nameA) ? new TextFile() : loadText("diff", nameA);
  const b = run.newFile && nameB != "-" && !fs.exists(nameB) ? new TextFile() : loadText("diff", nameB);
  if (!a.ok || !b.ok) return 2;
  const changes = computeDiff(a.lines, b.lines, run.opts);
  // A difference only in the final newline is a change of the last line.
  if (changes.length == 0 && a.endsWithNewline != b.endsWithNewline && a.lines.length > 0 && b.lines.length > 0) {
    changes.push(new Change(a.lines.length - 1, a.lines.length, b.lines.length - 1, b.lines.length));
  } else if (a.endsWithNewline != b.endsWithNewline && changes.length > 0) {
    const lastA = a.lines.length; const lastB = b.lines.length;
    const tail = changes[changes.length - 1];
    if (tail.aEnd < lastA && tail.bEnd < lastB) changes.push(new Change(lastA - 1, lastA, lastB - 1, lastB));
    else if (tail.aEnd == lastA && tail.bEnd < lastB) tail.bEnd = lastB;
    else if (tail.bEnd == lastB && tail.aEnd < lastA) tail.aEnd = lastA;
  }
  if (changes.length == 0) {
    if (run.reportIdentical) stdout.str("Files ").str(nameA).str(" and ").str(nameB).line(" are identical");
    return 0;
  }
  if (header != "" && !run.brief) stdout.line(header);
  if (run.brief) { stdout.str("Files ").str(nameA).str(" and ").str(nameB).line(" differ"); return 1; }
  if (run.unified >= 0) printUnified(a, b, changes, run.unified, nameA, nameB, run.labels.length > 0 ? run.labels[0] : "", run.labels.length > 1 ? run.labels[1] : "");
  else if (run.contextLines >= 0) printContext(a, b, changes, run.contextLines, nameA, nameB, run.labels.length > 0 ? run.labels[0] : "", run.labels.length > 1 ? run.labels[1] : "");
  else if (run.ed) printEd(b, changes);
  else printNormal(a, b, changes);
  return 1;
}

function diffPaths(run: DiffRun, a: string, b: string, top: bool): i32 {
  const sa = fs.stat(a); const sb = fs.stat(b);
  if (sa == null && !(run.newFile && sb != null)) { report("diff", a, fs.lastError); return 2; }
  if (sb == null && !(run.newFile && sa != null)) { report("diff", b, fs.lastError); return 2; }
  const aDir = sa != null && sa.isDir(); const bDir = sb != null && sb.isDir();
  // A directory and a file: the file of the same name in the directory.
  if (aDir && !bDir && sb != null) return diffPaths(run, a + "/" + baseName(b), b, top);
  if (bDir && !aDir && sa != null) return diffPaths(run, a, b + "/" + baseName(a), top);
  if (!aDir && !bDir) {
    return diffFiles(run, a, b, top ? "" : "diff " + run.switches + a + " " + b);
  }
  const namesA = aDir ? fs.listNames(a) : new Array<string>();
  const namesB = bDir ? fs.listNames(b) : new Array<string>();
  if (namesA == null || namesB == null) { warn("diff", "cannot read directory"); return 2; }
  let status = 0;
  let i = 0; let j = 0;
  while (i < namesA!.length || j < namesB!.length) {
    const c = i >= namesA!.length ? 1 : j >= namesB!.length ? -1 : fs.compareStrings(namesA![i], namesB![j]);
    if (c == 0 || run.newFile) {
      const name = c <= 0 ? namesA![i] : namesB![j];
      const pa = a + "/" + name; const pb = b + "/" + name;
      const st = fs.stat(c > 0 ? pb : pa);
      if (st != null && st.isDir() && !run.recursive) { stdout.str("Common subdirectories: ").str(pa).str(" and ").line(pb); }
      else status = max(status, diffPaths(run, pa, pb, false));
      if (c <= 0) i++;
      if (c >= 0) j++;
    } else if (c < 0) { stdout.str("Only in ").str(a).str(": ").line(namesA![i]); status = max(status, 1); i++; }
    else { stdout.str("Only in ").str(b).str(": ").line(namesB![j]); status = max(status, 1); j++; }
  }
  return status;
}

function baseName(p: string): string { const s = p.lastIndexOf("/"); return s < 0 ? p : p.substring(s + 1); }

/** A usage error as diffutils prints it ("diff: Try 'diff --help'..."), status 2. */
function badDiffUsage(message: string): i32 {
  warn("diff", message);
  warn("diff", "Try 'diff --help' for more information.");
  return 2;
}

/** diff [-u | -U N | -c | -C N | -e] [-q] [-s] [-r] [-N] [-i] [-b] [-w] [-B] [--label L] FILE1 FILE2 */
export function diffMain(args: string[]): i32 {
  const run = new DiffRun();
  const plain = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--brief") plain.push("-q");
    else if (a == "--recursive") plain.push("-r");
    else if (a == "--new-file") plain.push("-N");
    else if (a == "--unified") plain.push("-u");
    else if (a.startsWith("--unified=")) { plain.push("-U"); plain.push(a.substring(10)); }
    else if (a == "--label" && i + 1 < args.length) run.labels.push(args[++i]);
    else if (a.startsWith("--label=")) run.labels.push(a.substring(8));
    else if (a == "--ignore-case") plain.push("-i");
    else if (a == "--ignore-all-space") plain.push("-w");
    else if (a == "--ignore-space-change") plain.push("-b");
    else if (a == "--ignore-blank-lines") plain.push("-B");
    else if (a == "--text") plain.push("-a");
    else if (a == "--context") plain.push("-c");
    else if (a.startsWith("--context=")) { plain.push("-C"); plain.push(a.substring(10)); }
    else if (a == "--ed") plain.push("-e");
    else if (a == "--report-identical-files") plain.push("-s");
    else if (a == "--color" || a.startsWith("--color=") || a == "--minimal" || a == "--speed-large-files") continue;
    else if (a == "-d") continue;
    else if (a.startsWith("--") && a.length > 2) return badDiffUsage("unrecognized option '" + a + "'");
    else plain.push(a);
  }
  const o = getopt(plain, "uU:cC:eqsrNibwBa");
  if (o.error != "") return badDiffUsage(o.error);
  if (o.operands.length != 2) return badDiffUsage(o.operands.length < 2 ? "missing operand after '" + (o.operands.length > 0 ? o.operands[0] : "diff") + "'" : "extra operand '" + o.operands[2] + "'");
  for (let i = 0; i < args.length; i++) if (args[i].startsWith("-") && args[i].length > 1 && o.operands.indexOf(args[i]) < 0) run.switches += args[i] + " ";
  if (o.has("u")) run.unified = 3;
  if (o.has("U")) { run.unified = <i32>parseIntOr(o.value("U", "3"), -1); if (run.unified < 0) return usage("diff", "invalid context length '" + o.value("U", "") + "'", 2); }
  if (o.has("c")) run.contextLines = 3;
  if (o.has("C")) { run.contextLines = <i32>parseIntOr(o.value("C", "3"), -1); if (run.contextLines < 0) return usage("diff", "invalid context length '" + o.value("C", "") + "'", 2); }
  run.ed = o.has("e");
  let styles: i32 = 0;
  if (run.unified >= 0) styles++;
  if (run.contextLines >= 0) styles++;
  if (run.ed) styles++;
  if (styles > 1) return badDiffUsage("conflicting output style options");
  run.reportIdentical = o.has("s");
  run.brief = o.has("q"); run.recursive = o.has("r"); run.newFile = o.has("N");
  run.opts.ignoreCase = o.has("i"); run.opts.ignoreSpaceChange = o.has("b"); run.opts.ignoreAllSpace = o.has("w"); run.opts.ignoreBlankLines = o.has("B");
  const a = o.operands[0]; const b = o.operands[1];
  if (a == "-" || b == "-") return diffFiles(run, a, b);
  return diffPaths(run, a, b, true);
}

// ---------- patch ----------

class Hunk {
  oldStart: i32 = 0;
  newStart: i32 = 0;
  oldLines: string[] = [];
  newLines: string[] = [];
  oldNoNewline: bool = false;
  newNoNewline: bool = false;
}

class FilePatch {
  oldName: string = "";
  newName: string = "";
  hunks: Hunk[] = [];
}

function headerName(line: string): string {
  let s = line.substring(4);
  const tab = s.indexOf("\t");
  if (tab >= 0) s = s.substring(0, tab);
  return s.trim();
}

function parseCount(s: string): i32[] {
  const comma = s.indexOf(",");
  if (comma < 0) return [<i32>parseIntOr(s, -1), 1];
  return [<i32>parseIntOr(s.substring(0, comma), -1), <i32>parseIntOr(s.substring(comma + 1), -1)];
}

function parsePatch(lines: string[]): FilePatch[] {
  const out = new Array<FilePatch>();
  let i = 0;
  while (i < lines.length) {
    if (lines[i].startsWith("--- ") && i + 1 < lines.length && lines[i + 1].startsWith("+++ ")) {
      const fp = new FilePatch();
      fp.oldName = headerName(lines[i]); fp.newName = headerName(lines[i + 1]);
      i += 2;
      while (i < lines.length && lines[i].startsWith("@@ ")) {
        const m = lines[i];
        const end = m.indexOf(" @@", 3);
        const parts = m.substring(3, end < 0 ? m.length : end).split(" ");
        if (parts.length < 2) break;
        const o = parseCount(parts[0].substring(1)); const n = parseCount(parts[1].substring(1));
        const h = new Hunk();
        h.oldStart = o[1] == 0 ? o[0] : o[0] - 1;
        h.newStart = n[1] == 0 ? n[0] : n[0] - 1;
        let oldLeft = o[1]; let newLeft = n[1];
        i++;
        let last = 0;
        while (i < lines.length && (oldLeft > 0 || newLeft > 0 || (i < lines.length && lines[i].startsWith("\\")))) {
          const l = lines[i];
          if (l.startsWith("\\")) { if (last == 1) h.oldNoNewline = true; else if (last == 2) h.newNoNewline = true; else { h.oldNoNewline = true; h.newNoNewline = true; } i++; continue; }
          const c = l.length > 0 ? l.charAt(0) : " ";
          const text = l.length > 0 ? l.substring(1) : "";
          if (c == " ") { h.oldLines.push(text); h.newLines.push(text); oldLeft--; newLeft--; last = 3; }
          else if (c == "-") { h.oldLines.push(text); oldLeft--; last = 1; }
          else if (c == "+") { h.newLines.push(text); newLeft--; last = 2; }
          else break;
          i++;
        }
        fp.hunks.push(h);
      }
      out.push(fp);
      continue;
    }
    i++;
  }
  return out;
}

/** The numbers of a normal diff's command line (N[,M]{a,c,d}N[,M]): [o1, o2, kind, n1, n2], or null. */
function normalCommand(line: string): i32[] | null {
  let kindAt = -1;
  for (let k = 0; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if (c == 97 || c == 99 || c == 100) { if (kindAt >= 0) return null; kindAt = k; }
    else if (!(c >= 48 && c <= 57) && c != 44) return null;
  }
  if (kindAt <= 0 || kindAt == line.length - 1) return null;
  const o = parseCount(line.substring(0, kindAt)); const n = parseCount(line.substring(kindAt + 1));
  if (o[0] < 0 || o[1] < 0 || n[0] < 0 || n[1] < 0) return null;
  const oEnd = line.substring(0, kindAt).indexOf(",") >= 0 ? o[1] : o[0];
  const nEnd = line.substring(kindAt + 1).indexOf(",") >= 0 ? n[1] : n[0];
  return [o[0], oEnd, line.charCodeAt(kindAt), n[0], nEnd];
}

/** A normal (not unified) diff, as GNU patch takes it: one file's hunks, applied to the FILE operand. */
function parseNormalPatch(lines: string[]): FilePatch[] {
  const fp = new FilePatch();
  let i = 0;
  while (i < lines.length) {
    const cmd = normalCommand(lines[i]);
    if (cmd == null) { i++; continue; }
    const h = new Hunk();
    const kind = cmd[2];
    h.oldStart = kind == 97 ? cmd[0] : cmd[0] - 1;
    h.newStart = kind == 100 ? cmd[3] : cmd[3] - 1;
    i++;
    while (i < lines.length && (lines[i].startsWith("< ") || lines[i] == "<")) { h.oldLines.push(lines[i].length > 2 ? lines[i].substring(2) : ""); i++; }
    if (i < lines.length && lines[i].startsWith("\\")) { h.oldNoNewline = true; i++; }
    if (i < lines.length && lines[i] == "---") i++;
    while (i < lines.length && (lines[i].startsWith("> ") || lines[i] == ">")) { h.newLines.push(lines[i].length > 2 ? lines[i].substring(2) : ""); i++; }
    if (i < lines.length && lines[i].startsWith("\\")) { h.newNoNewline = true; i++; }
    fp.hunks.push(h);
  }
  return fp.hunks.length > 0 ? [fp] : [];
}

function stripPath(name: string, strip: i32): string {
  if (strip < 0) return baseName(name);
  let s = name;
  for (let k = 0; k < strip; k++) { const slash = s.indexOf("/"); if (slash < 0) break; s = s.substring(slash + 1); }
  return s;
}

function matchesAt(lines: string[], at: i32, want: string[]): bool {
  if (at < 0 || at + want.length > lines.length) return false;
  for (let k = 0; k < want.length; k++) if (lines[at + k] != want[k]) return false;
  return true;
}

/** patch [-p N] [-R] [-i PATCHFILE] [--dry-run] [-s] [FILE] */
export function patchMain(args: string[]): i32 {
  const plain = new Array<string>();
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--dry-run") dryRun = true;
    else if (a == "--reverse") plain.push("-R");
    else if (a == "--silent" || a == "--quiet") plain.push("-s");
    else if (a.startsWith("--strip=")) { plain.push("-p"); plain.push(a.substring(8)); }
    else if (a.startsWith("--input=")) { plain.push("-i"); plain.push(a.substring(8)); }
    else plain.push(a);
  }
  const o = getopt(plain, "p:Ri:sNfEo:");
  if (o.error != "") return usage("patch", o.error, 2);
  const strip = o.has("p") ? <i32>parseIntOr(o.value("p", "0"), 0) : -1;
  const source = o.has("i") ? o.value("i", "-") : (o.operands.length > 1 ? o.operands[1] : "-");
  const text = loadText("patch", source);
  if (!text.ok) return 2;
  let patches = parsePatch(text.lines);
  if (patches.length == 0) {
    patches = parseNormalPatch(text.lines);
    if (patches.length > 0 && o.operands.length == 0) { warn("patch", "a normal diff names no file: give the file to patch"); return 2; }
  }
  if (patches.length == 0) { warn("patch", "**** Only garbage was found in the patch input."); return 2; }
  let status = 0;
  const reverse = o.has("R");
  for (let p = 0; p < patches.length; p++) {
    const fp = patches[p];
    let target = o.operands.length > 0 ? o.operands[0] : "";
    if (target == "") {
      const candidates = [fp.oldName, fp.newName];
      for (let c = 0; c < candidates.length && target == ""; c++) {
        if (candidates[c] == "/dev/null") continue;
        const name = stripPath(candidates[c], strip);
        if (fs.exists(name)) target = name;
      }
      if (target == "") target = stripPath(fp.newName != "/dev/null" ? fp.newName : fp.oldName, strip);
    }
    if (!o.has("s")) stdout.str(dryRun ? "checking file " : "patching file ").line(target);
    const file = fs.exists(target) ? loadText("patch", target) : new TextFile();
    if (!file.ok) { status = 2; continue; }
    let lines = file.lines;
    let endsWithNewline = file.endsWithNewline || lines.length == 0;
    // Hunks are numbered in the original file: lineDelta tracks the earlier hunks' growth, and
    // displacement where the last one was found relative to where it said it would be.
    let lineDelta = 0;
    let displacement = 0;
    const rejected = new Array<i32>();
    for (let h = 0; h < fp.hunks.length; h++) {
      const hunk = fp.hunks[h];
      const from = reverse ? hunk.newLines : hunk.oldLines;
      const to = reverse ? hunk.oldLines : hunk.newLines;
      const stated = (reverse ? hunk.newStart : hunk.oldStart) + lineDelta;
      const expected = stated + displacement;
      let at = -1;
      for (let d = 0; d <= lines.length && at < 0; d++) {
        if (matchesAt(lines, expected - d, from)) at = expected - d;
        else if (d > 0 && matchesAt(lines, expected + d, from)) at = expected + d;
      }
      if (at < 0) { rejected.push(h); if (!o.has("s")) stdout.str("Hunk #").str((h + 1).toString()).str(" FAILED at ").str((stated + 1).toString()).line("."); continue; }
      const off = at - stated;
      if (off != 0 && !o.has("s")) stdout.str("Hunk #").str((h + 1).toString()).str(" succeeded at ").str((at + 1).toString()).str(" (offset ").str(off.toString()).line(off == 1 || off == -1 ? " line)." : " lines).");
      lines = lines.slice(0, at).concat(to).concat(lines.slice(at + from.length));
      displacement = off;
      lineDelta += to.length - from.length;
      if (at + to.length == lines.length) endsWithNewline = !(reverse ? hunk.oldNoNewline : hunk.newNoNewline);
    }
    if (rejected.length > 0) {
      status = 1;
      // Like GNU patch, keep the original beside the partly patched file.
      if (!dryRun && fs.exists(target)) {
        const original = fs.readFile(target);
        if (original != null) fs.writeFile(target + ".orig", original);
      }
      if (!o.has("s")) stdout.str(rejected.length.toString()).str(" out of ").str(fp.hunks.length.toString()).str(fp.hunks.length == 1 ? " hunk" : " hunks").str(" FAILED -- saving rejects to file ").line(target + ".rej");
      if (!dryRun) {
        const rej = new ByteBuf(BLOCK);
        rej.appendString("--- " + fp.oldName + "\n+++ " + fp.newName + "\n");
        for (let r = 0; r < rejected.length; r++) {
          const hk = fp.hunks[rejected[r]];
          rej.appendString("@@ -" + (hk.oldStart + 1).toString() + "," + hk.oldLines.length.toString() + " +" + (hk.oldStart + 1).toString() + "," + hk.newLines.length.toString() + " @@\n");
          for (let k = 0; k < hk.oldLines.length; k++) rej.appendString("-" + hk.oldLines[k] + "\n");
          for (let k = 0; k < hk.newLines.length; k++) rej.appendString("+" + hk.newLines[k] + "\n");
        }
        const fd = fs.create(target + ".rej");
        if (fd >= 0) { writeAll(fd, rej.ptr, rej.len); fs.close(fd); }
      }
    }
    if (dryRun) continue;
    const deleting = (reverse ? fp.oldName : fp.newName) == "/dev/null" && lines.length == 0;
    if (deleting) { fs.unlink(target); continue; }
    const out = new ByteBuf(BLOCK);
    for (let k = 0; k < lines.length; k++) { out.appendString(lines[k]); if (k + 1 < lines.length || endsWithNewline) out.appendByte(10); }
    const slash = target.lastIndexOf("/");
    if (slash > 0) makeDirs(target.substring(0, slash));
    const fd = fs.create(target);
    if (fd < 0) { warn("patch", "can't create '" + target + "': " + strerror(fs.lastError)); status = 2; continue; }
    writeAll(fd, out.ptr, out.len);
    fs.close(fd);
  }
  return status;
}

function makeDirs(path: string): void {
  const parts = path.split("/");
  let cur = path.startsWith("/") ? "" : ".";
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] == "") continue;
    cur = cur + "/" + parts[i];
    if (!fs.exists(cur)) fs.mkdir(cur);
  }
}
