// Guest: positioned 4 KiB reads or writes on a file in a preopened host folder (the programs
// benchmark's host-mount figure). Usage: blocks read|write FOLDER FILE BLOCKS PASSES.
// Blocks are visited in a scattered order (a stride prime to the count), as a database would.
import * as w from "../../userland/lib/wasi";
import { argInt, argString, fail, openAt, preopen, say, O_CREAT } from "./lib";

const BLOCK: usize = 4096;
const writing = argString(1, "read") == "write";
const dir = preopen(argString(2, "/data"));
const fd = openAt(dir, argString(3, "blocks"), writing ? O_CREAT : 0);
const blocks = <u32>argInt(4, 256);
const passes = argInt(5, 1);
const buf = heap.alloc(BLOCK);
memory.fill(buf, 0x5a, BLOCK);
const iov = heap.alloc(16);
store<usize>(iov, buf);
store<usize>(iov, BLOCK, 4);
const stride: u32 = 97;
let sum: u32 = 0;
for (let pass = 0; pass < passes; pass++) {
  let block: u32 = <u32>pass % blocks;
  for (let i: u32 = 0; i < blocks; i++) {
    const at = <u64>block * BLOCK;
    const e = writing ? w.fd_pwrite(fd, iov, 1, at, iov + 8) : w.fd_pread(fd, iov, 1, at, iov + 8);
    if (e != 0 || load<u32>(iov + 8) != <u32>BLOCK) fail("block " + block.toString() + ": errno " + e.toString(), 3);
    sum += load<u8>(buf + (block & 4095));
    block = (block + stride) % blocks;
  }
}
say((<u64>blocks * <u64>passes).toString() + " blocks " + (writing ? "written" : "read") + ", check " + sum.toString());
