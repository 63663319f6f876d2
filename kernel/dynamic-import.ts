// import() for modules the CLI's module-run bundle leaves out (binaryen, jco, a component's glue, the
// commands beside it): the bundle runs as a vm script, without import(), and has bin.ts's instead of this.
/** Loads the ES module `specifier` (a bare package name or an absolute file: URL). */
export function importModule(specifier: string): Promise<unknown> {
  return import(specifier);
}
