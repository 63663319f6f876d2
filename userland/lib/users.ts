// Users and groups: the caller's uid and gid (from /proc/self/status, which the kernel keeps) and
// names from /etc/passwd and /etc/group, as ls -l, ps, id, chown and stat show and take them.
import * as fs from "./fs";
import { parseIntOr } from "./opts";

/** The lines of a colon-separated database, split into fields (empty when it cannot be read). */
function records(path: string): string[][] {
  const out = new Array<string[]>();
  const data = fs.readFile(path);
  if (data == null) return out;
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) if (lines[i].length > 0 && !lines[i].startsWith("#")) out.push(lines[i].split(":"));
  return out;
}

/** /etc/passwd and /etc/group read once, for tools that name many owners (ls -l, ps). */
export class UserNames {
  private readonly passwdRecords: string[][] = records("/etc/passwd");
  private readonly groupRecords: string[][] = records("/etc/group");

  /** The name of uid, or its number when /etc/passwd has none. */
  user(uid: u32): string {
    for (let i = 0; i < this.passwdRecords.length; i++) {
      const f = this.passwdRecords[i];
      if (f.length >= 3 && parseIntOr(f[2], -1) == <i64>uid) return f[0];
    }
    return uid.toString();
  }
  /** The name of gid, or its number. */
  group(gid: u32): string {
    for (let i = 0; i < this.groupRecords.length; i++) {
      const f = this.groupRecords[i];
      if (f.length >= 3 && parseIntOr(f[2], -1) == <i64>gid) return f[0];
    }
    return gid.toString();
  }
  /** A user name or number as a uid; -1 if there is no such user. */
  uidOf(name: string): i32 {
    for (let i = 0; i < this.passwdRecords.length; i++) if (this.passwdRecords[i].length >= 3 && this.passwdRecords[i][0] == name) return <i32>parseIntOr(this.passwdRecords[i][2], -1);
    return isNumber(name) ? <i32>parseIntOr(name, -1) : -1;
  }
  /** The primary gid of a user name or number; -1 if unknown. */
  primaryGidOf(name: string): i32 {
    for (let i = 0; i < this.passwdRecords.length; i++) if (this.passwdRecords[i].length >= 4 && (this.passwdRecords[i][0] == name || this.passwdRecords[i][2] == name)) return <i32>parseIntOr(this.passwdRecords[i][3], -1);
    return -1;
  }
  /** A group name or number as a gid; -1 if there is no such group. */
  gidOf(name: string): i32 {
    for (let i = 0; i < this.groupRecords.length; i++) if (this.groupRecords[i].length >= 3 && this.groupRecords[i][0] == name) return <i32>parseIntOr(this.groupRecords[i][2], -1);
    return isNumber(name) ? <i32>parseIntOr(name, -1) : -1;
  }
}

function isNumber(s: string): bool {
  if (s.length == 0 || s.length > 10) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

/** The caller's ids, read once: they never change in a process (there is no setuid). */
let knownUid: i64 = -1;
let knownGid: i64 = -1;

/** The value of a "Uid:" or "Gid:" line of /proc/self/status (the kernel's ids of this process); 0 if unreadable. */
function statusId(key: string): u32 {
  const data = fs.readFile("/proc/self/status");
  if (data == null) return 0;
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith(key)) continue;
    const fields = lines[i].substring(key.length).trim().split("\t");
    return <u32>parseIntOr(fields[0].trim(), 0);
  }
  return 0;
}

/** The caller's user id. */
export function currentUid(): u32 {
  if (knownUid < 0) knownUid = statusId("Uid:");
  return <u32>knownUid;
}
/** The caller's group id. */
export function currentGid(): u32 {
  if (knownGid < 0) knownGid = statusId("Gid:");
  return <u32>knownGid;
}

/** access(2): whether the caller may read (4), write (2) or run (1) path, by its mode and owner as the kernel checks them. */
export function access(path: string, want: u32): bool {
  const m = fs.modeOf(path, true);
  if (m == null) return false;
  const uid = currentUid();
  if (uid == 0) {
    if ((want & 1) == 0) return true;
    const st = fs.stat(path);
    return (st != null && st.isDir()) || (m.mode & 0o111) != 0;
  }
  const bits = uid == m.uid ? (m.mode >> 6) & 7 : currentGid() == m.gid ? (m.mode >> 3) & 7 : m.mode & 7;
  return (bits & want) == want;
}
