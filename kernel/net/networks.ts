// The kernel's virtual networks by name: the default "bridge" and user networks (network create/rm),
// each with its own /24 (10.88.N.0/24) and /64 (fd00:88:0:N::/64). They exist only inside the kernel.
import { Errno, SysError } from "../errno.js";
import { VirtualNetwork, type NetNamespace } from "./namespace.js";

/** The default network's name (docker's). */
export const DEFAULT_NETWORK = "bridge";
/** Names that are modes, not networks. */
export const RESERVED_NETWORK_NAMES: readonly string[] = ["none", "host"];
/** The most networks one kernel holds (one /24 each in 10.88.0.0/16). */
const MAX_NETWORKS = 256;

/** What a daemon keeps of a user network to make it again: its id, its subnet's number (10.88.N.0/24) and when it was made. */
export interface SavedNetwork {
  id: string;
  index: number;
  created: string;
}

/** The subnet number of a network (N of 10.88.N.0/24). */
export function subnetIndex(network: VirtualNetwork): number {
  return Number(network.subnet4.split(".")[2]);
}

export class Networks {
  private readonly byName = new Map<string, VirtualNetwork>();

  constructor() {
    this.create(DEFAULT_NETWORK);
  }

  /**
   * A new network; `saved` gives back one a daemon kept (its id, subnet number and creation time).
   * EEXIST: the name (or the saved subnet) is taken; EINVAL: a reserved or malformed name; ENOSPC: 256 networks.
   */
  create(name: string, saved?: SavedNetwork): VirtualNetwork {
    if (RESERVED_NETWORK_NAMES.includes(name) || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
      throw new SysError(Errno.INVAL, `invalid network name: ${name}`);
    }
    if (this.byName.has(name)) throw new SysError(Errno.EXIST, `network ${name} already exists`);
    const used = new Set([...this.byName.values()].map((n) => n.subnet4));
    let index = saved?.index ?? 0;
    if (saved && (!Number.isInteger(index) || index < 0 || index >= MAX_NETWORKS || used.has(`10.88.${index}`))) {
      throw new SysError(Errno.EXIST, `network ${name}: subnet 10.88.${index}.0/24 is not free`);
    }
    while (index < MAX_NETWORKS && used.has(`10.88.${index}`)) index++;
    if (index >= MAX_NETWORKS) throw new SysError(Errno.NOSPC, "no free subnet");
    const network = new VirtualNetwork(name, `10.88.${index}`, `fd00:88:0:${index.toString(16)}`, saved?.id, saved?.created);
    this.byName.set(name, network);
    return network;
  }

  /** The network of that name (or id prefix). ENOENT. */
  get(nameOrId: string): VirtualNetwork {
    const byName = this.byName.get(nameOrId);
    if (byName) return byName;
    const byId = nameOrId.length >= 4 ? [...this.byName.values()].filter((n) => n.id.startsWith(nameOrId)) : [];
    if (byId.length === 1) return byId[0];
    throw new SysError(Errno.NOENT, `network ${nameOrId} not found`);
  }

  list(): VirtualNetwork[] {
    return [...this.byName.values()];
  }

  /** Removes a network. EBUSY: it still has members; EPERM: the default one. */
  remove(nameOrId: string): void {
    const network = this.get(nameOrId);
    if (network.name === DEFAULT_NETWORK) throw new SysError(Errno.PERM, `${DEFAULT_NETWORK} is a pre-defined network and cannot be removed`);
    if (network.members.size > 0) throw new SysError(Errno.BUSY, `network ${network.name} has active endpoints`);
    this.byName.delete(network.name);
  }

  /** Joins `ns` to a network under `names` (DNS names on that network). */
  connect(ns: NetNamespace, nameOrId: string, names: string[]): void {
    this.get(nameOrId).connect(ns, names);
  }

  /** Takes `ns` off a network. */
  disconnect(ns: NetNamespace, nameOrId: string): void {
    this.get(nameOrId).disconnect(ns);
  }

  /** Takes `ns` off every network (its container ended). */
  leaveAll(ns: NetNamespace): void {
    for (const network of ns.networks()) network.disconnect(ns);
  }
}
