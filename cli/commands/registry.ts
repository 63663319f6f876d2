// cli/commands: the registry commands (pull, push, login, logout, search; `image pull`/`image push` too).
// Thin: parse, one call into images/registry/, docker's output; registry problems exit 1, usage errors 125.
import { Command } from "commander";
import { ImageError } from "../../images/errors.js";
import { formatTable } from "../../images/format.js";
import { DOCKER_HUB, looksLikeImageId, normalizeReference, parseRemoteReference } from "../../images/reference.js";
import { RegistryClient } from "../../images/registry/client.js";
import { defaultRegistry } from "../../images/registry/config.js";
import { CredentialStore } from "../../images/registry/credentials.js";
import { LayerProgress } from "../../images/registry/progress.js";
import { pullImage } from "../../images/registry/pull.js";
import { pushImage } from "../../images/registry/push.js";
import { ImageStore, wasmboxHome } from "../../images/store.js";
import { CliExit, type CliIo } from "../io.js";

type Options = Record<string, unknown>;
/** docker's exit status for an error of the tool itself (bad flags, missing input). */
const EXIT_USAGE = 125;

const TLS_VERIFY_FLAG = "--tls-verify [bool]";
const TLS_VERIFY_HELP = "require HTTPS with a verified certificate (default true; loopback registries may always speak HTTP)";

function tlsVerifyOf(options: Options): boolean {
  const value = options.tlsVerify;
  if (value === undefined || value === true) return true;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new CliExit(EXIT_USAGE, `wasmbox: --tls-verify: expected true or false, got "${String(value)}"`);
}

/** Runs a registry command, turning its ImageErrors (RegistryError among them) into exit 1 with one line in docker's words ("Error response from daemon"). */
async function guarded(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ImageError) throw new CliExit(1, `Error response from daemon: ${error.message}`);
    throw error;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

function addPull(parent: Command, io: CliIo): void {
  parent.command("pull <image>").description("download an image from a registry (NAME[:TAG|@DIGEST], docker's reference syntax)")
    .option("--platform <os/arch>", "pick this platform from an image index (default: wasip1/wasm, wasi/wasm, then wasip2/wasm)")
    .option(TLS_VERIFY_FLAG, TLS_VERIFY_HELP)
    .option("-q, --quiet", "print only the image's name")
    .action(async (image: string, options: Options) => guarded(async () => {
      const tlsVerify = tlsVerifyOf(options);
      const home = wasmboxHome(io.env);
      // The store opens (a new home writes its first files) while the registry is asked for the manifest.
      const opening = ImageStore.open(home);
      opening.catch(() => undefined); // pullImage awaits it
      const progress = new LayerProgress(options.quiet ? () => undefined : (t) => io.stderr(t), !!io.stderrIsTerminal);
      const result = await pullImage(opening, image, {
        home, defaultRegistry: await defaultRegistry(io.env, home), tlsVerify, platform: options.platform as string | undefined, progress,
      });
      io.stdout(result.remote + "\n");
    }));
}

function addPush(parent: Command, io: CliIo): void {
  parent.command("push <image>").description("upload an image to the registry its name says ([HOST[:PORT]/]NAME[:TAG])")
    .option(TLS_VERIFY_FLAG, TLS_VERIFY_HELP)
    .option("--chunk-size <bytes>", "upload blobs larger than this in PATCH chunks of this size (default 16 MiB)")
    .option("-q, --quiet", "print nothing but errors")
    .action(async (image: string, options: Options) => guarded(async () => {
      const chunk = options.chunkSize === undefined ? undefined : Number(options.chunkSize);
      if (chunk !== undefined && (!Number.isSafeInteger(chunk) || chunk < 1)) throw new CliExit(EXIT_USAGE, `wasmbox: --chunk-size: expected a positive number of bytes, got "${String(options.chunkSize)}"`);
      const home = wasmboxHome(io.env);
      const store = await ImageStore.open(home);
      const progress = new LayerProgress(options.quiet ? () => undefined : (t) => io.stderr(t), !!io.stderrIsTerminal);
      const result = await pushImage(store, image, { home, defaultRegistry: await defaultRegistry(io.env, home), tlsVerify: tlsVerifyOf(options), chunkBytes: chunk, progress });
      if (!options.quiet) io.stdout(`${result.tag}: digest: ${result.digest} size: ${result.size}\n`);
    }));
}

/**
 * docker run's implicit pull: when `image` is not in the store (and is not an image id), says
 * `Unable to find image '...' locally` and pulls it; a failed pull ends the command with 125, naming the registry asked.
 */
