// The message channel between the hypervisor (host side) and a guest (the worker running its own
// kernel): the guest's console, its exit, signals for init, and statistics. Plain data only.
import type { NetMessage } from "../net/relay.js";
import type { LayerEntry } from "../vfs/layer.js";

/** A VM's place on a host network (its network card): the network, its address, what it resolves. */
export interface GuestNetConfig {
  network: { name: string; id: string; subnet4: string; subnet6: string };
  /** The host part of its addresses: subnet4.host and subnet6::host. */
  host: number;
  /** Lower-case name -> addresses, for every member of the network (the VM's own names too). */
  names: Array<[string, string[]]>;
  /** The addresses of the network's other members. */
  members: string[];
}

/** What a guest is booted with (the worker's workerData). `layers` is the guest's own copy. */
export interface GuestBootData {
  layers: LayerEntry[][];
  argv: string[];
  env: string[];
  cwd: string;
  hostname: string;
  engine: "auto" | "inline" | "worker";
  /** Bytes of linear memory all guest processes together may hold. */
  memoryBytes: number;
  /** Bytes of file data the guest's disk may hold. */
  diskBytes: number;
  /** Start /bin/init as pid 1 with the command (when the image has it). */
  init: boolean;
  /** Whether stdin stays open for the console (otherwise EOF at once). */
  stdin: boolean;
  /** Whether the console is a terminal (pid 1 leads a session on it, ^C from its keys), and its window. */
  tty?: boolean;
  terminalSize?: { rows: number; cols: number };
  /** performance.timeOrigin + now() at boot() on the host, for boot timing. */
  bootAt: number;
  /** The user and group ids pid 1 and exec run as (absent: root). */
  user?: { uid: number; gid: number };
  /** Its network card (absent: loopback only). */
  network?: GuestNetConfig;
}

/** Host → guest. */
export type HostMessage =
  | { type: "stdin"; data: Uint8Array }
  | { type: "stdin-end" }
  | { type: "signal"; signal: number }
  | { type: "resize"; rows: number; cols: number }
  | { type: "stats"; id: number }
  | { type: "exec"; id: number; argv: string[]; env?: string[]; cwd?: string }
  | { type: "put"; id: number; path: string; data: Uint8Array; mode: number }
  | { type: "fault"; fault: "crash" | "heap" | "spin" }
  /** A relay message of network card `nic` (0: the one it booted with). */
  | { type: "net"; nic: number; message: NetMessage }
  | { type: "net-config"; nic: number; config: GuestNetConfig }
  /** A network card plugged in while it runs (network connect), and one pulled out (network disconnect). */
  | { type: "net-attach"; nic: number; config: GuestNetConfig }
  | { type: "net-detach"; nic: number };

/** Measurements a guest reports about itself. */
export interface GuestStats {
  /** This isolate's V8 heap. */
  heapUsed: number;
  heapTotal: number;
  /** Linear memory of its processes. */
  guestMemory: number;
  /** Bytes of file data on its disk. */
  diskBytes: number;
  processes: number;
  /** CPU time of the guest's own thread (kernel and inline processes), when it can read it; ns. */
  threadCpuNs?: number;
  /** CPU time charged to its processes that ran on threads of their own (worker engine); ns. */
  workerCpuNs: number;
  /** Milliseconds from the host's boot() call to the guest kernel being up, and to pid 1 running. */
  kernelUpMs: number;
  initRunningMs: number;
}

/** Guest → host. */
export type GuestMessage =
  | { type: "up"; ms: number }
  | { type: "thread"; tid: number }
  | { type: "started"; pid: number; ms: number }
  | { type: "stdout"; data: Uint8Array }
  | { type: "stderr"; data: Uint8Array }
  | { type: "log"; line: string }
  | { type: "exit"; exitCode: number; signal?: number; status: number }
  | { type: "error"; message: string }
  | { type: "stats"; id: number; stats: GuestStats }
  | { type: "exec-result"; id: number; exitCode: number; stdout: string; stderr: string; ms: number }
  | { type: "put-result"; id: number; error?: string }
  | { type: "net"; nic: number; message: NetMessage };
