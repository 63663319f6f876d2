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
//       Waits for a child: pid > 0 that child, -1 any child, 0 any child in the caller's group,
//       < -1 any child in group -pid. options: WAIT_NOHANG returns at once with *ret_pid = 0 when
//       none has changed; WAIT_UNTRACED also reports a child that stopped, WAIT_CONTINUED one that
//       a SIGCONT continued (each change once). *ret_status is a POSIX wait status: exited =>
//       (code & 0xff) << 8, killed => signal, stopped => (signal << 8) | 0x7f, continued => 0xffff.
//       Errors: ECHILD (no such child), EINTR (a caught signal arrived; see proc_sigpending).
//   proc_trace(fd, flags, strsize) -> errno   strace's mechanism: every child the caller spawns
//       from now on (until proc_trace(-1, 0, 0)) has each of its syscalls recorded into the
//       caller's fd (a pipe, file or terminal open for writing; the kernel holds its own reference,
//       let go of once the last traced process has ended and its records are written, so a pipe's
//       reader then sees EOF). With TRACE_FOLLOW their children are traced too. One record per line,
//       fields separated by tabs: pid, start (microseconds since the epoch), duration (us), call
//       name, arguments (as --trace prints them; data buffers as quoted strings of up to strsize
//       bytes, at most TRACE_STRSIZE_MAX, when strsize > 0), then two fields: "0" and the value the
//       call returned through its out-pointers (empty when it has none), an errno and its name
//       ("44", "ENOENT"), "blocked" (the call sleeps; its end is a later record), "exit" and the code
//       or "killed" and the signal (the call never returned). A process's end is a record named
//       "+++" whose last two fields are "exited" and the code or "killed" and the signal. Records
//       do not hold up a traced call: while the fd is full they queue, and past 1 MiB they are
//       dropped and counted in a record named "+lost". Errors: EBADF (fd not open for writing),
//       EINVAL (unknown flags).
//   proc_umask(mask, ret_old) -> errno   umask(2): the file mode creation mask (mask & 0777) that
//       new files (0666 & ~mask) and directories (0777 & ~mask) get; inherited at spawn; 022 for a
//       process without a parent. *ret_old is the mask before.
//   proc_nice(which, who, value, set, ret_old) -> errno   getpriority/setpriority(2): which is
//       PRIO_PROCESS (who a pid), PRIO_PGRP (a process group) or PRIO_USER (a uid); who 0 is the
//       caller's. With set != 0 the nice value of each process named becomes value clamped to
//       -20..19 (inherited at spawn; the scheduler weighs runnable processes of one container by
//       it, 1.25x CPU a step). *ret_old is the lowest value before among them, plus 20. Errors:
//       ESRCH (no such process), EINVAL (bad which), EPERM (another user's process, without uid 0),
//       EACCES (lowering it without uid 0; the others named are still set).
//   proc_times(ret) -> errno   times(2): 4 x u64 nanoseconds at ret: the caller's CPU time, its
//       system time (always 0: the kernel's time on a call is counted as the caller's), the CPU
//       time of the children it has waited for (and of theirs), and their system time (0).
//   fd_pipe(ret_read_fd, ret_write_fd) -> errno        (WASIX)  64 KiB buffer.
//   fd_dup(fd, ret_fd) -> errno                         (WASIX)  lowest free fd.
//   fd_dup2(fd, to_fd) -> errno       dup2(2): closes to_fd first if open; fd == to_fd is a no-op.
//   proc_id(ret_pid) -> errno                           (WASIX)  pid in the caller's namespace.
//   proc_parent(pid, ret_ppid) -> errno                 (WASIX)  pid 0 = the caller.
//   proc_signal(pid, sig) -> errno    kill(2): pid > 0 one process, 0 the caller's group,
//       -1 every process the caller may signal (its namespace, but not pid 1), < -1 group -pid.
//       sig 0 only checks. Errors: ESRCH, EINVAL (bad signal), EPERM (other namespace: ESRCH).
//   proc_setpgid(pid, pgid) -> errno  setpgid(2); 0 means the caller / its own pid. The target is
//       the caller or its child; pgid is the target's pid or a group of the caller's session.
//       Errors: ESRCH (not the caller or a child), EPERM (a session leader, another session,
//       or no such group in the session), EINVAL (negative pgid).
//   proc_getpgid(pid, ret_pgid) -> errno   pid 0 = the caller. ESRCH.
//   proc_setsid(ret_sid) -> errno      setsid(2): a new session and group whose ids are the
//       caller's pid, with no controlling terminal. EPERM (the caller leads a process group).
//   proc_getsid(pid, ret_sid) -> errno     pid 0 = the caller. ESRCH.
//   proc_chdir(path, path_len) -> errno    the caller's working directory (a process attribute,
//       inherited at spawn); path absolute or relative to it. ENOENT, ENOTDIR, EACCES.
//   proc_getcwd(buf, buf_len, ret_len) -> errno   the working directory's absolute path (no NUL).
//       ERANGE when buf_len is too small (*ret_len is then the length needed).
//   proc_sigaction(sig, action) -> errno   action SIG_DFL, SIG_IGN or SIG_CATCH. A caught signal
//       becomes pending and makes a blocking call return EINTR. KILL and STOP cannot be changed
//       (EINVAL). Default actions as POSIX: TSTP, TTIN, TTOU and STOP stop the process (it runs
//       no more until CONT, which always continues it); CHLD, URG and WINCH are ignored; the
//       others end it. Signals sent to a stopped process other than KILL and CONT wait for CONT.
//   proc_sigpending(ret_mask) -> errno    u32 mask of pending caught signals (bit = 1 << sig);
//       reading clears them.
//   Terminals. A run with a terminal gives its first process a new session whose controlling
//   terminal it is; children inherit it. Its line discipline reads the host's raw bytes:
//   with TTY_ISIG, ^C sends SIGINT, ^\ SIGQUIT and ^Z SIGTSTP to the foreground group; with
//   TTY_ICANON a read returns one line, edited with Backspace (erase), ^U (kill), ^W (word
//   erase), and ^D ends input on an empty line; TTY_ECHO echoes what is read; TTY_ICRNL reads CR
//   as NL. A read from a process outside the foreground group sends its group SIGTTIN.
//   tty_mode(fd, mode) -> errno        TTY_COOKED (ISIG|ICANON|ECHO|ICRNL) or TTY_RAW (none).
//       ENOTTY when fd is not a terminal; EINVAL for another mode.
//   tty_getattr(fd, ret_flags) -> errno    the TTY_* flags now in force. ENOTTY.
//   tty_setattr(fd, flags) -> errno        sets the TTY_* flags (tcsetattr). ENOTTY; EINVAL.
//   tty_foreground(fd, pgid) -> errno  tcsetpgrp(3): the terminal's foreground group, which gets
//       the terminal's signals. ENOTTY (fd is not the caller's controlling terminal), EPERM (no
//       such group in the caller's session).
//   tty_get_foreground(fd, ret_pgid) -> errno   tcgetpgrp(3). ENOTTY.
//   tty_winsize(fd, ret_rows, ret_cols) -> errno   the window size (TIOCGWINSZ); when the host
//       terminal is resized the foreground group gets SIGWINCH. ENOTTY.
//   sys_uname(buf, buf_len, ret_len) -> errno   "sysname\0nodename\0release\0version\0machine\0"
//   sys_statvfs(fd, ret) -> errno      for the filesystem holding fd: 4 x u64 at ret:
//       total bytes, used bytes, total inodes, used inodes.
//   sys_meminfo(ret) -> errno          4 x u64: kernel total, kernel used, caller's container
//       memory limit (0 = none), caller's container memory used (bytes of linear memory).
//   Files. WASI has no permission bits or owners; the kernel keeps them (memory and overlay
//   filesystems; a host folder shows its real bits and owner 0) and checks them for non-root users
//   opening a file (EACCES). flags: LOOKUP_SYMLINK_FOLLOW as for path_filestat_get.
//   path_mode_get(fd, flags, path, path_len, ret) -> errno   3 x u32 at ret: mode (07777 bits),
//       uid, gid. ENOENT, ENOTDIR, ELOOP.
//   path_chmod(fd, flags, path, path_len, mode) -> errno   chmod(2). EPERM (neither root nor the
//       owner), EROFS, ENOENT.
//   path_chown(fd, flags, path, path_len, uid, gid) -> errno   chown(2); CHOWN_UNCHANGED leaves
//       one as it is. Only root gives a file away; the owner may set the group to its own.
//       EPERM, EROFS, ENOENT.
//   sched_yield is WASI's own.

/** proc_spawn flags. */
export const SPAWN_NEW_PGROUP = 1;

/** proc_nice's which (Linux's values). */
export const PRIO_PROCESS = 0;
export const PRIO_PGRP = 1;
export const PRIO_USER = 2;

/** proc_trace flags: trace the traced processes' children too (strace -f). */
export const TRACE_FOLLOW = 1;
/** The most bytes of a data buffer a trace record quotes. */
export const TRACE_STRSIZE_MAX = 4096;

/** proc_wait options (Linux's values). */
export const WAIT_NOHANG = 1;
export const WAIT_UNTRACED = 2;
export const WAIT_CONTINUED = 8;

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

/** tty_getattr / tty_setattr flags (termios's c_lflag and c_iflag bits that wasmbox has). */
export const TTY_ISIG = 1;
export const TTY_ICANON = 2;
export const TTY_ECHO = 4;
export const TTY_ICRNL = 8;

/** path_chown: leave the uid or gid as it is (passed as the u32 0xffffffff). */
export const CHOWN_UNCHANGED = -1;

/** The import module of the calls above. */
export const KERNEL_MODULE = "wasmbox";
