// A container's network: --network (bridge, none, host or a user network), -p publishing a
// container port on a real host socket (the daemon forwards each connection into the kernel), its
// /etc/hosts and /etc/resolv.conf, and the undoing of all that when the container ends.
// node:net is loaded on first use (process.getBuiltinModule): the module-run bundle holds this file, and a module run never publishes a port.
import type * as net from "node:net";
import {
  type Container, Errno, SysError, FsApi, MemFs, Filetype, MountNamespace, type Kernel,
  canonicalIp, familyOf, formatSockAddr, isAny, LOOPBACK4, LOOPBACK6, type Family, type SockAddr,
  HostStream, hostErrno, hostTcpEdge, hostUdpEdge, listenOnHost, DEFAULT_NETWORK, SockOption, TcpSocket,
  attachVmNetwork, type VmNetwork,
} from "../kernel/core.js";
import { SpecError } from "./spec.js";
import { publishUdp } from "./udp-publish.js";

/** The name a --host-outbound container reaches the host by (docker's host.docker.internal). */
export const HOST_GATEWAY_NAME = "host.wasmbox.internal";

/** One -p mapping: host address and port to a container port. */
export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: "tcp" | "udp";
}

/** What a container's spec says about its network. */
export interface NetworkSpec {
  /** bridge (default), none, host, or a user network's name. */
  mode: string;
  publish: PortMapping[];
  /** Whether connections to addresses outside the kernel's networks go to the host (through node:net). */
  hostOutbound: boolean;
}

/** The create options this file reads. */
export interface NetworkOptions {
  network?: string;
  publish?: string[];
  hostOutbound?: boolean;
  /** A VM's: its ports are published over TCP only. */
  vm?: boolean;
}

/**
 * Parses `-p [HOSTIP:]HOSTPORT:CONTAINERPORT[/udp|/tcp]` as docker does (HOSTIP defaults to
 * 0.0.0.0; an IPv6 HOSTIP in brackets). SpecError on anything else.
 */
export function parsePublish(text: string): PortMapping {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(text);
  if (!m) throw new SpecError(`-p ${text}: expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/udp]`);
  const ip = m[1] ? m[1].replace(/^\[|\]$/g, "") : "0.0.0.0";
  if (familyOf(ip) === undefined) throw new SpecError(`-p ${text}: ${ip} is not an IP address`);
  const hostPort = Number(m[2]);
  const containerPort = Number(m[3]);
  if (hostPort > 65535 || containerPort < 1 || containerPort > 65535) throw new SpecError(`-p ${text}: ports are 1-65535 (host port 0: any free one)`);
  return { hostIp: canonicalIp(ip), hostPort, containerPort, protocol: m[4] === "udp" ? "udp" : "tcp" };
}

/** The network part of a spec from the create options. */
export function networkSpec(options: NetworkOptions): NetworkSpec {
  const mode = options.network ?? DEFAULT_NETWORK;
  const publish = (options.publish ?? []).map(parsePublish);
  const udp = publish.find((p) => p.protocol === "udp");
  if (options.vm && udp) throw new SpecError(`-p ${udp.hostPort}:${udp.containerPort}/udp: a VM's ports are published over TCP only`);
  if (publish.length > 0 && (mode === "none" || mode === "host")) {
    throw new SpecError(`-p does not apply with --network ${mode}${mode === "host" ? " (the container's ports are the host's)" : ""}`);
  }
  return { mode, publish, hostOutbound: !!options.hostOutbound };
}

/** "80/tcp -> 127.0.0.1:8080", as `docker port` prints a mapping. */
export function describeMapping(p: PortMapping): string {
  return `${p.containerPort}/${p.protocol} -> ${formatSockAddr({ family: familyOf(p.hostIp) ?? 4, ip: p.hostIp, port: p.hostPort })}`;
}

/** What attachNetwork() set up, to undo when the container ends. */
export interface AttachedNetwork {
  /** The host ports really bound (a host port 0 becomes the one the host gave). */
  readonly published: PortMapping[];
  detach(): void;
  /** Writes /etc/hosts again (after `network connect` or `disconnect`: its own name's addresses changed). */
  rewriteNameFiles?(): void;
}

/**
 * Puts a container on its network: joins the virtual network (names: its name and hostname), or
 * gives it the host's network (`host`: its sockets become node:net sockets), writes /etc/hosts and
 * /etc/resolv.conf, and opens the -p host listeners. A taken host port is an Error naming it.
 */
