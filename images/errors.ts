// images/: the one error type of the image layer. A user-caused problem (bad reference, corrupt blob,
// Containerfile mistake) is an ImageError; the CLI prints its message and exits, never a stack trace.

/** A problem the user can act on; `message` is complete and names what failed (image, digest, line). */
export class ImageError extends Error {
  override readonly name = "ImageError";
}
