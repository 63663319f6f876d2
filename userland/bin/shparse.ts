// The shell's lexer and parser: source text (here-document bodies and aliases included) to a tree of lists,
// and-or chains, pipelines, simple commands (words kept raw for expansion at run time) and compound commands.

export const T_WORD = 0;
export const T_OP = 1;
export const T_NEWLINE = 2;
export const T_EOF = 3;

export class Token {
  /** For a "<<" or "<<-" operator: its index in Parser.heredocs. */
  heredoc: i32 = -1;
  /** For tokens that came from expanding aliases: their names, " "-separated (no alias expands twice). */
  aliasedFrom: string = "";
  /** The word after an alias whose value ends in a blank: it is looked up as an alias too. */
  aliasNext: bool = false;
  /** The line the token starts on, counted from the parser's lineBase + 1. */
  line: i32 = 0;
  constructor(public kind: i32, public text: string, public start: i32, public end: i32, public ioNumber: i32 = -1) {}
}

/** A here-document: its delimiter, and the body read from the lines after the operator's line. */
export class HereDoc {
  body: string = "";
  /** The line the body starts on. */
  line: i32 = 0;
  /** The body's source span, delimiter line included, so a child shell's text can carry it. */
  bodyStart: i32 = 0;
  bodyEnd: i32 = 0;
  constructor(public opPos: i32, public delim: string, public quoted: bool, public stripTabs: bool) {}
}

export const N_LIST = 0;
export const N_ANDOR = 1;
export const N_PIPE = 2;
export const N_SIMPLE = 3;
export const N_IF = 4;
export const N_WHILE = 5;
export const N_UNTIL = 6;
export const N_FOR = 7;
export const N_GROUP = 8;
export const N_SUBSHELL = 9;
export const N_FUNCDEF = 10;
export const N_CASE = 11;

export class Redir {
  /** "<<": the here-document (body expanded at run time unless the delimiter was quoted). */
  heredoc: HereDoc | null = null;
  constructor(public fd: i32, public op: string, public target: string) {}
}

export class Node {
  kids: Node[] = [];
  words: string[] = [];
  assigns: string[] = [];
  /** SIMPLE: the line each word starts on. */
  wordLines: i32[] = [];
  /** SIMPLE: each of assigns split at its "=" (the name, and the raw value to expand). */
  assignNames: string[] = [];
  assignValues: string[] = [];
  redirs: Redir[] = [];
  /** LIST: whether item i runs in the background; ANDOR: true for && between i and i+1. */
  flags: bool[] = [];
  negate: bool = false;
  hasElse: bool = false;
  name: string = "";
  /** FOR: whether an "in" list was given. */
  hasList: bool = false;
  /** The source text of this node, for running it in a child shell, and where it starts. */
  text: string = "";
  pos: i32 = 0;
  /** The line the node starts on (what $LINENO and error messages say while it runs), fixed at parse time. */
  line: i32 = 0;
  constructor(public kind: i32) {}
}

function isMeta(c: i32): bool {
  return c == 32 || c == 9 || c == 10 || c == 59 || c == 38 || c == 124 || c == 60 || c == 62 || c == 40 || c == 41;
}

const OPERATORS = ["<<-", "<<", "&&", "||", ";;", ">>", ">&", "<&", "<>", ">|", "|", "&", ";", "(", ")", "<", ">"];

export class Parser {
  tokens: Token[] = [];
  pos: i32 = 0;
  /** Set when the input ended inside a quote or an unfinished construct: more lines are needed. */
  incomplete: bool = false;
  /** Set when the input ended inside a here-document body (more lines needed when reading a terminal). */
  incompleteHeredoc: bool = false;
  error: string = "";
  /** Where the error was found (a source offset), for its line number. */
  errorPos: i32 = 0;
  /** Where the error's line is counted (dash names the line it had read up to). */
  errorLinePos: i32 = 0;
  /** Where the last complete top-level line ended before an error: the commands before it may run. */
  safeEnd: i32 = 0;
  heredocs: HereDoc[] = [];
  /** The shell's aliases, expanded in command position while parsing (null: none). */
  aliases: Map<string, string> | null = null;
  /** Here-documents whose operator was seen but whose body starts after the next newline. */
  pendingHeredocs: HereDoc[] = [];