export async function attachNetwork(kernel: Kernel, container: Container, spec: NetworkSpec, fs: FsApi): Promise<AttachedNetwork> {
  const ns = container.net;
  if (spec.mode === "host") {
    ns.outbound = true;
    ns.hostMode = true;
    ns.edge = { tcp: { ...hostTcpEdge(), ...hostListenEdge(kernel) }, udp: hostUdpEdge() };
  } else if (spec.mode !== "none") {
    try {
      kernel.networks.connect(ns, spec.mode, [container.name, container.hostname]);
    } catch (e) {
      if (e instanceof SysError && e.errno === Errno.NOENT) throw new Error(`network ${spec.mode} not found`);
      throw e;
    }
    if (spec.hostOutbound) {
      ns.outbound = true;
      ns.edge = { tcp: hostTcpEdge() };
      // docker's host-gateway: the network's gateway address is the host (its loopback).
      const gateway = ns.networks()[0]?.gateway;
      if (gateway) ns.extraHosts.set(HOST_GATEWAY_NAME, [gateway]);
    }
  }
  const rewriteNameFiles = mountNameFiles(kernel, container, fs);
  const closers: Array<() => void> = [];
  const published: PortMapping[] = [];
  try {
    for (const mapping of spec.publish) {
      const [port, close] = await publish(kernel, container, mapping);
      published.push({ ...mapping, hostPort: port });
      closers.push(close);
    }
  } catch (e) {
    for (const close of closers) close();
    kernel.networks.leaveAll(ns);
    throw e;
  }
  return {
    published,
    rewriteNameFiles,
    detach() {
      for (const close of closers) close();
      kernel.networks.leaveAll(ns);
    },
  };
}

/**
 * A VM's network card on its network (--network: bridge by default, or a user network), under its
 * name and hostname; undefined for --network none. An Error naming a network that does not exist.
 */
export function vmNetwork(kernel: Kernel, spec: NetworkSpec | undefined, names: string[]): VmNetwork | undefined {
  const mode = spec?.mode ?? DEFAULT_NETWORK;
  if (mode === "none") return undefined;
  if (mode === "host") throw new Error("--network host is not supported for a VM (its sockets are its own kernel's)");
  try {
    return attachVmNetwork(kernel, mode, names);
  } catch (e) {
    if (e instanceof SysError && e.errno === Errno.NOENT) throw new Error(`network ${mode} not found`);
    throw e;
  }
}

/**
 * Opens a VM's -p host listeners: each connection crosses the hypervisor's relay to the container
 * port on the VM's address (a port already taken is an Error naming it; /udp is refused).
 */
export async function publishVmPorts(kernel: Kernel, network: VmNetwork, mappings: PortMapping[]): Promise<AttachedNetwork> {
  const closers: Array<() => void> = [];
  const published: PortMapping[] = [];
  const closeAll = () => closers.splice(0).forEach((close) => close());
  try {
    for (const mapping of mappings) {
      if (mapping.protocol === "udp") throw new Error(`-p ${mapping.hostPort}:${mapping.containerPort}/udp: UDP ports are not published for a VM (TCP only)`);
      const [port, close] = await listenPublished(kernel, network.namespace, mapping, (conn) => network.forward(conn, mapping.containerPort));
      published.push({ ...mapping, hostPort: port });
      closers.push(close);
    }
  } catch (e) {
    closeAll();
    throw e;
  }
  return { published, detach: closeAll };
}

/** What /etc/resolv.conf says: names are the kernel's to resolve. */
const RESOLV_CONF = "# names are resolved by the wasmbox kernel (containers on the same network, /etc/hosts)\nnameserver 127.0.0.11\noptions ndots:0\n";

/**
 * Mounts /etc/hosts and /etc/resolv.conf as the container's network sees it over the image's files,
 * as docker bind-mounts them: they are not in the container's changes (diff, commit). An image
 * without the files keeps none; the kernel's resolver answers all the same. Returns what writes
 * /etc/hosts again.
 */
function mountNameFiles(kernel: Kernel, container: Container, fs: FsApi): () => void {
  const files = new MemFs(kernel.allocDev());
  const filesApi = new FsApi(new MountNamespace(files.root));
  filesApi.writeFile("/hosts", container.net.hostsFile());
  filesApi.writeFile("/resolv.conf", RESOLV_CONF);
  for (const name of ["hosts", "resolv.conf"]) {
    const path = `/etc/${name}`;
    const at = fs.exists(path) ? fs.lookup(path) : undefined;
    const file = files.root.lookup(name);
    if (at?.type === Filetype.REGULAR_FILE && file) container.ns.mount(at, file, path, "network");
  }
  return () => filesApi.writeFile("/hosts", container.net.hostsFile());
}

