// Processes over the kernel's calls: spawn with an fd map, wait, pipes, dup, signals, ids,
// and time (clock, sleep). There is no fork: a child is always a fresh program.

import * as k from "./wasmbox";
import { clock_time_get, poll_oneoff } from "./wasi";

const ret = memory.data(64);

/** Packs strings as NUL-terminated UTF-8 back to back. */
function packStrings(list: string[]): ArrayBuffer {
  let size = 0;
  for (let i = 0; i < list.length; i++) size += String.UTF8.byteLength(list[i]) + 1;
  const buf = new ArrayBuffer(size);
  let p = changetype<usize>(buf);
  for (let i = 0; i < list.length; i++) {
    p += String.UTF8.encodeUnsafe(changetype<usize>(list[i]), list[i].length, p, true);
  }
  return buf;
}

/**
 * Starts program `path` with argv. env null inherits; cwd "" inherits; fdmap is pairs
 * [childFd, parentFd, ...] (empty inherits 0-2). Returns the pid, or -errno.
 */
export function spawn(path: string, args: string[], env: string[] | null, cwd: string, fdmap: i32[], flags: u32 = 0): i32 {
  const p = String.UTF8.encode(path);
  const a = packStrings(args);
  const e = env == null ? new ArrayBuffer(0) : packStrings(env as string[]);
  const c = String.UTF8.encode(cwd);
  const map = new Uint32Array(fdmap.length);
  for (let i = 0; i < fdmap.length; i++) map[i] = <u32>fdmap[i];
  const err = k.proc_spawn(changetype<usize>(p), p.byteLength, changetype<usize>(a), a.byteLength,
    changetype<usize>(e), e.byteLength, changetype<usize>(c), c.byteLength,
    map.dataStart, fdmap.length / 2, flags, ret);
  return err != 0 ? -err : load<i32>(ret);
}

/** Result of the last wait(): the pid and the POSIX status. */
export let waitedPid: i32 = 0;
export let waitedStatus: i32 = 0;

/** waitpid(2); returns 0 or an errno (ECHILD, EINTR). */
export function wait(pid: i32, options: u32 = 0): i32 {
  const err = k.proc_wait(pid, options, ret, ret + 4);
  if (err == 0) { waitedPid = load<i32>(ret); waitedStatus = load<i32>(ret, 4); }
  return err;
}

/** Shell-style exit status of a wait status: the code, or 128 + signal. */
export function exitStatus(status: i32): i32 {
  return (status & 0x7f) != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
}

/** pipe(2): returns the read end and the write end in pipeRead / pipeWrite; 0 or errno. */
export let pipeRead: i32 = -1;
export let pipeWrite: i32 = -1;
export function pipe(): i32 {
  const err = k.fd_pipe(ret, ret + 4);
  if (err == 0) { pipeRead = load<i32>(ret); pipeWrite = load<i32>(ret, 4); }
  return err;
}

/** dup(2): the new fd or -errno. */
export function dup(fd: i32): i32 {
  const err = k.fd_dup(<u32>fd, ret);
  return err != 0 ? -err : load<i32>(ret);
}

export function dup2(fd: i32, to: i32): i32 { return k.fd_dup2(<u32>fd, <u32>to); }
export function kill(pid: i32, sig: i32): i32 { return k.proc_signal(pid, sig); }
export function sigaction(sig: i32, action: i32): i32 { return k.proc_sigaction(sig, action); }
export function setpgid(pid: i32, pgid: i32): i32 { return k.proc_setpgid(pid, pgid); }

/** Pending caught signals as a bit mask (reading clears them). */
export function sigpending(): u32 {
  return k.proc_sigpending(ret) == 0 ? load<u32>(ret) : 0;
}

export function getpid(): i32 { k.proc_id(ret); return load<i32>(ret); }
export function getppid(): i32 { k.proc_parent(0, ret); return load<i32>(ret); }
export function getpgid(pid: i32): i32 { return k.proc_getpgid(pid, ret) == 0 ? load<i32>(ret) : -1; }
export function getsid(pid: i32): i32 { return k.proc_getsid(pid, ret) == 0 ? load<i32>(ret) : -1; }
/** setsid(2): the new session's id, or -errno. */
export function setsid(): i32 { const err = k.proc_setsid(ret); return err != 0 ? -err : load<i32>(ret); }

/** tcgetpgrp(3): the foreground group of the terminal on fd, or -errno. */
export function tcgetpgrp(fd: i32): i32 { const err = k.tty_get_foreground(<u32>fd, ret); return err != 0 ? -err : load<i32>(ret); }
/** tcsetpgrp(3): 0 or an errno. */
export function tcsetpgrp(fd: i32, pgid: i32): i32 { return k.tty_foreground(<u32>fd, pgid); }

/** The terminal's window size from the last winsize() call. */
export let windowRows: i32 = 24;
export let windowCols: i32 = 80;
/** Reads the window size of the terminal on fd into windowRows / windowCols; 0 or an errno. */
export function winsize(fd: i32): i32 {
  const err = k.tty_winsize(<u32>fd, ret, ret + 4);
  if (err == 0) { windowRows = load<i32>(ret); windowCols = load<i32>(ret, 4); }
  return err;
}

/** Wall-clock time in nanoseconds since the epoch. */
export function nowNs(): i64 { clock_time_get(0, 1000, ret); return load<i64>(ret); }
/** Monotonic time in nanoseconds. */
export function monotonicNs(): i64 { clock_time_get(1, 1000, ret); return load<i64>(ret); }

/** Sleeps ns nanoseconds with poll_oneoff on a relative monotonic clock; 0 or an errno. */
export function sleepNs(ns: i64): i32 {
  const sub = ret;
  memory.fill(sub, 0, 48);
  store<u8>(sub, 0, 8);          // tag: clock
  store<u32>(sub, 1, 16);        // clock id: monotonic
  store<i64>(sub, ns, 24);       // timeout
  store<u64>(sub, 1000, 32);     // precision
  const events = heap.alloc(64);
  const err = poll_oneoff(sub, events, 1, events + 40);
  heap.free(events);
  return err;
}

/** Whether fd has input to read within `ns` nanoseconds (poll_oneoff on fd_read and a timeout). */
export function inputWithin(fd: i32, ns: i64): bool {
  const subs = heap.alloc(96);
  memory.fill(subs, 0, 96);
  store<u64>(subs, 1, 0);          // userdata 1: the fd
  store<u8>(subs, 1, 8);           // tag: fd_read
  store<u32>(subs, <u32>fd, 16);
  store<u64>(subs, 2, 48);         // userdata 2: the timeout
  store<u8>(subs, 0, 56);          // tag: clock
  store<u32>(subs, 1, 64);         // monotonic
  store<i64>(subs, ns, 72);
  store<u64>(subs, 1000, 80);
  const events = heap.alloc(72);
  let ready = false;
  if (poll_oneoff(subs, events, 2, events + 64) == 0) {
    const n = load<u32>(events, 64);
    for (let i: u32 = 0; i < n; i++) if (load<u64>(events + i * 32) == 1 && load<u16>(events + i * 32, 8) == 0) ready = true;
  }
  heap.free(events);
  heap.free(subs);
  return ready;
}