  /** Where the line counting of lineAt stands: an offset and its line. */
  lineCursor: i32 = 0;
  lineAtCursor: i32 = 1;

  /** lineBase: the lines before src in its script (its first line is lineBase + 1). */
  constructor(public src: string, public lineBase: i32 = 0) { this.lineAtCursor = lineBase + 1; this.lex(); }

  /** The line of offset pos (counting on from the last one asked, as tokens come in order). */
  lineAt(pos: i32): i32 {
    if (pos < this.lineCursor) { this.lineCursor = 0; this.lineAtCursor = this.lineBase + 1; }
    const s = this.src;
    const end = min(pos, s.length);
    let line = this.lineAtCursor;
    for (let k = this.lineCursor; k < end; k++) if (s.charCodeAt(k) == 10) line++;
    this.lineCursor = end;
    this.lineAtCursor = line;
    return line;
  }

  /** Adds a token, noting its line. */
  push(t: Token): void {
    t.line = this.lineAt(t.start);
    this.tokens.push(t);
  }

  lex(): void {
    const s = this.src;
    let i = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c == 32 || c == 9) { i++; continue; }
      if (c == 92 && i + 1 < s.length && s.charCodeAt(i + 1) == 10) { i += 2; continue; }
      if (c == 35) { while (i < s.length && s.charCodeAt(i) != 10) i++; continue; }
      if (c == 10) {
        this.push(new Token(T_NEWLINE, "\n", i, i + 1));
        i = this.readHeredocBodies(i + 1);
        continue;
      }
      let op = "";
      for (let k = 0; k < OPERATORS.length; k++) if (s.startsWith(OPERATORS[k], i)) { op = OPERATORS[k]; break; }
      if (op != "") {
        this.push(new Token(T_OP, op, i, i + op.length)); i += op.length;
        if (op.startsWith("<<")) { i = this.heredocDelimiter(i); if (i < 0) return; }
        continue;
      }
      const start = i;
      i = this.wordEnd(i);
      if (i < 0) { this.unterminated(start); return; }
      const text = s.substring(start, i);
      let ioNumber = -1;
      if (i < s.length && (s.charCodeAt(i) == 60 || s.charCodeAt(i) == 62) && text.length <= 2 && allDigits(text)) ioNumber = I32.parseInt(text);
      if (ioNumber >= 0) {
        let op2 = "";
        for (let k = 0; k < OPERATORS.length; k++) if (s.startsWith(OPERATORS[k], i)) { op2 = OPERATORS[k]; break; }
        this.push(new Token(T_OP, op2, start, i + op2.length, ioNumber));
        i += op2.length;
        if (op2.startsWith("<<")) { i = this.heredocDelimiter(i); if (i < 0) return; }
        continue;
      }
      this.push(new Token(T_WORD, text.indexOf("\\\n") >= 0 ? joinParameterLines(text) : text, start, i));
    }
    if (this.pendingHeredocs.length > 0) this.readHeredocBodies(s.length);
    this.push(new Token(T_EOF, "", s.length, s.length));
  }

  /** The input ended inside the word at start: a quote or a $( ${ ` left open. */
  unterminated(start: i32): void {
    this.incomplete = true;
    this.error = "Syntax error: " + unterminatedMessage(this.src, start);
    this.errorPos = start;
    // Found at the end of the input, whose line dash names.
    this.errorLinePos = this.src.length;
    this.push(new Token(T_EOF, "", this.src.length, this.src.length));
  }

  /** The line (from 1) of a source offset. */
  lineOf(pos: i32): i32 {
    let line = 1;
    for (let k = 0; k < pos && k < this.src.length; k++) if (this.src.charCodeAt(k) == 10) line++;
    return line;
  }

  /** After a "<<" token: lexes the delimiter word at i and queues the here-document; -1 if unterminated. */
  heredocDelimiter(i: i32): i32 {
    const s = this.src;
    const op = this.tokens[this.tokens.length - 1];
    while (i < s.length && (s.charCodeAt(i) == 32 || s.charCodeAt(i) == 9)) i++;
    const start = i;
    const end = this.wordEnd(i);
    if (end < 0) { this.unterminated(start); return -1; }
    if (end == start) return i;
    const raw = s.substring(start, end);
    let delim = "";
    let quoted = false;
    for (let k = 0; k < raw.length; k++) {
      const c = raw.charCodeAt(k);
      if (c == 39 || c == 34) { quoted = true; continue; }
      if (c == 92) { quoted = true; if (k + 1 < raw.length) delim += raw.charAt(++k); continue; }
      delim += String.fromCharCode(c);
    }
    const doc = new HereDoc(op.start, delim, quoted, op.text == "<<-");
    op.heredoc = this.heredocs.length;
    this.heredocs.push(doc);
    this.pendingHeredocs.push(doc);
    this.push(new Token(T_WORD, raw, start, end));
    return end;
  }

  /** At the start of a line: reads the bodies of the queued here-documents; returns where lexing goes on. */
  readHeredocBodies(i: i32): i32 {
    const s = this.src;
    for (let d = 0; d < this.pendingHeredocs.length; d++) {
      const doc = this.pendingHeredocs[d];
      doc.bodyStart = i;
      doc.line = this.lineAt(i);
      let body = "";
      let done = false;
      while (i < s.length) {
        let e = s.indexOf("\n", i);
        const last = e < 0;
        if (last) e = s.length;
        let line = s.substring(i, e);
        i = last ? e : e + 1;
        if (doc.stripTabs) { let t = 0; while (t < line.length && line.charCodeAt(t) == 9) t++; line = line.substring(t); }
        if (line == doc.delim) { done = true; break; }
        body += line + (last ? "" : "\n");
      }
      if (!done) this.incompleteHeredoc = true;
      doc.body = body;
      doc.bodyEnd = i;
    }
    this.pendingHeredocs = [];
    return i;
  }

  /** The source text from start to the last token read, with the bodies of here-documents it
   *  opens that lie after it appended (so a child shell given this text sees them). */
  textFrom(start: i32): string {
    const end = this.tokens[max(0, this.pos - 1)].end;
    // Tokens from an alias all sit at the alias name: such a node's text is rebuilt from its tokens
    // (the name itself would make a child shell expand the alias again, and again).
    let first = this.pos - 1;
    let aliased = false;
    while (first >= 0 && this.tokens[first].start >= start) { if (this.tokens[first].aliasedFrom != "") aliased = true; first--; }
    let text = aliased ? this.tokenText(first + 1, this.pos) : this.src.substring(start, end);
    for (let d = 0; d < this.heredocs.length; d++) {
      const doc = this.heredocs[d];
      if (doc.opPos >= start && doc.opPos < end && doc.bodyStart >= end) text += "\n" + this.src.substring(doc.bodyStart, doc.bodyEnd);
    }
    return text;
  }

  /** The tokens from index `from` to `to` as source text again. */
  tokenText(from: i32, to: i32): string {
    let text = "";
    for (let k = from; k < to; k++) {
      const t = this.tokens[k];
      if (t.kind == T_EOF) break;
      if (k > from && t.kind != T_NEWLINE) text += " ";
      text += t.ioNumber >= 0 ? t.ioNumber.toString() + t.text : t.text;
    }
    return text;
  }

  /** End of the word starting at i, or -1 if a quote or substitution is unterminated. */
  wordEnd(i: i32): i32 {
    const s = this.src;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (isMeta(c)) return i;
      if (c == 92) { i += 2; continue; }
      if (c == 39) { const e = s.indexOf("'", i + 1); if (e < 0) return -1; i = e + 1; continue; }
      if (c == 34) { i = this.doubleQuoteEnd(i + 1); if (i < 0) return -1; continue; }
      if (c == 96) { const e = backquoteEnd(s, i); if (e < 0) return -1; i = e + 1; continue; }
      if (c == 36 && i + 1 < s.length && (s.charCodeAt(i + 1) == 40 || s.charCodeAt(i + 1) == 123)) {
        i = matchClose(s, i + 1);
        if (i < 0) return -1;
        continue;
      }
      i++;
    }
    return i > s.length ? s.length : i;
  }

  doubleQuoteEnd(i: i32): i32 {
    const s = this.src;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c == 92) { i += 2; continue; }
      if (c == 34) return i + 1;
      if (c == 36 && i + 1 < s.length && (s.charCodeAt(i + 1) == 40 || s.charCodeAt(i + 1) == 123)) {
        i = matchClose(s, i + 1);
        if (i < 0) return -1;
        continue;
      }
      if (c == 96) { const e = backquoteEnd(s, i); if (e < 0) return -1; i = e + 1; continue; }
      i++;
    }
    return -1;
  }

  peek(): Token { return this.tokens[this.pos]; }
  isOp(text: string): bool { const t = this.peek(); return t.kind == T_OP && t.text == text && t.ioNumber < 0; }
  isWord(text: string): bool { const t = this.peek(); return t.kind == T_WORD && t.text == text; }

  fail(message: string): void {
    if (this.error != "" ) return;
    if (this.peek().kind == T_EOF) this.incomplete = true;
    this.error = message;
    this.errorPos = this.peek().start;
    // dash names the line it has read up to: past a newline, the next one.
    this.errorLinePos = this.peek().kind == T_NEWLINE ? this.peek().end : this.peek().start;
  }

  /** dash's syntax error for token t: `"fi" unexpected (expecting "then")`, `word unexpected`. */
  unexpected(t: Token, expecting: string = ""): void {
    this.fail("Syntax error: " + tokenName(t) + " unexpected" + (expecting.length > 0 ? " (expecting " + expecting + ")" : ""));
  }

  skipNewlines(): void { while (this.peek().kind == T_NEWLINE) this.pos++; }

  expectWord(word: string): void {
    this.skipNewlines();
    if (this.isWord(word)) { this.pos++; return; }
    const t = this.peek();
    this.unexpected(t, "\"" + word + "\"");
  }

  /** Parses the whole input. */
  program(): Node {
    if (this.error != "") return new Node(N_LIST);
    const list = this.list(true);
    if (this.error == "" && this.peek().kind != T_EOF) this.unexpected(this.peek());
    return list;
  }

  isListEnd(): bool {
    const t = this.peek();
    if (t.kind == T_EOF) return true;
    if (t.kind == T_OP && (t.text == ")" || t.text == ";;")) return true;
    if (t.kind == T_WORD) {
      const w = t.text;
      return w == "then" || w == "else" || w == "elif" || w == "fi" || w == "do" || w == "done" || w == "}" || w == "esac";
    }
    return false;
  }

  /** A sequence of and-or lists separated by ; & or newlines. */
  list(top: bool): Node {
    const list = new Node(N_LIST);
    const start = this.peek().start;
    list.line = this.peek().line;
    for (;;) {
      const before = this.pos;
      this.skipNewlines();
      if (top && this.error == "" && (this.pos > before || this.pos == 0)) this.safeEnd = this.peek().start;
      if (this.error != "" || this.isListEnd()) break;
      list.kids.push(this.andOr());
      if (this.error != "") break;
      let background = false;
      if (this.isOp("&")) { background = true; this.pos++; }
      else if (this.isOp(";")) this.pos++;
      else if (this.peek().kind != T_NEWLINE && !this.isListEnd()) { this.unexpected(this.peek()); break; }
      list.flags.push(background);
    }
    list.text = this.textFrom(start);
    return list;
  }

  andOr(): Node {
    const node = new Node(N_ANDOR);
    const start = this.peek().start;
    node.line = this.peek().line;
    node.pos = start;
    node.kids.push(this.pipeline());
    while (this.error == "" && (this.isOp("&&") || this.isOp("||"))) {
      node.flags.push(this.peek().text == "&&");
      this.pos++;
      this.skipNewlines();
      node.kids.push(this.pipeline());
    }
    node.text = this.textFrom(start);
    return node;
  }

  pipeline(): Node {
    const node = new Node(N_PIPE);
    const start = this.peek().start;
    node.line = this.peek().line;
    if (this.isWord("!")) { node.negate = true; this.pos++; }
    node.kids.push(this.command());
    while (this.error == "" && this.isOp("|")) {
      this.pos++;
      this.skipNewlines();
      node.kids.push(this.command());
    }
    node.text = this.textFrom(start);
    return node;
  }

  command(): Node {
    // An alias in command position may stand for a compound command's words (for ...; do).
    while (this.aliases != null && this.peek().kind == T_WORD && !isAssignment(this.peek().text) && this.expandAlias(this.peek())) {}
    const start = this.peek().start;
    let node: Node;
    const t = this.peek();
    if (t.kind == T_WORD && t.text == "if") node = this.ifClause();
    else if (t.kind == T_WORD && (t.text == "while" || t.text == "until")) node = this.loop(t.text == "while" ? N_WHILE : N_UNTIL);
    else if (t.kind == T_WORD && t.text == "for") node = this.forClause();
    else if (t.kind == T_WORD && t.text == "case") node = this.caseClause();
    else if (t.kind == T_WORD && t.text == "{") {
      this.pos++;
      node = new Node(N_GROUP);
      node.kids.push(this.body());
      this.expectWord("}");
    } else if (this.isOp("(")) {
      this.pos++;
      node = new Node(N_SUBSHELL);
      node.kids.push(this.body());
      if (this.isOp(")")) this.pos++; else this.unexpected(this.peek(), "\")\"");
    } else if (t.kind == T_WORD && !isAssignment(t.text) && this.tokens[this.pos + 1].kind == T_OP && this.tokens[this.pos + 1].text == "(" &&
               this.tokens[this.pos + 2].kind == T_OP && this.tokens[this.pos + 2].text == ")") {
      // As dash: a function cannot be named as a special builtin either.
      if (!isName(t.text) || SPECIAL_BUILTIN_NAMES.indexOf(t.text) >= 0) { this.fail("Syntax error: Bad function name"); return new Node(N_FUNCDEF); }
      node = new Node(N_FUNCDEF);
      node.name = t.text;
      this.pos += 3;
      this.skipNewlines();
      node.kids.push(this.command());
      node.text = this.textFrom(start);
      node.line = t.line;
      return node;
    } else return this.simple();
    node.line = t.line;
    while (this.error == "" && this.redirect(node)) {}
    node.text = this.textFrom(start);
    return node;
  }

  /** Parses one redirection into node if the next token is one. */
  redirect(node: Node): bool {
    const t = this.peek();
    if (t.kind != T_OP) return false;
    const op = t.text;
    if (op != "<" && op != ">" && op != ">>" && op != ">&" && op != "<&" && op != "<>" && op != ">|" && op != "<<" && op != "<<-") return false;
    this.pos++;
    const target = this.peek();
    if (target.kind != T_WORD) { this.unexpected(target); return false; }
    this.pos++;
    const fd = t.ioNumber >= 0 ? t.ioNumber : (op.startsWith("<") ? 0 : 1);
    const redir = new Redir(fd, op == "<<-" ? "<<" : op, target.text);
    if (t.heredoc >= 0) redir.heredoc = this.heredocs[t.heredoc];
    node.redirs.push(redir);
    return true;
  }

  simple(): Node {
    const node = new Node(N_SIMPLE);
    const start = this.peek().start;
    node.line = this.peek().line;
    node.pos = start;
    for (;;) {
      if (this.redirect(node)) continue;
      if (this.error != "") break;
      const t = this.peek();
      if (t.kind != T_WORD) break;
      if (node.words.length == 0 && !isAssignment(t.text) && this.expandAlias(t)) continue;
      // After an alias whose value ends in a blank, the next word is looked up too.
      if (node.words.length > 0 && t.aliasNext && this.expandAlias(t)) continue;
      if (node.words.length == 0 && isAssignment(t.text)) {
        const eq = t.text.indexOf("=");
        node.assigns.push(t.text);
        node.assignNames.push(t.text.substring(0, eq));
        node.assignValues.push(t.text.substring(eq + 1));
      }
      else { node.words.push(t.text); node.wordLines.push(t.line); }
      this.pos++;
    }
    if (this.error == "" && node.words.length == 0 && node.assigns.length == 0 && node.redirs.length == 0) {
      this.unexpected(this.peek());
    }
    node.text = this.textFrom(start);
    return node;
  }

  /** A list that must hold at least one command (dash rejects "if then", "{ }", "do done"). */
  body(): Node {
    const list = this.list(false);
    if (this.error == "" && list.kids.length == 0) {
      this.unexpected(this.peek());
    }
    return list;
  }

  /** Expands the next word as an alias when the alias before it ended in a blank (FOR1='for ' i ...). */
  aliasAfterBlank(): void {
    while (this.peek().kind == T_WORD && this.peek().aliasNext && this.expandAlias(this.peek())) {}
  }

  /** Replaces the command word t (the next token) by its alias's tokens; false if it has none. */
  expandAlias(t: Token): bool {
    const aliases = this.aliases;
    if (aliases == null || !aliases.has(t.text)) return false;
    if ((" " + t.aliasedFrom + " ").indexOf(" " + t.text + " ") >= 0) return false;
    const sub = new Parser(aliases.get(t.text));
    const spliced = new Array<Token>();
    for (let k = 0; k < this.pos; k++) spliced.push(this.tokens[k]);
    for (let k = 0; k + 1 < sub.tokens.length; k++) {
      const a = sub.tokens[k];
      // Positions are the alias name's, so a node's text (for child shells) stays within the source.
      const copy = new Token(a.kind, a.text, t.start, t.end, a.ioNumber);
      copy.line = t.line;
      copy.aliasedFrom = t.aliasedFrom == "" ? t.text : t.aliasedFrom + " " + t.text;
      spliced.push(copy);
    }
    const after = spliced.length;
    for (let k = this.pos + 1; k < this.tokens.length; k++) spliced.push(this.tokens[k]);
    this.tokens = spliced;
    const value = aliases.get(t.text);
    const last = value.length > 0 ? value.charCodeAt(value.length - 1) : 0;
    if ((last == 32 || last == 9) && after < spliced.length && spliced[after].kind == T_WORD) spliced[after].aliasNext = true;
    return true;
  }

  ifClause(): Node {
    const node = new Node(N_IF);
    this.pos++;
    node.kids.push(this.body());
    this.expectWord("then");
    node.kids.push(this.body());
    for (;;) {
      if (this.error != "") return node;
      this.skipNewlines();
      if (this.isWord("elif")) {
        this.pos++;
        node.kids.push(this.body());
        this.expectWord("then");
        node.kids.push(this.body());
      } else if (this.isWord("else")) {
        this.pos++;
        node.kids.push(this.body());
        node.hasElse = true;
        this.expectWord("fi");
        return node;
      } else { this.expectWord("fi"); return node; }
    }
    return node;
  }

  loop(kind: i32): Node {
    const node = new Node(kind);
    this.pos++;
    node.kids.push(this.body());
    this.expectWord("do");
    node.kids.push(this.body());
    this.expectWord("done");
    return node;
  }

  forClause(): Node {
    const node = new Node(N_FOR);
    this.pos++;
    this.aliasAfterBlank();
    const name = this.peek();
    if (name.kind != T_WORD || !isName(name.text)) { this.fail("Syntax error: Bad for loop variable"); return node; }
    node.name = name.text;
    this.pos++;
    this.skipNewlines();
    this.aliasAfterBlank();
    if (this.isWord("in")) {
      this.pos++;
      node.hasList = true;
      while (this.peek().kind == T_WORD) { node.words.push(this.peek().text); this.pos++; }
    }
    if (this.isOp(";")) this.pos++;
    this.expectWord("do");
    node.kids.push(this.body());
    this.expectWord("done");
    return node;
  }

  /** case WORD in PATTERN[|PATTERN]) LIST ;; ... esac: words[0] is the subject; each arm's
   *  patterns are joined by "\n" in assigns[i] and its body is kids[i]. */
  caseClause(): Node {
    const node = new Node(N_CASE);
    this.pos++;
    const subject = this.peek();
    if (subject.kind != T_WORD) { this.unexpected(subject, "word"); return node; }
    node.words.push(subject.text);
    this.pos++;
    this.expectWord("in");
    for (;;) {
      this.skipNewlines();
      if (this.error != "" || this.isWord("esac")) break;
      if (this.isOp("(")) this.pos++;
      const patterns = new Array<string>();
      for (;;) {
        const p = this.peek();
        if (p.kind != T_WORD) { this.unexpected(p, p.kind == T_EOF ? "\")\"" : "word"); return node; }
        patterns.push(p.text);
        this.pos++;
        if (this.isOp("|")) { this.pos++; continue; }
        break;
      }
      if (!this.isOp(")")) { this.unexpected(this.peek(), "\")\""); return node; }
      this.pos++;
      node.assigns.push(patterns.join("\n"));
      node.kids.push(this.list(false));
      if (this.isOp(";;")) this.pos++;
    }
    this.expectWord("esac");
    return node;
  }
}