export async function pullIfMissing(io: CliIo, store: ImageStore, image: string): Promise<void> {
  if (looksLikeImageId(image)) return;
  let local = image;
  try {
    local = normalizeReference(image);
    await store.resolve(image);
    return;
  } catch (error) {
    if (!(error instanceof ImageError) || !error.message.startsWith("no such image")) return;
  }
  io.stderr(`Unable to find image '${local}' locally\n`);
  const home = wasmboxHome(io.env);
  try {
    await pullImage(store, image, { home, defaultRegistry: await defaultRegistry(io.env, home), progress: new LayerProgress((t) => io.stderr(t), !!io.stderrIsTerminal) });
  } catch (error) {
    // docker's words for a failed implicit pull: the error comes "from the daemon", as every image error does.
    if (error instanceof ImageError) throw new CliExit(EXIT_USAGE, `Error response from daemon: ${error.message}`);
    throw error;
  }
}

/** A program of only the registry commands (what `wasmbox pull|push|login|logout|search` loads). */
export function createRegistryCli(io: CliIo): Command {
  const program = new Command("wasmbox").exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  registerRegistryCommands(program, io);
  return program;
}

/** Adds pull, push, login, logout and search to `program`, and pull/push to its `image` group. */
export function registerRegistryCommands(program: Command, io: CliIo): void {
  addPull(program, io);
  addPush(program, io);
  const imageGroup = program.commands.find((c) => c.name() === "image");
  if (imageGroup) {
    addPull(imageGroup, io);
    addPush(imageGroup, io);
  }

  program.command("login [server]").description("log in to a registry (credentials saved in $WASMBOX_HOME/auth.json, mode 0600)")
    .option("-u, --username <name>", "user name")
    .option("-p, --password <password>", "password (prefer --password-stdin: command lines are visible to other users)")
    .option("--password-stdin", "read the password from standard input")
    .option(TLS_VERIFY_FLAG, TLS_VERIFY_HELP)
    .action(async (server: string | undefined, options: Options) => guarded(async () => {
      const home = wasmboxHome(io.env);
      const registry = server ? normalizeServer(server) : await defaultRegistry(io.env, home);
      const username = options.username as string | undefined;
      if (!username) throw new CliExit(EXIT_USAGE, "wasmbox: login: --username is required");
      let password = options.password as string | undefined;
      if (options.passwordStdin) {
        if (password !== undefined) throw new CliExit(EXIT_USAGE, "wasmbox: login: --password and --password-stdin are mutually exclusive");
        if (!io.stdin) throw new CliExit(EXIT_USAGE, "wasmbox: login: --password-stdin but there is no standard input");
        password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
      } else if (password !== undefined) {
        io.stderr("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
      }
      if (!password) throw new CliExit(EXIT_USAGE, "wasmbox: login: a password is required (--password-stdin reads it from standard input)");
      const client = await RegistryClient.connect(registry, home, { tlsVerify: tlsVerifyOf(options), credentials: { username, password } });
      try {
        await client.ping();
      } finally {
        client.close();
      }
      await new CredentialStore(home).save(registry, { username, password });
      io.stdout("Login Succeeded\n");
    }));

  program.command("logout [server]").description("forget the credentials saved for a registry")
    .action(async (server: string | undefined) => guarded(async () => {
      const home = wasmboxHome(io.env);
      const registry = server ? normalizeServer(server) : await defaultRegistry(io.env, home);
      if (await new CredentialStore(home).remove(registry)) io.stdout(`Removing login credentials for ${registry}\n`);
      else io.stdout(`Not logged in to ${registry}\n`);
    }));

  program.command("search <term>").description("search a registry's catalog (/v2/_catalog) for repositories: [HOST[:PORT]/]TERM")
    .option("--limit <n>", "at most this many results", "25")
    .option(TLS_VERIFY_FLAG, TLS_VERIFY_HELP)
    .action(async (term: string, options: Options) => guarded(async () => {
      const home = wasmboxHome(io.env);
      const limit = Number(options.limit);
      if (!Number.isSafeInteger(limit) || limit < 1) throw new CliExit(EXIT_USAGE, `wasmbox: --limit: expected a positive number, got "${String(options.limit)}"`);
      const slash = term.indexOf("/");
      const head = slash < 0 ? "" : term.slice(0, slash);
      const hasHost = head.includes(".") || head.includes(":") || head === "localhost";
      const registry = hasHost ? head : await defaultRegistry(io.env, home);
      const needle = hasHost ? term.slice(slash + 1) : term;
      const client = await RegistryClient.connect(registry, home, { tlsVerify: tlsVerifyOf(options) });
      try {
        const names = (await client.catalog()).filter((name) => name.includes(needle)).slice(0, limit);
        io.stdout(formatTable(["NAME"], names.map((name) => [`${registry}/${name}`])));
      } finally {
        client.close();
      }
    }));
}

/** `https://host:port/v2/` or `host:port` -> `host:port`; docker's index URL -> docker.io. */
function normalizeServer(server: string): string {
  const host = server.replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "");
  if (host === "index.docker.io" || host === "registry-1.docker.io") return DOCKER_HUB;
  parseRemoteReference(`${host}/x`); // throws a clear error for a malformed host
  return host;
}
