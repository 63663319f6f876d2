// WASI preview1 imports for AssemblyScript guests: all 46 functions of wasi_snapshot_preview1, shared by
// userland (userland/build.ts) and the conformance guests (test/guests/build.ts). Plain integer types only
// (pointers are usize, flags widened to u32), so a guest can pass any bits it likes; every call returns its errno as i32.
// Layouts of the structs (filestat, dirent, prestat, subscription) are read in userland/lib/fs.ts and proc.ts.

// @ts-nocheck: AssemblyScript decorators
@external("wasi_snapshot_preview1", "args_get") export declare function args_get(argv: usize, argv_buf: usize): i32;
@external("wasi_snapshot_preview1", "args_sizes_get") export declare function args_sizes_get(argc: usize, buf_size: usize): i32;
@external("wasi_snapshot_preview1", "environ_get") export declare function environ_get(environ: usize, environ_buf: usize): i32;
@external("wasi_snapshot_preview1", "environ_sizes_get") export declare function environ_sizes_get(count: usize, buf_size: usize): i32;
@external("wasi_snapshot_preview1", "clock_res_get") export declare function clock_res_get(id: u32, out: usize): i32;
@external("wasi_snapshot_preview1", "clock_time_get") export declare function clock_time_get(id: u32, precision: u64, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_advise") export declare function fd_advise(fd: u32, offset: u64, len: u64, advice: u32): i32;
@external("wasi_snapshot_preview1", "fd_allocate") export declare function fd_allocate(fd: u32, offset: u64, len: u64): i32;
@external("wasi_snapshot_preview1", "fd_close") export declare function fd_close(fd: u32): i32;
@external("wasi_snapshot_preview1", "fd_datasync") export declare function fd_datasync(fd: u32): i32;
@external("wasi_snapshot_preview1", "fd_fdstat_get") export declare function fd_fdstat_get(fd: u32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_fdstat_set_flags") export declare function fd_fdstat_set_flags(fd: u32, flags: u32): i32;
@external("wasi_snapshot_preview1", "fd_fdstat_set_rights") export declare function fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64): i32;
@external("wasi_snapshot_preview1", "fd_filestat_get") export declare function fd_filestat_get(fd: u32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_filestat_set_size") export declare function fd_filestat_set_size(fd: u32, size: u64): i32;
@external("wasi_snapshot_preview1", "fd_filestat_set_times") export declare function fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst_flags: u32): i32;
@external("wasi_snapshot_preview1", "fd_pread") export declare function fd_pread(fd: u32, iovs: usize, iovs_len: usize, offset: u64, nread: usize): i32;
@external("wasi_snapshot_preview1", "fd_prestat_get") export declare function fd_prestat_get(fd: u32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name") export declare function fd_prestat_dir_name(fd: u32, path: usize, path_len: usize): i32;
@external("wasi_snapshot_preview1", "fd_pwrite") export declare function fd_pwrite(fd: u32, iovs: usize, iovs_len: usize, offset: u64, nwritten: usize): i32;
@external("wasi_snapshot_preview1", "fd_read") export declare function fd_read(fd: u32, iovs: usize, iovs_len: usize, nread: usize): i32;
@external("wasi_snapshot_preview1", "fd_readdir") export declare function fd_readdir(fd: u32, buf: usize, buf_len: usize, cookie: u64, bufused: usize): i32;
@external("wasi_snapshot_preview1", "fd_renumber") export declare function fd_renumber(fd: u32, to: u32): i32;
@external("wasi_snapshot_preview1", "fd_seek") export declare function fd_seek(fd: u32, offset: i64, whence: u32, newoffset: usize): i32;
@external("wasi_snapshot_preview1", "fd_sync") export declare function fd_sync(fd: u32): i32;
@external("wasi_snapshot_preview1", "fd_tell") export declare function fd_tell(fd: u32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_write") export declare function fd_write(fd: u32, iovs: usize, iovs_len: usize, nwritten: usize): i32;
@external("wasi_snapshot_preview1", "path_create_directory") export declare function path_create_directory(fd: u32, path: usize, path_len: usize): i32;
@external("wasi_snapshot_preview1", "path_filestat_get") export declare function path_filestat_get(fd: u32, flags: u32, path: usize, path_len: usize, out: usize): i32;
@external("wasi_snapshot_preview1", "path_filestat_set_times") export declare function path_filestat_set_times(fd: u32, flags: u32, path: usize, path_len: usize, atim: u64, mtim: u64, fst_flags: u32): i32;
@external("wasi_snapshot_preview1", "path_link") export declare function path_link(old_fd: u32, old_flags: u32, old_path: usize, old_path_len: usize, new_fd: u32, new_path: usize, new_path_len: usize): i32;
@external("wasi_snapshot_preview1", "path_open") export declare function path_open(fd: u32, dirflags: u32, path: usize, path_len: usize, oflags: u32, base: u64, inheriting: u64, fdflags: u32, out_fd: usize): i32;
@external("wasi_snapshot_preview1", "path_readlink") export declare function path_readlink(fd: u32, path: usize, path_len: usize, buf: usize, buf_len: usize, bufused: usize): i32;
@external("wasi_snapshot_preview1", "path_remove_directory") export declare function path_remove_directory(fd: u32, path: usize, path_len: usize): i32;
@external("wasi_snapshot_preview1", "path_rename") export declare function path_rename(fd: u32, old_path: usize, old_path_len: usize, new_fd: u32, new_path: usize, new_path_len: usize): i32;
@external("wasi_snapshot_preview1", "path_symlink") export declare function path_symlink(old_path: usize, old_path_len: usize, fd: u32, new_path: usize, new_path_len: usize): i32;
@external("wasi_snapshot_preview1", "path_unlink_file") export declare function path_unlink_file(fd: u32, path: usize, path_len: usize): i32;
@external("wasi_snapshot_preview1", "poll_oneoff") export declare function poll_oneoff(subs: usize, events: usize, nsubscriptions: usize, nevents: usize): i32;
@external("wasi_snapshot_preview1", "proc_exit") export declare function proc_exit(code: u32): void;
@external("wasi_snapshot_preview1", "proc_raise") export declare function proc_raise(sig: u32): i32;
@external("wasi_snapshot_preview1", "sched_yield") export declare function sched_yield(): i32;
@external("wasi_snapshot_preview1", "random_get") export declare function random_get(buf: usize, buf_len: usize): i32;
@external("wasi_snapshot_preview1", "sock_accept") export declare function sock_accept(fd: u32, flags: u32, out_fd: usize): i32;
@external("wasi_snapshot_preview1", "sock_recv") export declare function sock_recv(fd: u32, iovs: usize, iovs_len: usize, ri_flags: u32, ro_datalen: usize, ro_flags: usize): i32;
@external("wasi_snapshot_preview1", "sock_send") export declare function sock_send(fd: u32, iovs: usize, iovs_len: usize, si_flags: u32, so_datalen: usize): i32;
@external("wasi_snapshot_preview1", "sock_shutdown") export declare function sock_shutdown(fd: u32, how: u32): i32;

/** WASI filetype values. */
export const FILETYPE_UNKNOWN: u8 = 0;
export const FILETYPE_BLOCK_DEVICE: u8 = 1;
export const FILETYPE_CHARACTER_DEVICE: u8 = 2;
export const FILETYPE_DIRECTORY: u8 = 3;
export const FILETYPE_REGULAR_FILE: u8 = 4;
export const FILETYPE_SOCKET_DGRAM: u8 = 5;
export const FILETYPE_SOCKET_STREAM: u8 = 6;
export const FILETYPE_SYMBOLIC_LINK: u8 = 7;

/** path_open oflags, fdflags and lookup flags. */
export const O_CREAT: u16 = 1;
export const O_DIRECTORY: u16 = 2;
export const O_EXCL: u16 = 4;
export const O_TRUNC: u16 = 8;
export const FDFLAG_APPEND: u16 = 1;
export const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
export const RIGHTS_ALL: u64 = 0x1ffffff;
/** RIGHTS_ALL without the rights that imply writing (fd_write, allocate, sync, set_size). */
export const RIGHTS_READ: u64 = RIGHTS_ALL & ~(<u64>(1 | 16 | 64 | 256 | (1 << 22)));
/** FD_DATASYNC and FD_SYNC. */
export const RIGHTS_SYNC: u64 = 1 | 16;
