// How a syscall says "not now": it returns a Wait, the process sleeps until `until` settles,
// and then the call is made again from scratch (or `resume` is called), so nothing is lost.

/** Returned by a handler that must block. */
export class Wait {
  /** `resume` replaces the retry of the whole call (for calls that keep state, like poll's deadline). */
  constructor(readonly until: Promise<unknown>, readonly resume?: () => unknown) {}
}

/** Thrown to unwind a guest that called proc_exit. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Thrown to unwind a guest that a signal has killed. */
export class ProcKilled extends Error {
  constructor(readonly signal: number) {
    super(`killed by signal ${signal}`);
  }
}
