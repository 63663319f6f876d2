// The public entry point of the wasmbox library: `import { Kernel } from "wasmbox"`.
// Re-exports only what users of the kernel need; everything else is internal.
export { Kernel } from "./kernel.js";
export type { KernelOptions, RunOptions, RunResult, DirMount, TmpfsMount, EngineChoice, SpawnRequest } from "./kernel.js";
export { Errno, SysError } from "./errno.js";
export { ProgramError } from "./program.js";
export type { LoadedProgram, Invocation } from "./engines/engine.js";
export { hasJspi } from "./engines/inline.js";
export { RoundRobinPolicy, FairSharePolicy, Scheduler, type SchedulerPolicy } from "./proc/scheduler.js";
export type { Process, ProcState } from "./proc/process.js";
export { exitCodeOf, describeStatus } from "./proc/process.js";
export { Container } from "./jail/container.js";
export type { ContainerLimits, LimitHit } from "./jail/limits.js";
export type { LayerEntry } from "./vfs/layer.js";
export { signature } from "./syscalls/table.js";
export type { SyscallDef } from "./syscalls/table.js";
export { InputStream, OutputStream } from "./stdio.js";
export type { Terminal, TerminalControl, WindowSize } from "./proc/terminal.js";
export type { HostOutput, HostOutputs } from "./host-output.js";
export { ComponentHttpServer } from "./component/http-server.js";
