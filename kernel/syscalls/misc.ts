// Syscalls that are not about files: args and environment, clocks, randomness, exit, yield,
// and the socket calls (no sockets exist yet, so they give the spec's errnos for what an fd is).
import { Errno, SysError } from "../errno.js";
import { P, R, STRINGS } from "../abi/types.js";
import type { Process } from "../proc/process.js";
import { ProcExit, ProcKilled, Wait } from "../proc/wait.js";
import { ClockId, Filetype } from "../wasi.js";
import { nowNs } from "../vfs/vnode.js";
import { syscall, WASI_MODULE, type SyscallDef } from "./table.js";

const byteLength = (values: string[]) => values.reduce((n, v) => n + Buffer.byteLength(v) + 1, 0);

/** The time of a clock in ns. EINVAL: unknown clock. */
export function clockNow(proc: Process, id: number): bigint {
  switch (id) {
    case ClockId.REALTIME:
      return nowNs();
    case ClockId.MONOTONIC:
      return process.hrtime.bigint();
    case ClockId.PROCESS_CPUTIME:
    case ClockId.THREAD_CPUTIME:
      return BigInt(proc.cpuNs + proc.host.scheduler.currentSliceNs(proc));
    default:
      throw new SysError(Errno.INVAL);
  }
}

function notSocket(proc: Process, fd: number): never {
  const { file } = proc.fds.get(fd);
  if (file.filetype !== Filetype.SOCKET_STREAM && file.filetype !== Filetype.SOCKET_DGRAM) throw new SysError(Errno.NOTSOCK);
  throw new SysError(Errno.NOTSUP);
}

export const miscSyscalls: SyscallDef[] = [
  syscall({
    name: "args_get", module: WASI_MODULE, mayBlock: false, doc: "Writes argv pointers and strings.",
    params: [], result: STRINGS, handler: (proc: Process) => proc.argv,
  }),
  syscall({
    name: "args_sizes_get", module: WASI_MODULE, mayBlock: false, doc: "argc and the bytes argv needs.",
    params: [], result: R.u32pair, handler: (proc: Process) => [proc.argv.length, byteLength(proc.argv)],
  }),
  syscall({
    name: "environ_get", module: WASI_MODULE, mayBlock: false, doc: "Writes environment pointers and strings.",
    params: [], result: STRINGS, handler: (proc: Process) => proc.env,
  }),
  syscall({
    name: "environ_sizes_get", module: WASI_MODULE, mayBlock: false, doc: "Count and bytes of the environment.",
    params: [], result: R.u32pair, handler: (proc: Process) => [proc.env.length, byteLength(proc.env)],
  }),
  syscall({
    name: "clock_res_get", module: WASI_MODULE, mayBlock: false, doc: "Resolution of a clock. EINVAL: unknown clock.",
    params: [["id", P.u32]], result: R.u64,
    handler(_proc: Process, id: number) {
      if (id > ClockId.THREAD_CPUTIME) throw new SysError(Errno.INVAL);
      return id === ClockId.MONOTONIC ? 1n : 1000n;
    },
  }),
  syscall({
    name: "clock_time_get", module: WASI_MODULE, mayBlock: false, doc: "Time of a clock in ns. EINVAL: unknown clock.",
    params: [["id", P.u32], ["precision", P.u64]], result: R.u64,
    handler: (proc: Process, id: number) => clockNow(proc, id),
  }),
  syscall({
    name: "proc_exit", module: WASI_MODULE, mayBlock: false, noReturn: true, doc: "Ends the process with an exit code.",
    params: [["code", P.u32]],
    handler(_proc: Process, code: number) {
      throw new ProcExit(code);
    },
  }),
  syscall({
    name: "proc_raise", module: WASI_MODULE, mayBlock: false, doc: "Sends a signal to the caller. EINVAL: bad signal.",
    params: [["sig", P.u32]],
    handler(proc: Process, sig: number) {
      if (sig >= 32) throw new SysError(Errno.INVAL);
      proc.signal(sig);
      if (proc.killSignal !== undefined) throw new ProcKilled(proc.killSignal);
    },
  }),
  syscall({
    name: "random_get", module: WASI_MODULE, mayBlock: false, doc: "Fills a buffer with random bytes.",
    params: [["buf", P.bytesOut]],
    handler(_proc: Process, buf: Uint8Array) {
      // node:crypto is loaded on first use: it costs a module run ~17 ms of start when imported up front.
      if (buf.length > 0) process.getBuiltinModule("node:crypto").randomFillSync(buf);
    },
  }),
  syscall({
    name: "sched_yield", module: WASI_MODULE, mayBlock: true, doc: "Gives the CPU to the next runnable process.",
    params: [],
    handler: () => new Wait(Promise.resolve(), () => undefined),
  }),
  syscall({
    name: "sock_accept", module: WASI_MODULE, mayBlock: true, doc: "ENOTSOCK: not a socket (no sockets yet).",
    params: [["fd", P.fd], ["flags", P.flags]], result: R.u32,
    handler: (proc: Process, fd: number) => notSocket(proc, fd),
  }),
  syscall({
    name: "sock_recv", module: WASI_MODULE, mayBlock: true, doc: "ENOTSOCK: not a socket.",
    params: [["fd", P.fd], ["ri_data", P.iovecs], ["ri_flags", P.flags]], result: R.u32pair,
    handler: (proc: Process, fd: number) => notSocket(proc, fd),
  }),
  syscall({
    name: "sock_send", module: WASI_MODULE, mayBlock: true, doc: "ENOTSOCK: not a socket.",
    params: [["fd", P.fd], ["si_data", P.iovecs], ["si_flags", P.flags]], result: R.u32,
    handler: (proc: Process, fd: number) => notSocket(proc, fd),
  }),
  syscall({
    name: "sock_shutdown", module: WASI_MODULE, mayBlock: false, doc: "ENOTSOCK: not a socket.",
    params: [["fd", P.fd], ["how", P.flags]],
    handler: (proc: Process, fd: number) => notSocket(proc, fd),
  }),
];
