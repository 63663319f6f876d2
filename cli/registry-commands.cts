// The commands that only talk to registries: run-cli.ts loads them without the other commands, and
// the bin keeps a code cache of the bundle apart for them. CommonJS, since the bin (wasmbox.cts) requires
// it too; and without TypeScript syntax, which vitest's transform does not strip from a .cts file.
export const REGISTRY_COMMANDS = new Set(["pull", "push", "login", "logout", "search"]);
