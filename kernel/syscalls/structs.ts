// WASI structs as the guest sees them in memory (layouts from typenames.witx), as result kinds.
// Handlers return plain objects; these write them out.
import { structResult, type ResultKind } from "../abi/types.js";
import type { Filestat } from "../wasi.js";

/** fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16 (24 bytes). */
export interface Fdstat {
  filetype: number;
  flags: number;
  rightsBase: number;
  rightsInheriting: number;
}

export const FDSTAT: ResultKind<Fdstat> = structResult("fdstat", 24, (m, p, v) => {
  m.setU8(p, v.filetype);
  m.setU8(p + 1, 0);
  m.setU16(p + 2, v.flags);
  m.setU32(p + 4, 0);
  m.setU64(p + 8, BigInt(v.rightsBase));
  m.setU64(p + 16, BigInt(v.rightsInheriting));
}, (v) => `{filetype=${v.filetype}, flags=${v.flags}, base=0x${v.rightsBase.toString(16)}}`);

/** filestat: dev, ino u64, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48, ctim @56 (64 bytes). */
export const FILESTAT: ResultKind<Filestat> = structResult("filestat", 64, (m, p, v) => {
  m.setU64(p, v.dev);
  m.setU64(p + 8, v.ino);
  m.setU64(p + 16, BigInt(v.filetype));
  m.setU64(p + 24, v.nlink);
  m.setU64(p + 32, v.size);
  m.setU64(p + 40, v.atim);
  m.setU64(p + 48, v.mtim);
  m.setU64(p + 56, v.ctim);
}, (v) => `{ino=${v.ino}, type=${v.filetype}, size=${v.size}}`);

/** prestat: tag u8 @0 (0 = dir), name length u32 @4 (8 bytes). */
export const PRESTAT: ResultKind<number> = structResult("prestat", 8, (m, p, nameLength) => {
  m.setU32(p, 0);
  m.setU32(p + 4, nameLength);
}, (v) => `{dir, name_len=${v}}`);