/** What dash says of the first construct left open in s from start (a quote, `, $( or ${). */
function unterminatedMessage(s: string, start: i32): string {
  let i = start;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == 92) { i += 2; continue; }
    if (c == 39) { const e = s.indexOf("'", i + 1); if (e < 0) return "Unterminated quoted string"; i = e + 1; continue; }
    if (c == 96) { const e = backquoteEnd(s, i); if (e < 0) return "EOF in backquote substitution"; i = e + 1; continue; }
    if (c == 36 && i + 1 < s.length && (s.charCodeAt(i + 1) == 40 || s.charCodeAt(i + 1) == 123)) {
      const e = matchClose(s, i + 1);
      if (e < 0) {
        // An error inside (a quote in it) is named first; else the bracket left open.
        const inner = unterminatedMessage(s, i + 2);
        if (inner != "end of file unexpected") return inner;
        if (s.charCodeAt(i + 1) == 123) return "Missing '}'";
        return s.startsWith("$((", i) ? "Missing '))'" : "end of file unexpected (expecting \")\")";
      }
      i = e;
      continue;
    }
    if (c == 34) {
      // Inside double quotes only $ ` and \ are special.
      let k = i + 1;
      for (; k < s.length && s.charCodeAt(k) != 34; k++) {
        const d = s.charCodeAt(k);
        if (d == 92) { k++; continue; }
        if (d == 96 || (d == 36 && k + 1 < s.length && (s.charCodeAt(k + 1) == 40 || s.charCodeAt(k + 1) == 123))) {
          const end = d == 96 ? backquoteEnd(s, k) : matchClose(s, k + 1);
          if (end < 0) return unterminatedMessage(s, k);
          k = d == 96 ? end : end - 1;
        }
      }
      if (k >= s.length) return "Unterminated quoted string";
      i = k + 1;
      continue;
    }
    i++;
  }
  return "end of file unexpected";
}

