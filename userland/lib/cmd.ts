// Helpers shared by the utilities: opening operands ("-" is stdin), reporting errors the way
// GNU tools word them, and the common "for each input file" loop.

import { open, lastError, close } from "./fs";
import { strerror } from "./errno";
import { warn } from "./io";

/** Prints "prog: name: strerror(errno)". */
export function report(prog: string, name: string, errno: i32): void {
  warn(prog, name + ": " + strerror(errno));
}

/** Opens an input operand ("-" = stdin); -1 after reporting the error. */
export function openInput(prog: string, name: string): i32 {
  if (name == "-") return 0;
  const fd = open(name);
  if (fd < 0) report(prog, name, lastError);
  return fd;
}

/** Closes an fd returned by openInput. */
export function closeInput(fd: i32): void {
  if (fd > 2) close(fd);
}

/** The operands, or ["-"] when there are none. */
export function inputsOrStdin(operands: string[]): string[] {
  return operands.length > 0 ? operands : ["-"];
}

/** Reports a bad command line ("prog: invalid option -- 'x'") and returns the usage status. */
export function usage(prog: string, message: string, status: i32 = 1): i32 {
  warn(prog, message);
  return status;
}
