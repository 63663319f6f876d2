// A terminal device: its session and foreground process group, its window size, and the line
// discipline between the host's raw keystrokes and the guests' reads (signals, canonical lines, echo).
import { Errno, SysError } from "../errno.js";
import {
  SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGWINCH, SIG_IGN, TTY_ECHO, TTY_ICANON, TTY_ICRNL, TTY_ISIG,
} from "../abi/wasmbox-abi.js";
import type { Container } from "../jail/container.js";
import { OpenFile, type Readiness } from "../vfs/open-file.js";
import { nowNs } from "../vfs/vnode.js";
import { Filetype, FDFLAGS_NONBLOCK, RIGHTS_STREAM, Rights, type Filestat } from "../wasi.js";
import type { Process } from "./process.js";
import { WaitQueue } from "./wait-queue.js";
import { Wait } from "./wait.js";

/** The host terminal behind a kernel terminal: its mode and its window. */
export interface TerminalControl {
  setRaw(raw: boolean): void;
  /** The window's size now, when known. */
  size?(): WindowSize | undefined;
  /** Calls `listener` when the window is resized; returns a function that stops it. */
  onResize?(listener: () => void): () => void;
}

/** Rows and columns of a terminal window. */
export interface WindowSize {
  rows: number;
  cols: number;
}

/** The flags of a new terminal: a cooked line discipline, as stty sane. */
export const TTY_DEFAULT_FLAGS = TTY_ISIG | TTY_ICANON | TTY_ECHO | TTY_ICRNL;
const ALL_FLAGS = TTY_ISIG | TTY_ICANON | TTY_ECHO | TTY_ICRNL;
const DEFAULT_SIZE: WindowSize = { rows: 24, cols: 80 };

const INTR = 3;
const QUIT = 28;
const SUSP = 26;
const EOF = 4;
const ERASE = 127;
const BACKSPACE = 8;
const KILL = 21;
const WERASE = 23;
const NL = 10;
const CR = 13;

/** Rights of a terminal: a stream without FD_SEEK and FD_TELL, so that isatty() says yes. */
const TERMINAL_RIGHTS = RIGHTS_STREAM & ~(Rights.FD_SEEK | Rights.FD_TELL);

/**
 * One terminal. Bytes from the host arrive raw (receive()); signal keys act at once, the rest is
 * edited into lines (or passed through) when a guest reads, in the mode then in force.
 */
export class Terminal {
  flags = TTY_DEFAULT_FLAGS;
  /** The session this is the controlling terminal of (0: none yet). */
  session = 0;
  /** The foreground process group: it gets the terminal's signals and may read. */
  foreground = 0;
  private size: WindowSize;
  /** Bytes received and not yet read through the line discipline. */
  private raw: number[] = [];
  /** The canonical line being edited. */
  private line: number[] = [];
  /** Input ready for readers: whole lines (canonical) or bytes; an empty record is an end of file (^D). */
  private ready: Uint8Array[] = [];
  private hostEnded = false;
  private stopResize?: () => void;
  private stopSource?: () => void;
  readonly changed = new WaitQueue();

  constructor(
    private readonly container: Container,
    /** Where echoes go: the terminal's screen (the run's standard output). */
    private readonly echoTo: (bytes: Uint8Array) => void,
    /** The process making the current call (for job control on reads). */
    private readonly caller: () => Process | null,
    private readonly host?: TerminalControl,
  ) {
    this.size = host?.size?.() ?? DEFAULT_SIZE;
    this.stopResize = host?.onResize?.(() => this.resize(host.size?.() ?? this.size));
  }

