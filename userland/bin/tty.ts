// stty over the kernel's terminal calls: the window size, the line discipline's modes, the
// foreground group (clear is in misc.ts).

import { stdout, warn } from "../lib/io";
import { winsize, windowRows, windowCols, tcgetpgrp } from "../lib/proc";
import { strerror } from "../lib/errno";
import { tty_getattr, tty_setattr, TTY_ISIG, TTY_ICANON, TTY_ECHO, TTY_ICRNL } from "../lib/wasmbox";

const flagsOut = memory.data(8);

/** The flag a mode word names (echo, icanon, isig, icrnl); 0 if none. */
function modeFlag(word: string): u32 {
  if (word == "echo") return TTY_ECHO;
  if (word == "icanon") return TTY_ICANON;
  if (word == "isig") return TTY_ISIG;
  if (word == "icrnl") return TTY_ICRNL;
  return 0;
}

function showModes(flags: u32): string {
  const names = ["isig", "icanon", "echo", "icrnl"];
  const bits = [TTY_ISIG, TTY_ICANON, TTY_ECHO, TTY_ICRNL];
  let out = "";
  for (let i = 0; i < names.length; i++) out += (i > 0 ? " " : "") + ((flags & bits[i]) != 0 ? "" : "-") + names[i];
  return out;
}

/** stty [-a] | size | sane | cooked | raw | -raw | [-]echo [-]icanon [-]isig [-]icrnl ...: on standard input's terminal. */
export function sttyMain(args: string[]): i32 {
  const err = tty_getattr(0, flagsOut);
  if (err != 0) { warn("stty", "standard input: " + strerror(err)); return 1; }
  let flags = load<u32>(flagsOut);
  if (args.length == 0 || args[0] == "-a") {
    winsize(0);
    stdout.line("rows " + windowRows.toString() + "; columns " + windowCols.toString() + "; pgrp " + tcgetpgrp(0).toString() + ";");
    stdout.line(showModes(flags));
    return 0;
  }
  if (args[0] == "size") {
    const werr = winsize(0);
    if (werr != 0) { warn("stty", "standard input: " + strerror(werr)); return 1; }
    stdout.line(windowRows.toString() + " " + windowCols.toString());
    return 0;
  }
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word == "sane" || word == "cooked" || word == "-raw") flags = TTY_ISIG | TTY_ICANON | TTY_ECHO | TTY_ICRNL;
    else if (word == "raw" || word == "-cooked") flags = 0;
    else {
      const off = word.startsWith("-");
      const bit = modeFlag(off ? word.substring(1) : word);
      if (bit == 0) { warn("stty", "invalid argument '" + word + "'"); return 1; }
      flags = off ? flags & ~bit : flags | bit;
    }
  }
  const serr = tty_setattr(0, flags);
  if (serr != 0) { warn("stty", "standard input: " + strerror(serr)); return 1; }
  return 0;
}
