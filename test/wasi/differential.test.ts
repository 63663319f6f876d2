// Differential runs: the same guests under node:wasi and under the wasmbox kernel must print the
// same lines, except where node:wasi (uvwasi) is confirmed wrong against the spec (EXCLUSIONS below).
import { describe, expect, it } from "vitest";
import {
  guestNames, runSpec, guestWasm, expectedOutput, render, runUnderKernel, runUnderNodeWasi, type KernelScratch,
} from "./guests.js";

/** A node:wasi deviation: the whole guest, or the lines matching `lines`, are left out of the comparison. */
interface Exclusion {
  guest: string | "*";
  lines?: RegExp;
  reason: string;
}

const EXCLUSIONS: Exclusion[] = [
  // Memory bounds: the witx `errno::fault` is "Bad address"; uvwasi answers EOVERFLOW (61) instead,
  // and also refuses a zero-length buffer ending exactly at the end of memory (valid: no byte is outside).
  { guest: "*", lines: /past memory end|at memory end|wrapping 2\^32/, reason: "EOVERFLOW instead of EFAULT; zero-length buffer at memory end refused" },
  // Hangs forever: an absolute (SUBSCRIPTION_CLOCK_ABSTIME) monotonic timeout never fires.
  { guest: "poll_clock", reason: "node:wasi never returns from poll_oneoff with an absolute monotonic deadline" },
  // Every fd subscription fails with EPERM (even stdout fd_write and regular files, which the spec
  // says "always trigger").
  { guest: "poll_fd", reason: "poll_oneoff on fd_read/fd_write subscriptions returns EPERM" },
  // Timestamps are truncated to whole seconds (atim 1000000000123456789 reads back 1000000000000000000),
  // directories/symlinks read back 0, and path_filestat_set_times on a missing path hangs.
  { guest: "times", reason: "timestamps truncated to seconds; path_filestat_set_times(missing) hangs" },
  { guest: "times_now", reason: "ATIM_NOW/MTIM_NOW and explicit times read back as 0 or wrong" },
  // uvwasi drops "." and "..", reports d_ino 0, and its first entry's cookie differs.
  { guest: "readdir", reason: "fd_readdir omits . and .. and reports d_ino 0" },
  { guest: "readdir_cookies", reason: "fd_readdir omits . and .. (6 entries instead of 8)" },
  // readlink(2) truncates into a short buffer; uvwasi returns ENOBUFS (even for an exact fit), writes
  // a NUL past the target, and refuses creating symlinks whose target contains "..".
  { guest: "readlink", reason: "ENOBUFS instead of truncation; writes a NUL past the target; '..' targets refused" },
  // Without SYMLINK_FOLLOW the final symlink must not be followed (O_NOFOLLOW: ELOOP); uvwasi
  // follows it, creates through a dangling link with CREAT|EXCL, and refuses targets with "..".
  { guest: "symlink", reason: "lookupflags ignored by path_open; CREAT|EXCL follows a dangling link; '..' targets refused" },
  // ".." above the preopen "/" is normalised away instead of refused; symlink creation with ".." or
  // absolute targets is refused (creating a link is not following it).
  { guest: "sandbox", reason: "'..' above a preopen mapped to '/' resolves instead of being refused; symlink targets policed at creation" },
  // Empty paths give EINVAL (Linux: ENOENT); "f\0" is truncated at the NUL and stats "f".
  { guest: "path_strings", reason: "empty path EINVAL instead of ENOENT; path truncated at an embedded NUL" },
  // fd_prestat_get on a non-preopen gives EINVAL (not EBADF); a short dir-name buffer gives ENOBUFS.
  { guest: "prestat", reason: "EINVAL instead of EBADF for non-preopens; ENOBUFS for a short name buffer" },
  { guest: "renumber", lines: /^ {2}fd_prestat_get\(c\) -> errno/, reason: "EINVAL instead of EBADF for a non-preopen" },
  // fs_flags carries undocumented high bits (0x8000 | 0x0002 for a plain file).
  { guest: "fdstat", reason: "fs_flags has stray high bits (32768, 32770)" },
  // Non-sockets give ENOTCAPABLE / ENOTSUP instead of ENOTSOCK; sock_shutdown ignores a bad fd.
  { guest: "sock", reason: "ENOTCAPABLE/ENOTSUP instead of ENOTSOCK; sock_shutdown(bad fd) is ENOTSUP" },
  { guest: "proc_raise", reason: "proc_raise is ENOSYS" },
  // readv semantics: a zero-length iovec in the middle stops uvwasi's read after the first buffer.
  { guest: "stdio", lines: /^fd_read regular file into iovecs/, reason: "fd_read stops at a zero-length iovec" },
  // Path lookup relative to a regular-file fd: uvwasi checks rights first (ENOTCAPABLE) where Linux says ENOTDIR.
  { guest: "path_open", lines: /^path_open relative to a file fd/, reason: "ENOTCAPABLE instead of ENOTDIR" },
  // uvwasi maps each fd to a host path string, so a directory fd goes stale when its directory is renamed.
  { guest: "rename_dirs", lines: /held fd|stat moved\/new/, reason: "directory fds follow the old path after a rename" },
];

/** Drops the lines excluded for this guest. */
function comparable(name: string, output: string): string {
  const patterns = EXCLUSIONS.filter((e) => (e.guest === name || e.guest === "*") && e.lines).map((e) => e.lines!);
  return output.split("\n").filter((line) => !patterns.some((p) => p.test(line))).join("\n");
}

/** wasmbox runs each guest with its scratch in memory and on a mounted host directory, like node:wasi's. */
const SCRATCHES: KernelScratch[] = ["memory", "host-dir"];

const wholeGuestExcluded = new Set(EXCLUSIONS.filter((e) => !e.lines).map((e) => e.guest));
const compared = guestNames().filter((n) => !wholeGuestExcluded.has(n));

describe("node:wasi and wasmbox agree", () => {
  it("every exclusion names a real guest", () => {
    const known = new Set(guestNames());
    expect(EXCLUSIONS.filter((e) => e.guest !== "*" && !known.has(e.guest)).map((e) => e.guest)).toEqual([]);
  });

  it.each(compared.flatMap((name) => SCRATCHES.map((scratch) => [name, scratch] as const)))("%s, scratch in %s", async (name, scratch) => {
    const spec = runSpec(name);
    const node = runUnderNodeWasi(guestWasm(name), spec);
    const kernel = await runUnderKernel(guestWasm(name), spec, scratch);
    // node:wasi on its own must match the spec-decided expectations outside the exclusions, which
    // shows the guest really checks what it says; then wasmbox must print the same.
    expect(comparable(name, render(node)), `node:wasi stderr: ${node.stderr}`).toBe(comparable(name, expectedOutput(name)));
    expect(comparable(name, render(kernel)), `wasmbox stderr: ${kernel.stderr}`).toBe(comparable(name, render(node)));
    // The same host setup as node:wasi's: a host folder as the only preopen, "/" (wasmbox run --dir DIR::/).
    const hostRoot = await runUnderKernel(guestWasm(name), spec, "host-root");
    expect(comparable(name, render(hostRoot)), `wasmbox (host folder as /) stderr: ${hostRoot.stderr}`).toBe(comparable(name, render(node)));
  }, 30_000);
});