/** For --network host: a listening kernel socket becomes a host listener on its address. */
function hostListenEdge(kernel: Kernel): Pick<import("../kernel/net/tcp.js").TcpHostEdge, "listen" | "unlisten"> {
  const servers = new WeakMap<TcpSocket, net.Server>();
  return {
    listen(sock: TcpSocket, backlog: number): void {
      const local = sock.local;
      if (!local) return;
      const server = process.getBuiltinModule("node:net").createServer({ allowHalfOpen: true });
      server.on("connection", (socket) => sock.enqueue(adopt(kernel, sock, socket)));
      server.on("error", (e) => {
        sock.lastError = hostErrno(e);
        sock.events.wakeAll();
      });
      server.listen({ host: local.ip, port: local.port, backlog });
      servers.set(sock, server);
    },
    unlisten(sock: TcpSocket): void {
      servers.get(sock)?.close();
    },
  };
}

/** A host connection as an established kernel socket in `listener`'s namespace. */
function adopt(kernel: Kernel, listener: TcpSocket, socket: net.Socket): TcpSocket {
  const conn = new TcpSocket(listener.ns, listener.family, kernel.allocIno(), () => kernel.allocIno());
  const peerIp = socket.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, "") ?? LOOPBACK4;
  const peer: SockAddr = { family: familyOf(peerIp) ?? 4, ip: canonicalIp(peerIp), port: socket.remotePort ?? 0 };
  conn.adoptHost(new HostStream(socket, conn.events, () => conn.bufferSize(SockOption.SEND_BUF_SIZE)), listener.local ?? peer, peer);
  return conn;
}

/**
 * Opens the host side of one -p mapping: each host connection is handed to whatever listens on the
 * container port inside the container (on its network address, or any), or reset if nothing does.
 * Returns the host port bound and how to close it.
 */
async function publish(kernel: Kernel, container: Container, mapping: PortMapping): Promise<[number, () => void]> {
  if (mapping.protocol === "udp") return publishUdp(container, mapping.hostIp, mapping.hostPort, mapping.containerPort);
  return listenPublished(kernel, container.net, mapping, (conn) => {
    const target = containerListener(container, mapping.containerPort);
    if (!target) {
      conn.abort();
      return;
    }
    conn.local = { family: target.family, ip: target.local && !isAny(target.local.ip) ? target.local.ip : ownAddress(container, target.family), port: mapping.containerPort };
    target.enqueue(conn);
  });
}

/**
 * Opens the host listener of a TCP mapping in namespace `ns`; each connection it accepts goes to
 * `deliver`. Returns the host port bound and how to close it; a taken port is an Error naming it.
 */
async function listenPublished(kernel: Kernel, ns: Container["net"], mapping: PortMapping, deliver: (conn: TcpSocket) => void): Promise<[number, () => void]> {
  const family = familyOf(mapping.hostIp) ?? 4;
  let hostSide: TcpSocket;
  try {
    hostSide = await listenOnHost(ns, { family, ip: mapping.hostIp, port: mapping.hostPort }, () => kernel.allocIno());
  } catch (e) {
    const where = formatSockAddr({ family, ip: mapping.hostIp, port: mapping.hostPort });
    if (e instanceof SysError && e.errno === Errno.ADDRINUSE) throw new Error(`Bind for ${where} failed: port is already allocated`);
    throw new Error(`Bind for ${where} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  // The forwarder: each connection the host listener queues goes to the container's listener.
  let open = true;
  const forward = (): void => {
    if (!open) return;
    for (let conn = hostSide.takePending(); conn; conn = hostSide.takePending()) deliver(conn);
    hostSide.events.subscribe(forward);
  };
  forward();
  return [hostSide.local?.port ?? mapping.hostPort, () => {
    open = false;
    hostSide.release();
  }];
}

/** The container's own address of a family on its network (loopback when it has none). */
function ownAddress(container: Container, family: Family): string {
  const own = container.net.addresses().find((a) => familyOf(a) === family && a !== LOOPBACK6 && !a.startsWith("127."));
  return own ?? (family === 4 ? LOOPBACK4 : LOOPBACK6);
}

/** The socket listening on `port` in the container: on its network address first, then any address. */
function containerListener(container: Container, port: number): TcpSocket | undefined {
  const ns = container.net;
  for (const ip of [...ns.addresses().filter((a) => !a.startsWith("127.") && a !== "::1"), LOOPBACK4]) {
    const holder = ns.lookup(ns.tcpPorts, { family: familyOf(ip) ?? 4, ip, port });
    if (holder instanceof TcpSocket && holder.listening) return holder;
  }
  return undefined;
}
