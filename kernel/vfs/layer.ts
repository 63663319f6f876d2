// A filesystem layer as plain data: the form in which images/ hands layers to the kernel and
// the kernel hands a container's changes back. Deletions use OCI whiteout names (.wh.NAME, .wh..wh..opq).

/** One entry of a layer. `path` is relative to the layer root, '/'-separated, no leading '/' or '..'. */
export interface LayerEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink";
  /** Permission bits (0o7777 mask). */
  mode: number;
  /** Contents of a regular file. */
  data?: Uint8Array;
  /** Target of a symlink (as written), or for a hardlink the layer path it links to. */
  target?: string;
  /** Modification time in nanoseconds since the epoch. */
  mtimeNs?: bigint;
  uid?: number;
  gid?: number;
}

/** Name prefix of an OCI whiteout: `.wh.foo` in a directory deletes `foo` from the layers below. */
export const WHITEOUT_PREFIX = ".wh.";
/** Name of the OCI opaque marker: the directory holding it hides everything below it. */
export const OPAQUE_WHITEOUT = ".wh..wh..opq";
