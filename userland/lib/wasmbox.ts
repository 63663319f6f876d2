// Bindings for the kernel's own calls (import module "wasmbox"), exactly as specified in
// kernel/abi/wasmbox-abi.ts, whose constants are re-exported here for the programs.

export * from "../../kernel/abi/wasmbox-abi";

@external("wasmbox", "proc_spawn") export declare function proc_spawn(path: usize, pathLen: usize, argv: usize, argvLen: usize, envp: usize, envpLen: usize, cwd: usize, cwdLen: usize, fdmap: usize, fdmapLen: usize, flags: u32, retPid: usize): i32;
@external("wasmbox", "proc_wait") export declare function proc_wait(pid: i32, options: u32, retPid: usize, retStatus: usize): i32;
@external("wasmbox", "fd_pipe") export declare function fd_pipe(retRead: usize, retWrite: usize): i32;
@external("wasmbox", "fd_dup") export declare function fd_dup(fd: u32, retFd: usize): i32;
@external("wasmbox", "fd_dup2") export declare function fd_dup2(fd: u32, toFd: u32): i32;
@external("wasmbox", "proc_id") export declare function proc_id(retPid: usize): i32;
@external("wasmbox", "proc_parent") export declare function proc_parent(pid: i32, retPpid: usize): i32;
@external("wasmbox", "proc_signal") export declare function proc_signal(pid: i32, sig: i32): i32;
@external("wasmbox", "proc_setpgid") export declare function proc_setpgid(pid: i32, pgid: i32): i32;
@external("wasmbox", "proc_getpgid") export declare function proc_getpgid(pid: i32, retPgid: usize): i32;
@external("wasmbox", "proc_sigaction") export declare function proc_sigaction(sig: i32, action: i32): i32;
@external("wasmbox", "proc_sigpending") export declare function proc_sigpending(retMask: usize): i32;
@external("wasmbox", "tty_mode") export declare function tty_mode(fd: u32, mode: i32): i32;
@external("wasmbox", "tty_foreground") export declare function tty_foreground(fd: u32, pgid: i32): i32;
@external("wasmbox", "sys_uname") export declare function sys_uname(buf: usize, bufLen: usize, retLen: usize): i32;
@external("wasmbox", "sys_statvfs") export declare function sys_statvfs(fd: u32, ret: usize): i32;
@external("wasmbox", "sys_meminfo") export declare function sys_meminfo(ret: usize): i32;
@external("wasmbox", "proc_setsid") export declare function proc_setsid(retSid: usize): i32;
@external("wasmbox", "proc_getsid") export declare function proc_getsid(pid: i32, retSid: usize): i32;
@external("wasmbox", "proc_chdir") export declare function proc_chdir(path: usize, pathLen: usize): i32;
@external("wasmbox", "proc_getcwd") export declare function proc_getcwd(buf: usize, bufLen: usize, retLen: usize): i32;
@external("wasmbox", "tty_getattr") export declare function tty_getattr(fd: u32, retFlags: usize): i32;
@external("wasmbox", "tty_setattr") export declare function tty_setattr(fd: u32, flags: u32): i32;
@external("wasmbox", "tty_get_foreground") export declare function tty_get_foreground(fd: u32, retPgid: usize): i32;
@external("wasmbox", "tty_winsize") export declare function tty_winsize(fd: u32, retRows: usize, retCols: usize): i32;
@external("wasmbox", "path_mode_get") export declare function path_mode_get(fd: u32, flags: u32, path: usize, pathLen: usize, ret: usize): i32;
@external("wasmbox", "path_chmod") export declare function path_chmod(fd: u32, flags: u32, path: usize, pathLen: usize, mode: u32): i32;
@external("wasmbox", "path_chown") export declare function path_chown(fd: u32, flags: u32, path: usize, pathLen: usize, uid: u32, gid: u32): i32;
@external("wasmbox", "proc_trace") export declare function proc_trace(fd: i32, flags: u32, strsize: u32): i32;
@external("wasmbox", "proc_times") export declare function proc_times(ret: usize): i32;
@external("wasmbox", "proc_umask") export declare function proc_umask(mask: u32, retOld: usize): i32;
@external("wasmbox", "proc_nice") export declare function proc_nice(which: u32, who: i32, value: i32, set: u32, retOld: usize): i32;
