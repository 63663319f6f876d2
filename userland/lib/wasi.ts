// WASI preview1 imports used by userland, declared with plain integer types.
// Layouts of the structs (filestat, dirent, prestat, subscription) are read in fs.ts and time.ts.

@external("wasi_snapshot_preview1", "args_get") export declare function args_get(argv: usize, buf: usize): i32;
@external("wasi_snapshot_preview1", "args_sizes_get") export declare function args_sizes_get(argc: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "environ_get") export declare function environ_get(envp: usize, buf: usize): i32;
@external("wasi_snapshot_preview1", "environ_sizes_get") export declare function environ_sizes_get(count: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "clock_time_get") export declare function clock_time_get(id: u32, precision: u64, ret: usize): i32;
@external("wasi_snapshot_preview1", "fd_close") export declare function fd_close(fd: u32): i32;
@external("wasi_snapshot_preview1", "fd_sync") export declare function fd_sync(fd: u32): i32;
@external("wasi_snapshot_preview1", "fd_fdstat_get") export declare function fd_fdstat_get(fd: u32, ret: usize): i32;
@external("wasi_snapshot_preview1", "fd_filestat_get") export declare function fd_filestat_get(fd: u32, ret: usize): i32;
@external("wasi_snapshot_preview1", "fd_filestat_set_size") export declare function fd_filestat_set_size(fd: u32, size: u64): i32;
@external("wasi_snapshot_preview1", "fd_prestat_get") export declare function fd_prestat_get(fd: u32, ret: usize): i32;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name") export declare function fd_prestat_dir_name(fd: u32, buf: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "fd_read") export declare function fd_read(fd: u32, iovs: usize, iovs_len: usize, ret: usize): i32;
@external("wasi_snapshot_preview1", "fd_write") export declare function fd_write(fd: u32, iovs: usize, iovs_len: usize, ret: usize): i32;
@external("wasi_snapshot_preview1", "fd_readdir") export declare function fd_readdir(fd: u32, buf: usize, len: usize, cookie: u64, ret: usize): i32;
@external("wasi_snapshot_preview1", "fd_seek") export declare function fd_seek(fd: u32, offset: i64, whence: u8, ret: usize): i32;
@external("wasi_snapshot_preview1", "path_create_directory") export declare function path_create_directory(fd: u32, path: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "path_filestat_get") export declare function path_filestat_get(fd: u32, flags: u32, path: usize, len: usize, ret: usize): i32;
@external("wasi_snapshot_preview1", "path_filestat_set_times") export declare function path_filestat_set_times(fd: u32, flags: u32, path: usize, len: usize, atim: u64, mtim: u64, fstflags: u16): i32;
@external("wasi_snapshot_preview1", "path_link") export declare function path_link(oldFd: u32, flags: u32, oldPath: usize, oldLen: usize, newFd: u32, newPath: usize, newLen: usize): i32;
@external("wasi_snapshot_preview1", "path_open") export declare function path_open(fd: u32, dirflags: u32, path: usize, len: usize, oflags: u16, base: u64, inheriting: u64, fdflags: u16, ret: usize): i32;
@external("wasi_snapshot_preview1", "path_readlink") export declare function path_readlink(fd: u32, path: usize, len: usize, buf: usize, bufLen: usize, ret: usize): i32;
@external("wasi_snapshot_preview1", "path_remove_directory") export declare function path_remove_directory(fd: u32, path: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "path_rename") export declare function path_rename(oldFd: u32, oldPath: usize, oldLen: usize, newFd: u32, newPath: usize, newLen: usize): i32;
@external("wasi_snapshot_preview1", "path_symlink") export declare function path_symlink(target: usize, targetLen: usize, fd: u32, path: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "path_unlink_file") export declare function path_unlink_file(fd: u32, path: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "poll_oneoff") export declare function poll_oneoff(subs: usize, events: usize, n: usize, ret: usize): i32;
@external("wasi_snapshot_preview1", "proc_exit") export declare function proc_exit(code: u32): void;
@external("wasi_snapshot_preview1", "sched_yield") export declare function sched_yield(): i32;

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
