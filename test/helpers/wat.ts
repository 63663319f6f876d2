// Builds tiny test guests from WebAssembly text kept in the test files themselves (binaryen's
// parser), so every guest a kernel test runs is compiled from source in this repo.
import binaryen from "binaryen";

/** Compiles WebAssembly text to a module's bytes (binaryen's default features, or `features`); throws on a syntax error. */
export function wat(text: string, features?: number): Uint8Array {
  const module = binaryen.parseText(text);
  try {
    if (features !== undefined) module.setFeatures(features);
    if (!module.validate()) throw new Error("invalid test guest");
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

/** The WASI imports test guests use most, as WAT import lines. */
export const WASI_IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
`;
