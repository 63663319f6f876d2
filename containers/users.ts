// containers/: the user a container's processes run as: its spec's `--user` / image USER resolved against
// its own /etc/passwd and /etc/group when it starts (a VM's: in the image's layers before it boots), as runc does.
import { FsApi, type MountNamespace } from "../kernel/host.js";
import { resolveUser, type Credentials } from "../images/users.js";
import { flattenLayers } from "../images/layer-tar.js";
import type { LayerEntry } from "../kernel/index.js";

/** The uid and gid of `user` in the container's root; root when none is asked for. Throws UnknownUserError. */
export function containerCredentials(ns: MountNamespace, user: string | undefined): Credentials | undefined {
  if (!user) return undefined;
  const fs = new FsApi(ns);
  return resolveUser(user, (path) => {
    try {
      return fs.readText(path);
    } catch {
      return undefined;
    }
  });
}

/** The same from an image's layers (a VM's user, resolved before its guest boots from them). */
export function layerCredentials(layers: readonly (readonly LayerEntry[])[], user: string | undefined): Credentials | undefined {
  if (!user) return undefined;
  const view = flattenLayers(layers);
  return resolveUser(user, (path) => {
    const data = view.get(path.slice(1))?.data;
    return data ? Buffer.from(data).toString("utf8") : undefined;
  });
}