/** The special builtins, which no function may be named as. */
const SPECIAL_BUILTIN_NAMES = [":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set", "shift", "times", "trap", "unset"];

/** Reserved words, which dash names in its syntax errors (other words are "word"). */
const RESERVED = ["!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while", "{", "}"];

/** How dash names a token in a syntax error. */
function tokenName(t: Token): string {
  if (t.kind == T_EOF) return "end of file";
  if (t.kind == T_NEWLINE) return "newline";
  if (t.kind == T_WORD && RESERVED.indexOf(t.text) < 0) return "word";
  return "\"" + t.text + "\"";
}

/** text without the backslash-newlines right after a $ or inside ${ } (outside single quotes), which
 *  dash removes as it reads, so that $\<newline>? is $? and ${\<newline>x} is ${x}. */
function joinParameterLines(text: string): string {
  let out = "";
  let inSingle = false;
  let inDouble = false;
  let braceDepth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (inSingle) { if (c == 39) inSingle = false; out += text.charAt(i); i++; continue; }
    if (c == 92 && i + 1 < text.length) {
      if (text.charCodeAt(i + 1) == 10 && (braceDepth > 0 || out.endsWith("$"))) { i += 2; continue; }
      out += text.substring(i, i + 2); i += 2; continue;
    }
    if (c == 39 && !inDouble) inSingle = true;
    else if (c == 34) inDouble = !inDouble;
    else if (c == 123 && out.endsWith("$")) braceDepth++;
    else if (c == 125 && braceDepth > 0) braceDepth--;
    out += text.charAt(i);
    i++;
  }
  return out;
}

