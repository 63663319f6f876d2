// Permission checks of the kernel's own files (memory and overlay filesystems): the owner, group
// and other bits of a node's mode against a process's uid and gid, as POSIX access(2) decides.
import { Errno, SysError } from "../errno.js";
import type { Vnode } from "./vnode.js";

/** Access wanted, as access(2)'s R_OK, W_OK and X_OK bits. */
export const ACCESS_READ = 4;
export const ACCESS_WRITE = 2;
export const ACCESS_EXEC = 1;

/** Whether a user may have `want` on a node with this mode and owner (root may read and write anything, and run what any x bit allows). */
export function permits(mode: number, owner: { uid: number; gid: number }, user: { uid: number; gid: number }, want: number): boolean {
  if (user.uid === 0) return (want & ACCESS_EXEC) === 0 || (mode & 0o111) !== 0;
  const bits = user.uid === owner.uid ? (mode >> 6) & 7 : user.gid === owner.gid ? (mode >> 3) & 7 : mode & 7;
  return (bits & want) === want;
}

/** EACCES unless `user` has `want` on `node`; filesystems that keep no owners (host folders, /proc, /dev) are not checked. */
export function checkAccess(node: Vnode, user: { uid: number; gid: number }, want: number): void {
  if (!node.fs.keepsOwners || user.uid === 0) return;
  const st = node.stat();
  if (!permits(st.mode, st, user, want)) throw new SysError(Errno.ACCES);
}
