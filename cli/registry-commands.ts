// The commands that only talk to registries: run-cli.ts loads them without the other commands, and
// bin.ts keeps a code cache of the bundle apart for them (a small file: the bin imports it too).
export const REGISTRY_COMMANDS: ReadonlySet<string> = new Set(["pull", "push", "login", "logout", "search"]);
