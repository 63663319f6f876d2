// The kernel's entry for container hosts (containers/, cli/, images/, bench/): what a runtime needs
// beyond the public entry (index.ts) to build container roots, start VMs and name signals.
export * from "./index.js";
export { shareHostNetwork } from "./component/host-network.js";
export type { ContainerOptions } from "./jail/container.js";
export {
  SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSEGV,
  SIGSTOP, SIGSYS, SIGTERM, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2, SIGWINCH,
} from "./abi/wasmbox-abi.js";
export { FsApi } from "./fs-api.js";
export { Filetype } from "./wasi.js";
export { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from "./vfs/layer.js";
export { MemFs } from "./vfs/memory.js";
export { MountNamespace, PATH_MAX } from "./vfs/namespace.js";
export { DEFAULT_PATH, findOnPath, isRegularFile } from "./vfs/command-path.js";
export { LayerTrees, loadEntries, OverlayFs, type DiffLine } from "./vfs/overlay.js";
export { Cursor } from "./engines/wasm-binary.js";
export { Hypervisor, Guest, layerBytes, type VmOptions, type GuestExit, type GuestState, type ExecResult, type GuestStats, attachVmNetwork, type VmNetwork } from "./vm/index.js";
export { isComponent } from "./component/detect.js";
export type { OpenFile } from "./vfs/open-file.js";
export { canonicalIp, familyOf, formatSockAddr, isAny, LOOPBACK4, LOOPBACK6, type Family, type SockAddr } from "./net/address.js";
export { HostStream, hostErrno, hostTcpEdge, hostUdpEdge, listenOnHost, parseHostPort } from "./net/host.js";
export { DEFAULT_NETWORK, subnetIndex, type SavedNetwork } from "./net/networks.js";
export type { VirtualNetwork } from "./net/namespace.js";
export { SockOption } from "./net/socket.js";
export { TcpSocket } from "./net/tcp.js";
export { UdpSocket } from "./net/udp.js";
export type { ComponentProgram } from "./component/loader.js";
export { importModule } from "./dynamic-import.js";