  /** Reads `source` from now on (a terminal's keystrokes come whether or not anyone reads). */
  attach(source: NodeJS.ReadableStream): void {
    this.host?.setRaw(true);
    const onData = (chunk: Buffer | string) => this.receive(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    const onEnd = () => this.hangup();
    source.on("data", onData);
    source.on("end", onEnd);
    source.on("error", onEnd);
    this.stopSource = () => {
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", onEnd);
      source.pause();
    };
  }

  /** Reads a kernel input stream (a VM console, a test) as the terminal's keys. */
  attachInput(input: OpenFile): void {
    const chunk = new Uint8Array(65536);
    const drain = (): void => {
      for (;;) {
        const n = input.read([chunk]);
        if (typeof n !== "number" || n === 0) break;
        this.receive(chunk.slice(0, n));
      }
      if (input.readReadiness().hangup) this.hangup();
      else input.readinessQueue()?.subscribe(drain);
    };
    drain();
  }

  /** The terminal is no longer used: its host stream is let go and the host gets its own mode back. */
  detach(): void {
    this.stopResize?.();
    this.stopResize = undefined;
    this.stopSource?.();
    this.stopSource = undefined;
    this.host?.setRaw(false);
  }

  /** Keys from the host: signal keys act now (with ISIG); everything else waits for a reader. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      const sig = this.flags & TTY_ISIG ? (b === INTR ? SIGINT : b === QUIT ? SIGQUIT : b === SUSP ? SIGTSTP : 0) : 0;
      if (sig === 0) {
        this.raw.push(b);
        continue;
      }
      // As Linux does without NOFLSH: the signal flushes pending input.
      this.raw = [];
      this.line = [];
      if (this.flags & TTY_ECHO) this.echo(Buffer.from(b === INTR ? "^C" : b === QUIT ? "^\\" : "^Z"));
      this.signalForeground(sig);
    }
    this.changed.wakeAll();
  }

  /** Input ended on the host (or a test's input ran out): reads return end of file once it is used up. */
  hangup(): void {
    this.hostEnded = true;
    this.changed.wakeAll();
  }

  /** Data that is all the input there is (tests, captured runs). */
  feed(data: Uint8Array): void {
    this.receive(data);
    this.hangup();
  }

  setFlags(flags: number): void {
    if ((flags & ~ALL_FLAGS) !== 0) throw new SysError(Errno.INVAL);
    const wasCanonical = (this.flags & TTY_ICANON) !== 0;
    this.flags = flags;
    // Leaving canonical mode makes the line being edited readable as it is (as Linux does).
    if (wasCanonical && !(flags & TTY_ICANON) && this.line.length > 0) {
      this.ready.push(Uint8Array.from(this.line));
      this.line = [];
    }
  }

  get windowSize(): WindowSize {
    return this.size;
  }

  /** A new window size: the foreground group gets SIGWINCH when it changed. */
  resize(size: WindowSize): void {
    if (size.rows === this.size.rows && size.cols === this.size.cols) return;
    this.size = { rows: size.rows, cols: size.cols };
    this.signalForeground(SIGWINCH);
  }

  /** Sends a signal to every live process of the foreground group. */
  signalForeground(sig: number): void {
    for (const p of this.container.liveProcesses()) if (p.pgid === this.foreground && p.session === this.session) p.signal(sig);
  }

  /** A guest's read: at most one line in canonical mode; a Wait when nothing is ready. */
  read(bufs: Uint8Array[], nonBlocking: boolean): number | Wait {
    const background = this.backgroundRead();
    if (background) return background;
    this.discipline();
    if (this.ready.length === 0) {
      if (this.hostEnded && this.raw.length === 0) {
        // End of input: a canonical line cut short is still given out first.
        if (this.line.length === 0) return 0;
        this.ready.push(Uint8Array.from(this.line));
        this.line = [];
      } else {
        if (nonBlocking) throw new SysError(Errno.AGAIN);
        return new Wait(this.changed.wait());
      }
    }
    const canonical = (this.flags & TTY_ICANON) !== 0;
    let total = 0;
    for (const buf of bufs) {
      let filled = 0;
      while (filled < buf.length && this.ready.length > 0) {
        const head = this.ready[0];
        if (head.length === 0) {
          // ^D: ends this read; if nothing was read it is the end of file.
          if (total + filled === 0) this.ready.shift();
          return total + filled;
        }
        const n = Math.min(head.length, buf.length - filled);
        buf.set(head.subarray(0, n), filled);
        filled += n;
        if (n === head.length) this.ready.shift();
        else this.ready[0] = head.subarray(n);
        if (canonical && n === head.length) {
          total += filled;
          return total;
        }
      }
      total += filled;
      if (filled < buf.length) break;
    }
    return total;
  }

  readReadiness(): Readiness {
    this.discipline();
    const nbytes = this.ready.reduce((n, r) => n + r.length, 0);
    const ended = this.hostEnded && this.raw.length === 0;
    return { ready: this.ready.length > 0 || ended, nbytes: BigInt(nbytes), hangup: ended };
  }

  /** Whether a read may still have to wait. */
  get open(): boolean {
    return !this.hostEnded || this.raw.length > 0 || this.ready.length > 0;
  }

  /**
   * A reader outside the foreground group: its group gets SIGTTIN (which stops it by default) and
   * the read waits until the terminal changes (its group made the foreground); EIO when it ignores SIGTTIN.
   */
  private backgroundRead(): Wait | undefined {
    const proc = this.caller();
    if (!proc || proc.ctty !== this || proc.pgid === this.foreground || this.foreground === 0) return undefined;
    if (proc.sigActions[SIGTTIN] === SIG_IGN) throw new SysError(Errno.IO);
    for (const p of this.container.liveProcesses()) if (p.pgid === proc.pgid && p.session === proc.session) p.signal(SIGTTIN);
    return new Wait(this.changed.wait());
  }

  /** tcsetpgrp: readers of the new foreground group may read now. */
  setForeground(pgid: number): void {
    this.foreground = pgid;
    this.changed.wakeAll();
  }

  /** Moves received bytes through the line discipline in the mode now in force. */
  private discipline(): void {
    if (this.raw.length === 0) return;
    const input = this.raw;
    this.raw = [];
    const canonical = (this.flags & TTY_ICANON) !== 0;
    const echo = (this.flags & TTY_ECHO) !== 0;
    const out: number[] = [];
    const passed: number[] = [];
    for (let b of input) {
      if (b === CR && this.flags & TTY_ICRNL) b = NL;
      if (!canonical) {
        passed.push(b);
        if (echo) out.push(...(b === NL ? [CR, NL] : [b]));
        continue;
      }
      if (b === ERASE || b === BACKSPACE) {
        if (this.line.length > 0) {
          // One character: a UTF-8 sequence's continuation bytes go with it.
          while (this.line.length > 1 && (this.line[this.line.length - 1] & 0xc0) === 0x80) this.line.pop();
          this.line.pop();
          if (echo) out.push(BACKSPACE, 32, BACKSPACE);
        }
      } else if (b === KILL) {
        if (echo) for (const c of this.line) if ((c & 0xc0) !== 0x80) out.push(BACKSPACE, 32, BACKSPACE);
        this.line = [];
      } else if (b === WERASE) {
        let n = this.line.length;
        while (n > 0 && this.line[n - 1] === 32) n--;
        while (n > 0 && this.line[n - 1] !== 32) n--;
        if (echo) for (const c of this.line.slice(n)) if ((c & 0xc0) !== 0x80) out.push(BACKSPACE, 32, BACKSPACE);
        this.line.length = n;
      } else if (b === EOF) {
        this.ready.push(Uint8Array.from(this.line));
        this.line = [];
      } else if (b === NL) {
        this.line.push(NL);
        this.ready.push(Uint8Array.from(this.line));
        this.line = [];
        if (echo) out.push(CR, NL);
      } else {
        this.line.push(b);
        if (echo) out.push(...(b < 32 ? [94, b + 64] : [b]));
      }
    }
    if (passed.length > 0) this.ready.push(Uint8Array.from(passed));
    if (out.length > 0) this.echo(Uint8Array.from(out));
  }

  /** Writes to the terminal's screen (what a write to /dev/tty does). EIO when the screen is gone. */
  writeScreen(bytes: Uint8Array): void {
    try {
      this.echoTo(bytes);
    } catch {
      throw new SysError(Errno.IO);
    }
  }

  private echo(bytes: Uint8Array): void {
    try {
      this.echoTo(bytes);
    } catch {
      // The screen went away: input still works.
    }
  }
}

/** A process's fd 0 on a terminal: reads through the terminal's line discipline. */
export class TerminalInput extends OpenFile {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  readonly rightsMask = TERMINAL_RIGHTS;

  constructor(readonly terminal: Terminal, private readonly ino = 0n) {
    super();
  }

  override read(bufs: Uint8Array[]): number | Wait {
    return this.terminal.read(bufs, (this.flags & FDFLAGS_NONBLOCK) !== 0);
  }

  override readReadiness(): Readiness {
    return this.terminal.readReadiness();
  }

  override readinessQueue(): WaitQueue {
    return this.terminal.changed;
  }

  override canBlockRead(): boolean {
    return this.terminal.open;
  }

  override stat(): Filestat {
    const t = nowNs();
    return { dev: 0n, ino: this.ino, filetype: Filetype.CHARACTER_DEVICE, nlink: 1n, size: 0n, atim: t, mtim: t, ctim: t, mode: 0o620, uid: 0, gid: 0 };
  }

  override isTerminal(): boolean {
    return true;
  }
}

/** /dev/tty opened: the caller's controlling terminal, read through its line discipline and written to its screen. */
export class ControllingTerminal extends TerminalInput {
  override write(bufs: Uint8Array[]): number {
    let total = 0;
    for (const buf of bufs) {
      if (buf.length === 0) continue;
      this.terminal.writeScreen(buf.slice());
      total += buf.length;
    }
    return total;
  }
}
