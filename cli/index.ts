// The wasmbox CLI as a library: runCli() runs a command line in-process, createCli() builds the
// commander program (tests use both); the bin file calls runCli through run-cli.ts.
export { runCli } from "./run-cli.js";
export { createCli } from "./program.js";
export { CliExit, type CliIo } from "./io.js";
