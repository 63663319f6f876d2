// The kernel's own calls (import module "wasmbox"): processes, pipes, fd duplication, signals,
// terminals and system information. The ABI is documented in kernel/abi/wasmbox-abi.ts.
import { posix as posixPath } from "node:path";
import { Errno, SysError } from "../errno.js";
import { P, R } from "../abi/types.js";
import * as ABI from "../abi/wasmbox-abi.js";
import { ARG_MAX } from "../abi/limits.js";
import { shareEntry, type FdEntry } from "../proc/fd-table.js";
import { Pipe } from "../proc/pipe.js";
import { TraceSink } from "../proc/trace-sink.js";
import { TTY_DEFAULT_FLAGS, type Terminal } from "../proc/terminal.js";
import type { Process } from "../proc/process.js";
import { ProcKilled, Wait } from "../proc/wait.js";
import { DirectoryFile } from "../vfs/open-file.js";
import type { Vnode } from "../vfs/vnode.js";
import { resolveAt } from "./path.js";
import { Filetype, LOOKUP_SYMLINK_FOLLOW, Rights, RIGHTS_STREAM } from "../wasi.js";
import { syscall, type SyscallDef } from "./table.js";

const M = ABI.KERNEL_MODULE;

/** Splits NUL-terminated strings packed back to back. */
function unpack(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString("utf8");
  if (text.length === 0) return [];
  const parts = text.split("\0");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** A process by pid in the caller's namespace (0: the caller). ESRCH. */
function processOf(proc: Process, pid: number): Process {
  const target = pid === 0 ? proc : proc.container.pids.get(pid);
  if (!target) throw new SysError(Errno.SRCH);
  return target;
}

/** The live processes getpriority(2)'s which and who name (who 0: the caller's pid, group or uid). ESRCH (none), EINVAL. */
function niceTargets(proc: Process, which: number, who: number): Process[] {
  if (which === ABI.PRIO_PROCESS) return [processOf(proc, who)];
  if (which !== ABI.PRIO_PGRP && which !== ABI.PRIO_USER) throw new SysError(Errno.INVAL);
  const matches = which === ABI.PRIO_PGRP ? (p: Process) => p.pgid === (who === 0 ? proc.pgid : who) : (p: Process) => p.uid === (who === 0 ? proc.uid : who);
  const targets = proc.container.liveProcesses().filter(matches);
  if (targets.length === 0) throw new SysError(Errno.SRCH);
  return targets;
}

/** The caller's controlling terminal, if `fd` is a terminal. ENOTTY. */
function terminalOf(proc: Process, fd: number): Terminal {
  const { file } = proc.fds.get(fd);
  if (!file.isTerminal() || !proc.ctty) throw new SysError(Errno.NOTTY);
  return proc.ctty;
}

function checkSignal(sig: number): void {
  if (sig < 0 || sig >= ABI.NSIG) throw new SysError(Errno.INVAL);
}

/** The processes a kill(2)-style pid selects, within the caller's pid namespace. */
function signalTargets(proc: Process, pid: number): Process[] {
  const all = proc.container.pids.list().filter((p) => p.state !== "ZOMBIE");
  if (pid > 0) return all.filter((p) => p.pid === pid);
  if (pid === 0) return all.filter((p) => p.pgid === proc.pgid);
  if (pid === -1) return all.filter((p) => p.pid !== 1 && p !== proc);
  return all.filter((p) => p.pgid === -pid);
}

/** The node a path_* call of this module acts on (following a final symlink when flags say so). ENOENT. */
function nodeAt(proc: Process, fd: number, flags: number, path: string, rights: number): Vnode {
  const node = resolveAt(proc, fd, path, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0, rights).node;
  if (!node) throw new SysError(Errno.NOENT);
  return node;
}

/** A node whose owner or mode `proc` may change: root, or (for the mode) its owner. EROFS; EPERM. */
function changeable(proc: Process, node: Vnode, ownerOnly: boolean): void {
  if (node.fs.readOnly) throw new SysError(Errno.ROFS);
  if (proc.uid === 0) return;
  if (ownerOnly || node.stat().uid !== proc.uid) throw new SysError(Errno.PERM);
}

export const kernelSyscalls: SyscallDef[] = [
  syscall({
    name: "proc_spawn", module: M, mayBlock: false,
    doc: "Starts a program as a child (see wasmbox-abi.ts). ENOENT; EACCES; ENOEXEC; EAGAIN (pids limit); EBADF (fdmap, or a child fd past the fd limit); E2BIG (argv and envp past ARG_MAX).",
    params: [["path", P.string], ["argv", P.bytesIn], ["envp", P.bytesIn], ["cwd", P.string], ["fdmap", P.u32pairs], ["flags", P.flags]],
    result: R.u32,
    handler(proc: Process, path: string, argvBytes: Uint8Array, envBytes: Uint8Array, cwd: string, pairs: Array<[number, number]>, flags: number) {
      if (argvBytes.length + envBytes.length > ARG_MAX) throw new SysError(Errno.TOOBIG);
      const childLimit = proc.container.limits.nofile;
      for (const [childFd] of pairs) if (childFd >= childLimit) throw new SysError(Errno.BADF);
      const fds: Array<[number, FdEntry]> = [];
      if (pairs.length === 0) {
        for (const [fd, entry] of proc.fds.entries()) {
          if (fd <= 2 || (entry.preopen !== undefined)) fds.push([fd, entry]);
        }
      } else {
        for (const [childFd, parentFd] of pairs) fds.push([childFd, proc.fds.get(parentFd)]);
        const taken = new Set(pairs.map(([c]) => c));
        // A preopen whose fd the map gives to something else (a shell's `exec 3<file`) moves to the
        // lowest free fd above 2, so the child keeps its directories.
        const moved: FdEntry[] = [];
        for (const [fd, entry] of proc.fds.entries()) {
          if (entry.preopen === undefined) continue;
          if (taken.has(fd)) moved.push(entry);
          else { fds.push([fd, entry]); taken.add(fd); }
        }
        let free = 3;
        for (const entry of moved) {
          while (taken.has(free)) free++;
          fds.push([free, entry]);
          taken.add(free);
        }
      }
      const argv = unpack(argvBytes);
      const env = envBytes.length === 0 ? proc.env.slice() : unpack(envBytes);
      const child = proc.host.spawn({
        container: proc.container, parent: proc, path, cwd: cwd || proc.cwd, base: proc.cwdChain,
        argv: argv.length > 0 ? argv : [path], env, fds: fds.map(([fd, entry]) => [fd, shareEntry(entry)]),
        newGroup: (flags & ABI.SPAWN_NEW_PGROUP) !== 0,
      });
      return child.pid;
    },
  }),
  syscall({
    name: "proc_trace", module: M, mayBlock: false,
    doc: "Traces the children the caller spawns from now on into fd (one record per syscall); fd -1 stops. EBADF (fd not open for writing); EINVAL (unknown flags).",
    params: [["fd", P.s32], ["flags", P.flags], ["strsize", P.u32]],
    handler(proc: Process, fd: number, flags: number, strsize: number) {
      if (flags & ~ABI.TRACE_FOLLOW) throw new SysError(Errno.INVAL);
      let sink: TraceSink | undefined;
      if (fd !== -1) {
        const entry = proc.fds.get(fd);
        if ((entry.rightsBase & Rights.FD_WRITE) === 0) throw new SysError(Errno.BADF);
        sink = new TraceSink(shareEntry(entry).file, { follow: (flags & ABI.TRACE_FOLLOW) !== 0, strsize: Math.min(strsize, ABI.TRACE_STRSIZE_MAX) });
      }
      proc.traceChildren?.release();
      proc.traceChildren = sink;
    },
  }),
  syscall({
    name: "proc_wait", module: M, mayBlock: true, doc: "waitpid(2), with WNOHANG, WUNTRACED and WCONTINUED: status as POSIX encodes it. ECHILD; EINTR.",
    params: [["pid", P.s32], ["options", P.flags]], result: R.u32pair,
    handler(proc: Process, pid: number, options: number) {
      const table = proc.host.processes;
      const zombie = table.findZombie(proc, pid);
      if (zombie) {
        table.reap(zombie);
        proc.childrenCpuNs += zombie.cpuNs + zombie.childrenCpuNs;
        return [zombie.pid, zombie.status ?? 0];
      }
      const change = table.takeJobChange(proc, pid, (options & ABI.WAIT_UNTRACED) !== 0, (options & ABI.WAIT_CONTINUED) !== 0);
      if (change) return change;
      if (!table.hasChild(proc, pid)) throw new SysError(Errno.CHILD);
      if (options & ABI.WAIT_NOHANG) return [0, 0];
      return new Wait(proc.childEvents.wait());
    },
  }),
  syscall({
    name: "proc_umask", module: M, mayBlock: false,
    doc: "umask(2): sets the file mode creation mask (0777 bits), inherited by children; gives the old one.",
    params: [["mask", P.u32]], result: R.u32,
    handler(proc: Process, mask: number) {
      const old = proc.umask;
      proc.umask = mask & 0o777;
      return old;
    },
  }),
  syscall({
    name: "proc_nice", module: M, mayBlock: false,
    doc: "getpriority/setpriority(2): which is PRIO_PROCESS, PRIO_PGRP or PRIO_USER, who a pid, group or uid (0: the caller's); with set, each one's nice value becomes value (clamped to -20..19); gives the lowest old value + 20. ESRCH (none), EINVAL (bad which), EPERM (another user's process), EACCES (lowering it, not uid 0).",
    params: [["which", P.u32], ["who", P.u32], ["value", P.s32], ["set", P.u32]], result: R.u32,
    handler(proc: Process, which: number, who: number, value: number, set: number) {
      const targets = niceTargets(proc, which, who);
      const old = Math.min(...targets.map((p) => p.nice));
      if (set !== 0) {
        const wanted = Math.min(19, Math.max(-20, value));
        let refused: Errno | undefined;
        for (const target of targets) {
          if (proc.uid !== 0 && target.uid !== proc.uid) refused = Errno.PERM;
          else if (wanted < target.nice && proc.uid !== 0) refused = Errno.ACCES;
          else target.nice = wanted;
        }
        if (refused !== undefined) throw new SysError(refused);
      }
      return old + 20;
    },
  }),
  syscall({
    name: "proc_times", module: M, mayBlock: false,
    doc: "times(2): 4 x u64 nanoseconds: the caller's CPU time, 0 (no system time apart), its waited-for children's CPU time, 0.",
    params: [["out", P.ptr]],
    handler(proc: Process, out: number) {
      proc.mem.check(out, 32);
      proc.mem.setU64(out, BigInt(Math.round(proc.cpuNs + proc.host.scheduler.currentSliceNs(proc))));
      proc.mem.setU64(out + 8, 0n);
      proc.mem.setU64(out + 16, BigInt(Math.round(proc.childrenCpuNs)));
      proc.mem.setU64(out + 24, 0n);
    },
  }),
  syscall({
    name: "fd_pipe", module: M, mayBlock: false,
    doc: "A pipe: read end, write end. EMFILE; ENOMEM: its buffer would pass the container's memory limit (pipe buffers count as memory).",
    params: [], result: R.u32pair,
    handler(proc: Process) {
      const [r, w] = new Pipe(proc.host.allocIno(), proc.container.limiter).open();
      const rights = RIGHTS_STREAM;
      const rfd = proc.fds.add({ file: r, rightsBase: rights, rightsInheriting: 0 });
      try {
        const wfd = proc.fds.add({ file: w, rightsBase: rights, rightsInheriting: 0 });
        return [rfd, wfd];
      } catch (e) {
        proc.fds.close(rfd);
        w.release();
        throw e;
      }
    },
  }),
  syscall({
    name: "fd_dup", module: M, mayBlock: false, doc: "dup(2): the lowest free fd. EMFILE.",
    params: [["fd", P.fd]], result: R.u32,
    handler(proc: Process, fd: number) {
      const entry = shareEntry(proc.fds.get(fd));
      delete entry.preopen;
      try {
        return proc.fds.add(entry);
      } catch (e) {
        entry.file.release();
        throw e;
      }
    },
  }),
  syscall({
    name: "fd_dup2", module: M, mayBlock: false, doc: "dup2(2): closes to_fd first. EBADF.",
    params: [["fd", P.fd], ["to_fd", P.fd]],
    handler(proc: Process, fd: number, to: number) {
      const entry = proc.fds.get(fd);
      if (fd === to) return;
      if (to >= proc.fds.limit) throw new SysError(Errno.BADF);
      const copy = shareEntry(entry);
      delete copy.preopen;
      proc.fds.put(to, copy);
    },
  }),
  syscall({
    name: "proc_id", module: M, mayBlock: false, doc: "The caller's pid.",
    params: [], result: R.u32, handler: (proc: Process) => proc.pid,
  }),
  syscall({
    name: "proc_parent", module: M, mayBlock: false, doc: "The parent's pid (0 for none or outside the namespace). ESRCH.",
    params: [["pid", P.u32]], result: R.u32,
    handler(proc: Process, pid: number) {
      const target = pid === 0 ? proc : proc.container.pids.get(pid);
      if (!target) throw new SysError(Errno.SRCH);
      return target.parent && target.parent.container === proc.container ? target.parent.pid : 0;
    },
  }),
  syscall({
    name: "proc_signal", module: M, mayBlock: false, doc: "kill(2) within the caller's pid namespace. ESRCH; EINVAL.",
    params: [["pid", P.s32], ["sig", P.u32]],
    handler(proc: Process, pid: number, sig: number) {
      checkSignal(sig);
      const targets = signalTargets(proc, pid);
      if (targets.length === 0) throw new SysError(Errno.SRCH);
      for (const t of targets) t.signal(sig);
      if (proc.killSignal !== undefined) throw new ProcKilled(proc.killSignal);
    },
  }),
  syscall({
    name: "proc_setpgid", module: M, mayBlock: false, doc: "setpgid(2). ESRCH (not the caller or its child); EPERM (session leader, other session, no such group).",
    params: [["pid", P.u32], ["pgid", P.u32]],
    handler(proc: Process, pid: number, pgid: number) {
      const target = pid === 0 ? proc : proc.container.pids.get(pid);
      if (!target || target.state === "ZOMBIE" || (target !== proc && target.parent !== proc)) throw new SysError(Errno.SRCH);
      if (target.session !== proc.session || target.session === target.pid) throw new SysError(Errno.PERM);
      const group = pgid === 0 ? target.pid : pgid;
      if (group !== target.pid && !proc.container.liveProcesses().some((p) => p.pgid === group && p.session === proc.session)) {
        throw new SysError(Errno.PERM);
      }
      target.pgid = group;
    },
  }),
  syscall({
    name: "proc_getpgid", module: M, mayBlock: false, doc: "getpgid(2). ESRCH.",
    params: [["pid", P.u32]], result: R.u32,
    handler: (proc: Process, pid: number) => processOf(proc, pid).pgid,
  }),
  syscall({
    name: "proc_setsid", module: M, mayBlock: false, doc: "setsid(2): a new session and group led by the caller, without a controlling terminal. EPERM (already a group leader).",
    params: [], result: R.u32,
    handler(proc: Process) {
      if (proc.container.liveProcesses().some((p) => p.pgid === proc.pid)) throw new SysError(Errno.PERM);
      proc.session = proc.pid;
      proc.pgid = proc.pid;
      proc.ctty = undefined;
      return proc.session;
    },
  }),
  syscall({
    name: "proc_getsid", module: M, mayBlock: false, doc: "getsid(2). ESRCH.",
    params: [["pid", P.u32]], result: R.u32,
    handler: (proc: Process, pid: number) => processOf(proc, pid).session,
  }),
  syscall({
    name: "proc_chdir", module: M, mayBlock: false, doc: "chdir(2): the working directory, a process attribute inherited at spawn. ENOENT; ENOTDIR; EACCES.",
    params: [["path", P.string]],
    handler(proc: Process, path: string) {
      if (path === "") throw new SysError(Errno.NOENT);
      const ns = proc.container.ns;
      const absolute = posixPath.resolve(proc.cwd, path);
      const chain = ns.dirChain(path.startsWith("/") ? [ns.root] : proc.cwdChain, path);
      proc.cwdChain = chain;
      proc.cwd = absolute;
    },
  }),
  syscall({
    name: "proc_getcwd", module: M, mayBlock: false, doc: "getcwd(3): the working directory's path. ERANGE (buffer too small).",
    params: [["buf", P.bytesOut]], result: R.u32,
    handler(proc: Process, buf: Uint8Array) {
      const path = Buffer.from(proc.cwd);
      if (path.length > buf.length) throw new SysError(Errno.RANGE);
      buf.set(path);
      return path.length;
    },
  }),
  syscall({
    name: "proc_sigaction", module: M, mayBlock: false, doc: "Default, ignore or catch a signal. EINVAL (KILL, STOP or unknown).",
    params: [["sig", P.u32], ["action", P.u32]],
    handler(proc: Process, sig: number, action: number) {
      checkSignal(sig);
      if (sig === 0 || sig === ABI.SIGKILL || sig === ABI.SIGSTOP || action > ABI.SIG_CATCH) throw new SysError(Errno.INVAL);
      proc.sigActions[sig] = action;
    },
  }),
  syscall({
    name: "proc_sigpending", module: M, mayBlock: false, doc: "Takes the mask of pending caught signals.",
    params: [], result: R.u32,
    handler(proc: Process) {
      const mask = proc.sigPending;
      proc.sigPending = 0;
      return mask >>> 0;
    },
  }),
  syscall({
    name: "tty_mode", module: M, mayBlock: false, doc: "Raw or cooked input on a terminal. ENOTTY; EINVAL.",
    params: [["fd", P.fd], ["mode", P.u32]],
    handler(proc: Process, fd: number, mode: number) {
      const terminal = terminalOf(proc, fd);
      if (mode > ABI.TTY_RAW) throw new SysError(Errno.INVAL);
      terminal.setFlags(mode === ABI.TTY_RAW ? 0 : TTY_DEFAULT_FLAGS);
    },
  }),
  syscall({
    name: "tty_getattr", module: M, mayBlock: false, doc: "tcgetattr(3): the terminal's TTY_* flags. ENOTTY.",
    params: [["fd", P.fd]], result: R.u32,
    handler: (proc: Process, fd: number) => terminalOf(proc, fd).flags,
  }),
  syscall({
    name: "tty_setattr", module: M, mayBlock: false, doc: "tcsetattr(3): sets the terminal's TTY_* flags. ENOTTY; EINVAL.",
    params: [["fd", P.fd], ["flags", P.u32]],
    handler(proc: Process, fd: number, flags: number) {
      terminalOf(proc, fd).setFlags(flags);
    },
  }),
  syscall({
    name: "tty_foreground", module: M, mayBlock: false, doc: "tcsetpgrp(3): the group that gets the terminal's signals and may read. ENOTTY; EPERM (no such group in the session).",
    params: [["fd", P.fd], ["pgid", P.u32]],
    handler(proc: Process, fd: number, pgid: number) {
      const terminal = terminalOf(proc, fd);
      if (terminal.session !== proc.session) throw new SysError(Errno.NOTTY);
      if (!proc.container.liveProcesses().some((p) => p.pgid === pgid && p.session === proc.session)) throw new SysError(Errno.PERM);
      terminal.setForeground(pgid);
    },
  }),
  syscall({
    name: "tty_get_foreground", module: M, mayBlock: false, doc: "tcgetpgrp(3). ENOTTY.",
    params: [["fd", P.fd]], result: R.u32,
    handler: (proc: Process, fd: number) => terminalOf(proc, fd).foreground,
  }),
  syscall({
    name: "tty_winsize", module: M, mayBlock: false, doc: "The terminal's rows and columns (TIOCGWINSZ). ENOTTY.",
    params: [["fd", P.fd]], result: R.u32pair,
    handler(proc: Process, fd: number) {
      const { rows, cols } = terminalOf(proc, fd).windowSize;
      return [rows, cols];
    },
  }),
  syscall({
    name: "sys_uname", module: M, mayBlock: false, doc: "sysname, nodename, release, version, machine (NUL-separated); cut to the buffer.",
    params: [["buf", P.bytesOut]], result: R.u32,
    handler(proc: Process, buf: Uint8Array) {
      const k = proc.host;
      const text = Buffer.from(["wasmbox", proc.container.hostname, k.release, `#1 ${k.engineKind}`, "wasm32", ""].join("\0"));
      const n = Math.min(buf.length, text.length);
      buf.set(text.subarray(0, n));
      return n;
    },
  }),
  syscall({
    name: "sys_statvfs", module: M, mayBlock: false, doc: "Bytes and inodes of the filesystem holding fd.",
    params: [["fd", P.fd], ["out", P.ptr]],
    handler(proc: Process, fd: number, out: number) {
      const { file } = proc.fds.get(fd);
      const fs = file.vnode?.fs ?? (file instanceof DirectoryFile ? file.vnode.fs : undefined);
      const u = fs ? fs.usage() : { bytes: 0, usedBytes: 0, inodes: 0, usedInodes: 0 };
      proc.mem.check(out, 32);
      proc.mem.setU64(out, BigInt(u.bytes));
      proc.mem.setU64(out + 8, BigInt(u.usedBytes));
      proc.mem.setU64(out + 16, BigInt(u.inodes));
      proc.mem.setU64(out + 24, BigInt(u.usedInodes));
    },
  }),
  syscall({
    name: "sys_meminfo", module: M, mayBlock: false, doc: "Kernel total and used memory, the container's limit (--memory, else its default) and use (pipe buffers included).",
    params: [["out", P.ptr]],
    handler(proc: Process, out: number) {
      const { total, used } = proc.host.memoryInfo(proc.container);
      proc.mem.check(out, 32);
      proc.mem.setU64(out, BigInt(total));
      proc.mem.setU64(out + 8, BigInt(used));
      proc.mem.setU64(out + 16, BigInt(proc.container.limiter.memoryLimit() ?? 0));
      proc.mem.setU64(out + 24, BigInt(proc.container.limiter.memoryBytes()));
    },
  }),
  syscall({
    name: "path_mode_get", module: M, mayBlock: false, doc: "A file's permission bits (with setuid, setgid, sticky) and owner: mode, uid, gid. ENOENT; ENOTDIR; ELOOP.",
    params: [["fd", P.fd], ["flags", P.flags], ["path", P.string], ["out", P.ptr]],
    handler(proc: Process, fd: number, flags: number, path: string, out: number) {
      const st = nodeAt(proc, fd, flags, path, Rights.PATH_FILESTAT_GET).stat();
      proc.mem.check(out, 12);
      proc.mem.setU32(out, st.mode & 0o7777);
      proc.mem.setU32(out + 4, st.uid >>> 0);
      proc.mem.setU32(out + 8, st.gid >>> 0);
    },
  }),
  syscall({
    name: "path_chmod", module: M, mayBlock: false, doc: "chmod(2)/fchmodat: sets the permission bits (mask 07777). ENOENT; EPERM (not the owner, nor root; a symlink); EROFS.",
    params: [["fd", P.fd], ["flags", P.flags], ["path", P.string], ["mode", P.u32]],
    handler(proc: Process, fd: number, flags: number, path: string, mode: number) {
      const node = nodeAt(proc, fd, flags, path, Rights.PATH_FILESTAT_SET_TIMES);
      changeable(proc, node, false);
      node.chmod(mode & 0o7777);
    },
  }),
  syscall({
    name: "path_chown", module: M, mayBlock: false, doc: "chown(2)/lchown: sets the owner and group (0xffffffff leaves one as it is). EPERM (not root); ENOENT; EROFS.",
    params: [["fd", P.fd], ["flags", P.flags], ["path", P.string], ["uid", P.u32], ["gid", P.u32]],
    handler(proc: Process, fd: number, flags: number, path: string, uid: number, gid: number) {
      const node = nodeAt(proc, fd, flags, path, Rights.PATH_FILESTAT_SET_TIMES);
      const st = node.stat();
      const newUid = uid === ABI.CHOWN_UNCHANGED >>> 0 ? st.uid : uid;
      const newGid = gid === ABI.CHOWN_UNCHANGED >>> 0 ? st.gid : gid;
      // Like Linux: the owner may change the group to its own group; only root gives a file away.
      changeable(proc, node, newUid !== st.uid || (newGid !== st.gid && newGid !== proc.gid));
      node.setOwner(newUid, newGid);
      // A change of owner clears setuid and setgid, as chown(2) does for a non-directory.
      if ((newUid !== st.uid || newGid !== st.gid) && node.type !== Filetype.DIRECTORY && st.mode & 0o6000 && node.fs.keepsOwners) node.chmod(st.mode & ~0o6000);
    },
  }),
];
