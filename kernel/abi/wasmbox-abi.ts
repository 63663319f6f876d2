// The kernel's own system calls (import module "wasmbox"): the ABI that userland and tests use.
// This file is valid TypeScript *and* AssemblyScript, so kernel/ and userland/ share one copy.
//
// Every call returns a WASI errno (u16 widened to i32) unless noted; results go through
// pointers into guest memory, as in wasi_snapshot_preview1. Strings are (ptr, len) byte ranges.
// Names and signatures follow WASIX where WASIX has the same call (fd_pipe, fd_dup, proc_id,
// proc_parent, proc_signal); the others are wasmbox's own and use names WASIX does not.
//
//   proc_spawn(path, path_len, argv, argv_len, envp, envp_len, cwd, cwd_len,
//              fdmap, fdmap_len, flags, ret_pid) -> errno
//       Starts the Wasm program at `path` (absolute, or relative to the caller's cwd; no PATH
//       search) as a child. argv and envp are NUL-terminated strings packed back to back
//       (argv_len / envp_len are byte lengths; envp_len 0 = inherit the caller's environment).
//       cwd_len 0 = inherit the caller's cwd. fdmap is an array of fdmap_len pairs of u32
//       (child_fd, parent_fd): the child gets exactly those fds, sharing the open files
//       (and their offsets) like dup; fdmap_len 0 = inherit fds 0, 1 and 2 and the preopens.
//       The child always inherits the caller's preopened directories (fd 3 upwards), unless
//       fdmap names their numbers. flags: SPAWN_NEW_PGROUP puts the child in a new process
//       group whose id is its pid. Errors: ENOENT, EACCES, ENOEXEC (not a Wasm module, or it
//       imports what the kernel lacks), EAGAIN (pids limit), EBADF (bad parent fd in fdmap, or a
//       child fd at or past the fd limit), E2BIG (argv_len + envp_len past 2 MiB, ARG_MAX),
//       EINVAL (fdmap_len past 65536), ENAMETOOLONG (path or cwd past 4096 bytes), ENOMEM, EFAULT.
//   proc_wait(pid, options, ret_pid, ret_status) -> errno
//       Waits for a child: pid > 0 that child, -1 any child, < -1 any child in group -pid.
//       options: WAIT_NOHANG returns at once with *ret_pid = 0 when none has ended.
//       *ret_status is a POSIX wait status: exited => (code & 0xff) << 8, killed => signal.
//       Errors: ECHILD (no such child), EINTR (a caught signal arrived; see proc_sigpending).
//   fd_pipe(ret_read_fd, ret_write_fd) -> errno        (WASIX)  64 KiB buffer.
//   fd_dup(fd, ret_fd) -> errno                         (WASIX)  lowest free fd.
//   fd_dup2(fd, to_fd) -> errno       dup2(2): closes to_fd first if open; fd == to_fd is a no-op.
//   proc_id(ret_pid) -> errno                           (WASIX)  pid in the caller's namespace.
//   proc_parent(pid, ret_ppid) -> errno                 (WASIX)  pid 0 = the caller.
//   proc_signal(pid, sig) -> errno    kill(2): pid > 0 one process, 0 the caller's group,
//       -1 every process the caller may signal (its namespace, but not pid 1), < -1 group -pid.
//       sig 0 only checks. Errors: ESRCH, EINVAL (bad signal), EPERM (other namespace: ESRCH).
//   proc_setpgid(pid, pgid) -> errno  setpgid(2); 0 means the caller / its own pid.
//   proc_getpgid(pid, ret_pgid) -> errno
//   proc_sigaction(sig, action) -> errno   action SIG_DFL, SIG_IGN or SIG_CATCH. A caught signal
//       becomes pending and makes a blocking call return EINTR. KILL cannot be changed (EINVAL).
//   proc_sigpending(ret_mask) -> errno    u32 mask of pending caught signals (bit = 1 << sig);
//       reading clears them.
//   tty_mode(fd, mode) -> errno        TTY_COOKED or TTY_RAW on a terminal; ENOTTY otherwise.
//   tty_foreground(fd, pgid) -> errno  which process group gets INT from ^C on that terminal.
//   sys_uname(buf, buf_len, ret_len) -> errno   "sysname\0nodename\0release\0version\0machine\0"
//   sys_statvfs(fd, ret) -> errno      for the filesystem holding fd: 4 x u64 at ret:
//       total bytes, used bytes, total inodes, used inodes.
//   sys_meminfo(ret) -> errno          4 x u64: kernel total, kernel used, caller's container
//       memory limit (0 = none), caller's container memory used (bytes of linear memory).
//   sched_yield is WASI's own.

/** proc_spawn flags. */
export const SPAWN_NEW_PGROUP = 1;

/** proc_wait options. */
export const WAIT_NOHANG = 1;

/** Signals (Linux numbering). */
export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
/** How a trap ends a process (exit code 134, as wasmtime). */
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGWINCH = 28;
/** How a refused call that cannot return (proc_exit, proc_raise) ends a process. */
export const SIGSYS = 31;
export const NSIG = 32;

/** proc_sigaction actions. */
export const SIG_DFL = 0;
export const SIG_IGN = 1;
export const SIG_CATCH = 2;

/** tty_mode modes. */
export const TTY_COOKED = 0;
export const TTY_RAW = 1;

/** The import module of the calls above. */
export const KERNEL_MODULE = "wasmbox";
