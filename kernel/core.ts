// The kernel's lean entry for a CLI module run and the code it loads (the run flags, containers/'s
// spec and network): what they use of host.ts, without the VM, component and HTTP modules.
// Evaluating host.ts evaluates everything it re-exports (node:http, node:stream, worker_threads):
// ~5 ms of a module run's start (cli/build-bundle.ts bundles what this entry reaches).
export { Kernel } from "./kernel.js";
export type { KernelOptions, RunOptions, RunResult, DirMount, TmpfsMount, EngineChoice } from "./kernel.js";
export { Errno, SysError } from "./errno.js";
export { ProgramError } from "./program.js";
export type { Container, ContainerOptions } from "./jail/container.js";
export type { ContainerLimits, LimitHit } from "./jail/limits.js";
export type { TerminalControl } from "./proc/terminal.js";
export type { OpenFile } from "./vfs/open-file.js";
export {
  SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSEGV,
  SIGSTOP, SIGSYS, SIGTERM, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2, SIGWINCH,
} from "./abi/wasmbox-abi.js";
export { FsApi } from "./fs-api.js";
export { Filetype } from "./wasi.js";
export { MemFs } from "./vfs/memory.js";
export { MountNamespace } from "./vfs/namespace.js";
export { Cursor } from "./engines/wasm-binary.js";
export { isComponent } from "./component/detect.js";
export { canonicalIp, familyOf, formatSockAddr, isAny, LOOPBACK4, LOOPBACK6, type Family, type SockAddr } from "./net/address.js";
export { HostStream, hostErrno, hostTcpEdge, hostUdpEdge, listenOnHost, parseHostPort } from "./net/host.js";
export { DEFAULT_NETWORK } from "./net/networks.js";
export { SockOption } from "./net/socket.js";
export { TcpSocket } from "./net/tcp.js";
export { UdpSocket } from "./net/udp.js";
export { attachVmNetwork, type VmNetwork } from "./vm/nic.js";
export { importModule } from "./dynamic-import.js";
