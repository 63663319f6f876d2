// test/images: USER / --user resolution against an image's /etc/passwd and /etc/group, with docker's
// (runc's) rules for names, numbers, groups, and the messages for what the image does not know.
import { describe, expect, it } from "vitest";
import { resolveUser } from "../../images/users.js";

const files = {
  "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n# a comment\nalice:x:1000:1000::/home/alice:/bin/sh\nsvc:x:200:300::/:/bin/false\n",
  "/etc/group": "root:x:0:\nusers:x:100:alice\nalice:x:1000:\n",
};
const read = (path: "/etc/passwd" | "/etc/group") => files[path];

describe("resolveUser", () => {
  it.each([
    ["alice", { uid: 1000, gid: 1000 }],
    ["svc", { uid: 200, gid: 300 }],
    ["200", { uid: 200, gid: 300 }],
    ["4242", { uid: 4242, gid: 0 }],
    ["alice:users", { uid: 1000, gid: 100 }],
    ["svc:7", { uid: 200, gid: 7 }],
    ["0:0", { uid: 0, gid: 0 }],
  ])("resolves %s", (spec, expected) => {
    expect(resolveUser(spec, read)).toEqual(expected);
  });

  it.each([
    ["bob", "unable to find user bob: no matching entries in passwd file"],
    ["alice:wheel", "unable to find group wheel: no matching entries in group file"],
    [":users", 'invalid user ":users": the user part is empty'],
    ["alice:", 'invalid user "alice:": the group part is empty'],
    ["99999999999", "invalid user id 99999999999: out of range"],
  ])("refuses %s", (spec, message) => {
    expect(() => resolveUser(spec, read)).toThrow(message);
  });

  it("takes numbers, but no names, from an image without /etc/passwd", () => {
    expect(resolveUser("12:34", () => undefined)).toEqual({ uid: 12, gid: 34 });
    expect(() => resolveUser("alice", () => undefined)).toThrow("unable to find user alice");
  });
});
