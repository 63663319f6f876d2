// images/: resolving a USER / --chown / --user value (`name`, `uid`, `name:group`, `uid:gid`) against an
// image's /etc/passwd and /etc/group, as runc and BuildKit do; used by builds (RUN, COPY --chown) and at run.

/** A user as the kernel knows it: numbers only. */
export interface Credentials {
  uid: number;
  gid: number;
}

/** Reads a file of the image's root filesystem as text (undefined when missing). */
export type ImageFileReader = (path: "/etc/passwd" | "/etc/group") => string | undefined;

/** A user or group that the image does not know; the message is docker's. */
export class UnknownUserError extends Error {
  override readonly name = "UnknownUserError";
}

const NUMBER = /^\d+$/;
/** The largest id Linux accepts (uid_t is 32 bits, -1 is reserved). */
const MAX_ID = 0xfffffffe;

function entries(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#")).map((line) => line.split(":"));
}

function parseId(text: string, what: string): number {
  const value = Number(text);
  if (value > MAX_ID) throw new UnknownUserError(`invalid ${what} id ${text}: out of range`);
  return value;
}

/**
 * Resolves `user[:group]`: a name is looked up in /etc/passwd (its primary group is the default gid);
 * a number need not be there (gid 0 then, as runc does); a group is looked up in /etc/group.
 */
export function resolveUser(spec: string, read: ImageFileReader): Credentials {
  const colon = spec.indexOf(":");
  const user = colon < 0 ? spec : spec.slice(0, colon);
  const group = colon < 0 ? undefined : spec.slice(colon + 1);
  if (user === "") throw new UnknownUserError(`invalid user "${spec}": the user part is empty`);
  const passwd = entries(read("/etc/passwd"));
  const byName = passwd.find((fields) => fields[0] === user);
  let uid: number;
  let gid: number;
  if (byName && !NUMBER.test(user)) {
    uid = parseId(byName[2] ?? "", "user");
    gid = parseId(byName[3] ?? "0", "group");
  } else if (NUMBER.test(user)) {
    uid = parseId(user, "user");
    const byUid = passwd.find((fields) => fields[2] === user);
    gid = byUid ? parseId(byUid[3] ?? "0", "group") : 0;
  } else {
    throw new UnknownUserError(`unable to find user ${user}: no matching entries in passwd file`);
  }
  if (group !== undefined) {
    if (group === "") throw new UnknownUserError(`invalid user "${spec}": the group part is empty`);
    if (NUMBER.test(group)) gid = parseId(group, "group");
    else {
      const found = entries(read("/etc/group")).find((fields) => fields[0] === group);
      if (!found) throw new UnknownUserError(`unable to find group ${group}: no matching entries in group file`);
      gid = parseId(found[2] ?? "", "group");
    }
  }
  return { uid, gid };
}
