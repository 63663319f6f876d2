// kernel/vm/: VM mode. The hypervisor boots guests (each its own isolate and kernel over its own
// copy of the image); disk.ts turns layers into roots for VMs and for shared container roots.
export { Hypervisor, Guest, type VmOptions, type GuestExit, type GuestState, type ExecResult } from "./hypervisor.js";
export { buildRoot, copyLayers, layerBytes, type RootOptions } from "./disk.js";
export type { GuestStats, GuestNetConfig } from "./protocol.js";
export { attachVmNetwork, type VmNetwork } from "./nic.js";