function allDigits(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

/** True for NAME=value words. */
export function isAssignment(word: string): bool {
  const eq = word.indexOf("=");
  if (eq <= 0) return false;
  return isName(word.substring(0, eq));
}

export function isName(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = c == 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (i > 0 && c >= 48 && c <= 57);
    if (!ok) return false;
  }
  return true;
}

/** The index of the backquote closing the one at i (a backslash-quoted one inside does not); -1 if none. */
export function backquoteEnd(s: string, i: i32): i32 {
  for (let k = i + 1; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c == 92) { k++; continue; }
    if (c == 96) return k;
  }
  return -1;
}

/** Index just past the bracket that closes the one at i ("(" or "{"), honouring quotes; -1 if none. */
export function matchClose(s: string, i: i32): i32 {
  const open = s.charCodeAt(i);
  const close = open == 40 ? 41 : 125;
  let depth = 0;
  // Here-documents inside $( ): their bodies are skipped, so a quote or parenthesis in them is text.
  const delims = new Array<string>();
  const strips = new Array<bool>();
  const arithmetic = open == 40 && i + 1 < s.length && s.charCodeAt(i + 1) == 40;
  /** The depth at each open case ... esac. */
  const caseDepths = new Array<i32>();
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == 92) { i += 2; continue; }
    if (c == 60 && open == 40 && !arithmetic && s.startsWith("<<", i)) {
      let j = i + 2;
      const strip = j < s.length && s.charCodeAt(j) == 45;
      if (strip) j++;
      while (j < s.length && (s.charCodeAt(j) == 32 || s.charCodeAt(j) == 9)) j++;
      let delim = "";
      while (j < s.length && !isMeta(s.charCodeAt(j))) {
        const d = s.charCodeAt(j);
        if (d != 39 && d != 34 && d != 92) delim += String.fromCharCode(d);
        j++;
      }
      // A shift like 1<<2 in a nested $(( )) is no here-document: delimiters starting with a digit are not taken.
      if (delim.length > 0 && !(delim.charCodeAt(0) >= 48 && delim.charCodeAt(0) <= 57)) { delims.push(delim); strips.push(strip); }
      i = j;
      continue;
    }
    if (c == 10 && delims.length > 0) {
      i++;
      for (let d = 0; d < delims.length; d++) {
        while (i < s.length) {
          const e = s.indexOf("\n", i);
          let line = s.substring(i, e < 0 ? s.length : e);
          i = e < 0 ? s.length : e + 1;
          if (strips[d]) { let t = 0; while (t < line.length && line.charCodeAt(t) == 9) t++; line = line.substring(t); }
          if (line == delims[d]) break;
        }
      }
      delims.length = 0;
      strips.length = 0;
      continue;
    }
    if (c == 39) { const e = s.indexOf("'", i + 1); if (e < 0) return -1; i = e + 1; continue; }
    if (c == 34) {
      i++;
      while (i < s.length && s.charCodeAt(i) != 34) { if (s.charCodeAt(i) == 92) i++; i++; }
      if (i >= s.length) return -1;
      i++; continue;
    }
    if (open == 40 && !arithmetic && (c == 99 || c == 101) && isWordAt(s, i, c == 99 ? "case" : "esac")) {
      // Inside case ... esac a pattern's ")" closes nothing.
      if (c == 99) caseDepths.push(depth); else if (caseDepths.length > 0) caseDepths.pop();
      i += 4;
      continue;
    }
    if (c == open) depth++;
    else if (c == close) {
      if (caseDepths.length > 0 && caseDepths[caseDepths.length - 1] == depth) { i++; continue; }
      depth--;
      if (depth == 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Whether the reserved word w stands alone at s[i] (blank, ; & ( ) or newline around it). */
function isWordAt(s: string, i: i32, w: string): bool {
  if (!s.startsWith(w, i)) return false;
  const before = i > 0 ? s.charCodeAt(i - 1) : 32;
  const after = i + w.length < s.length ? s.charCodeAt(i + w.length) : 32;
  return isMeta(before) && isMeta(after);
}
