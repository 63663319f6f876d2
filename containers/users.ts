// containers/: the user a container's processes run as: its spec's `--user` / image USER resolved against
// the container's own /etc/passwd and /etc/group when it starts, as runc does (images/users.ts has the rules).
import { FsApi, type MountNamespace } from "../kernel/host.js";
import { resolveUser, type Credentials } from "../images/users.js";

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
