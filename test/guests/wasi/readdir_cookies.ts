// Guest: fd_readdir cookies are stable: walking a directory with a 24-byte buffer (header only,
// re-reading each entry with an exact-size buffer), or a 40-byte one, or resuming mid-way, gives the
// same entries and cookies as one big read; a short buffer is filled completely.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, mkdir, open, yesno, alloc, O_DIRECTORY } from "../lib/check";
import { readAll, parse, Dirent, DIRENT_SIZE } from "../lib/dirents";

const dir = workdir("readdir_cookies");
show("mkdir r", mkdir(dir, "r"));
const names = ["x", "yy", "a-much-longer-file-name.txt", "z", "0123456789abcdef"];
for (let i = 0; i < names.length; i++) mkfile(dir, "r/" + names[i], "");
show("mkdir r/dir1", mkdir(dir, "r/dir1"));
const r = open(dir, "r", O_DIRECTORY);
const big = readAll(r);
say("one big read: " + big.length.toString() + " entries");

function same(a: Dirent[], b: Dirent[]): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name != b[i].name || a[i].next != b[i].next || a[i].ino != b[i].ino) return false;
  }
  return true;
}

// 24-byte buffer: each call returns one header with the name cut off; read the name with an exact buffer.
const small = alloc(24);
const exact = alloc(DIRENT_SIZE + 64);
const walked: Dirent[] = [];
let cookie: u64 = 0;
let calls = 0;
let fullEachTime = true;
while (calls < 100) {
  calls++;
  if (w.fd_readdir(r, small, 24, cookie, OUT) != 0) { say("fd_readdir failed"); break; }
  const used = load<u32>(OUT);
  if (used < 24) break;
  const namlen = load<u32>(small, 16);
  w.fd_readdir(r, exact, DIRENT_SIZE + namlen, cookie, OUT);
  if (load<u32>(OUT) != DIRENT_SIZE + namlen) fullEachTime = false;
  const one = parse(exact, DIRENT_SIZE + namlen);
  walked.push(one[0]);
  cookie = one[0].next;
}
say("24-byte walk: " + walked.length.toString() + " entries, exact-size re-reads filled: " + yesno(fullEachTime));
say("  same names, order, cookies and inodes as the big read: " + yesno(same(walked, big)));

// 40-byte buffer: keep the complete entries of each call and resume after the last of them.
const mid = alloc(40);
const walked40: Dirent[] = [];
cookie = 0;
calls = 0;
while (calls < 100) {
  calls++;
  w.fd_readdir(r, mid, 40, cookie, OUT);
  const used = load<u32>(OUT);
  const got = parse(mid, used);
  if (got.length == 0) {
    if (used == 40) {
      // The next entry does not fit in 40 bytes: read it alone with a bigger buffer.
      w.fd_readdir(r, exact, DIRENT_SIZE + 64, cookie, OUT);
      const one = parse(exact, load<u32>(OUT));
      walked40.push(one[0]);
      cookie = one[0].next;
      continue;
    }
    break;
  }
  for (let i = 0; i < got.length; i++) walked40.push(got[i]);
  cookie = got[got.length - 1].next;
  if (used < 40) break;
}
say("40-byte walk same as the big read: " + yesno(same(walked40, big)));

const resumed = alloc(4096);
w.fd_readdir(r, resumed, 4096, big[2].next, OUT);
const rest = parse(resumed, load<u32>(OUT));
say("resuming at the 3rd entry's d_next gives the last " + rest.length.toString() + ": " + yesno(same(rest, big.slice(3))));
const ten = alloc(16);
memory.fill(ten, 0xee, 16);
w.fd_readdir(r, ten, 10, 0, OUT);
say("10-byte buffer: bytes used " + load<u32>(OUT).toString() + ", byte 10 untouched: " + yesno(load<u8>(ten + 10) == 0xee));
say("  and they are the first 10 bytes of the first entry: " + yesno(load<u64>(ten) == big[0].next));
