// cli/commands: the image commands (build, images, inspect, history, tag, rmi, save, load, import, and the
// `image` group with ls/prune/...). Thin: parse, call images/ (rmi and prune: the daemon, which knows
// the containers), print in docker's formats; ImageError and the daemon's refusals -> CliExit.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { loadArchive, saveImages } from "../../images/archive.js";
import { buildImage, type BuildRunner } from "../../images/builder.js";
import { ImageError } from "../../images/errors.js";
import { formatTable, historyRows, humanSize, imageRows, inspectImage } from "../../images/format.js";
import { applyFormat } from "../go-template.js";
import { importWasmModule } from "../../images/import-wasm.js";
import { componentWorld, imageComponentWorld } from "../../images/component-world.js";
import { shortId } from "../../images/oci.js";
import { ImageStore, wasmboxHome, type StoredImage } from "../../images/store.js";
import { RepoDigests } from "../../images/registry/repo-digests.js";
import { connectDaemon, DaemonError, type DaemonClient } from "../../containers/client.js";
import type { ImageDeleteItem } from "../../containers/images.js";
import { CliExit, type CliIo } from "../io.js";
import { isComponent } from "../../kernel/host.js";

/** What the image commands need from the rest of wasmbox: a RUN executor, asked for only when a build RUNs. */
export interface ImageCommandDeps {
  buildRunner(): Promise<BuildRunner>;
}

type Options = Record<string, unknown>;

/** One command, declared as data, registrable at the top level and under `image`. */
interface ImageCommandSpec {
  names: { top?: string; image?: string };
  usage: string;
  description: string;
  options?: [flags: string, description: string, collect?: boolean][];
  run(args: string[], options: Options, context: { io: CliIo; store: () => Promise<ImageStore>; deps: ImageCommandDeps }): Promise<void>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const COMMANDS: ImageCommandSpec[] = [
  {
    names: { top: "build", image: "build" },
    usage: "<context>",
    description: "build an image from a Containerfile",
    options: [
      ["-t, --tag <name>", "name and optionally a tag (NAME[:TAG]); repeatable", true],
      ["-f, --file <path>", "the Containerfile (default CONTEXT/Containerfile)"],
      ["--build-arg <key=value>", "set a build-time variable; repeatable", true],
      ["--target <stage>", "build only up to this stage (FROM ... AS STAGE) and what it needs"],
      ["--no-cache", "do not use the layer cache"],
      ["--gzip", "store new layers gzip-compressed"],
      ["-q, --quiet", "print only the image id (as images shows it)"],
    ],
    async run([contextArg], options, { io, store, deps }) {
      const buildArgs: Record<string, string> = {};
      for (const pair of (options.buildArg as string[] | undefined) ?? []) {
        const eq = pair.indexOf("=");
        const value = eq < 0 ? io.env[pair] : pair.slice(eq + 1);
        if (value !== undefined) buildArgs[eq < 0 ? pair : pair.slice(0, eq)] = value;
      }
      const lazyRunner: BuildRunner = { run: async (request) => (await deps.buildRunner()).run(request) };
      const result = await buildImage(await store(), {
        contextDir: resolve(io.cwd, contextArg!),
        containerfile: options.file ? resolve(io.cwd, options.file as string) : undefined,
        tags: (options.tag as string[] | undefined) ?? [],
        buildArgs,
        target: options.target as string | undefined,
        noCache: options.cache === false,
        gzip: !!options.gzip,
        runner: lazyRunner,
        write: options.quiet ? undefined : (text) => io.stdout(text),
      });
      // The id as `images` shows it.
      if (options.quiet) io.stdout(shortId(result.image.id) + "\n");
    },
  },
  {
    names: { top: "images", image: "ls" },
    usage: "[repository]",
    description: "list images (with --verify: check the whole store)",
    options: [["-q, --quiet", "only show image ids"], ["--verify", "verify every blob and image of the store"], ["--no-trunc", "show full image ids"]],
    async run([repository], options, { io, store }) {
      const imageStore = await store();
      if (options.verify) {
        const report = await imageStore.verify();
        for (const problem of report.problems) io.stderr(`wasmbox: ${problem}\n`);
        if (report.problems.length) throw new CliExit(1, `wasmbox: store ${imageStore.root}: ${report.problems.length} problem(s) in ${report.images} images, ${report.blobs} blobs`);
        io.stdout(`store ${imageStore.root}: ${report.images} images, ${report.blobs} blobs verified, no problems\n`);
        return;
      }
      let images = await imageStore.listImages();
      if (repository) images = images.filter((image) => image.refs.some((ref) => ref.slice(0, ref.lastIndexOf(":")) === repository)).map((image) => ({ ...image, refs: image.refs.filter((ref) => ref.startsWith(repository + ":")) }));
      let rows = imageRows(images);
      if (options.trunc === false) rows = rows.map((row) => row.map((cell, i) => (i === 2 ? images.find((image) => shortId(image.id) === cell)!.id : cell)));
      if (options.quiet) io.stdout([...new Set(rows.map((row) => row[2]))].map((id) => id + "\n").join(""));
      else io.stdout(formatTable(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows));
    },
  },
  {
    // The top-level inspect is containers.ts's: a container when one has the name, else this.
    names: { image: "inspect" },
    usage: "<image...>",
    description: "show the configuration of images as JSON",
    options: [["-f, --format <template>", "print only fields, e.g. {{.Id}} or {{json .Config}}"]],
    async run(names, options, { io, store }) {
      const imageStore = await store();
      const details = [];
      const repoDigests = new RepoDigests(wasmboxHome(io.env));
      for (const name of names) details.push(await inspectDetail(imageStore, repoDigests, name, io.cwd));
      if (options.format) for (const detail of details) io.stdout(applyFormat(options.format as string, detail) + "\n");
      else io.stdout(JSON.stringify(details, null, 4) + "\n");
    },
  },
  {
    names: { top: "history", image: "history" },
    usage: "<image>",
    description: "show how an image was built, layer by layer",
    options: [["--no-trunc", "do not truncate output"], ["-q, --quiet", "only show image ids"]],
    async run([name], options, { io, store }) {
      const rows = historyRows(await (await store()).resolve(name!), { noTrunc: options.trunc === false });
      if (options.quiet) io.stdout(rows.map((row) => row[0] + "\n").join(""));
      else io.stdout(formatTable(["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], rows));
    },
  },
  {
    names: { top: "tag", image: "tag" },
    usage: "<source> <target>",
    description: "give an image another NAME[:TAG]",
    async run([source, target], _options, { store }) {
      const imageStore = await store();
      const image = await imageStore.resolve(source!);
      await imageStore.tagImage(image.manifestDigest, image.manifestSize, [target!]);
    },
  },
  {
    names: { top: "rmi", image: "rm" },
    usage: "<image...>",
    description: "remove images (untag; delete when no tag is left)",
    options: [["-f, --force", "remove an image id even when several tags point at it"]],
    async run(names, options, { io }) {
      // Which containers use an image is the daemon's to say (docker's DELETE /images/NAME: 409 when one does).
      const client = await daemonOf(io);
      for (const name of names) {
        const items = await client.json<ImageDeleteItem[]>("DELETE", `/images/${encodeURIComponent(name)}`, { query: { force: !!options.force } });
        for (const item of items) io.stdout("Untagged" in item ? `Untagged: ${item.Untagged}\n` : `Deleted: ${item.Deleted}\n`);
      }
    },
  },
  {
    names: { top: "save", image: "save" },
    usage: "<image...>",
    description: "write images to an OCI archive (docker load reads it too), to standard output without -o",
    options: [["-o, --output <file>", "the archive to write (default: standard output)"]],
    async run(names, options, { io, store }) {
      if (options.output) return void (await saveImages(await store(), names, resolve(io.cwd, options.output as string)));
      if (io.stdoutIsTerminal) throw new CliExit(1, "wasmbox: save: cowardly refusing to save to a terminal. Use the -o flag or redirect");
      await withScratch(async (dir) => {
        const file = join(dir, "images.tar");
        await saveImages(await store(), names, file);
        for await (const chunk of createReadStream(file)) io.stdout(chunk as Buffer);
      });
    },
  },
  {
    names: { top: "load", image: "load" },
    usage: "",
    description: "load images from an OCI archive or a docker save archive, from standard input without -i",
    options: [["-i, --input <file>", "the archive to read (default: standard input)"], ["-q, --quiet", "print nothing"]],
    async run(_args, options, { io, store }) {
      const report = (images: StoredImage[]) => {
        if (options.quiet) return;
        for (const image of images) {
          if (image.refs.length === 0) io.stdout(`Loaded image ID: ${image.id}\n`);
          for (const ref of image.refs) io.stdout(`Loaded image: ${ref}\n`);
        }
      };
      if (options.input) return report(await loadArchive(await store(), resolve(io.cwd, options.input as string)));
      if (!io.stdin || io.stdin.isTTY) throw new CliExit(1, "wasmbox: load: requested load from stdin, but stdin is a terminal (use -i FILE or redirect)");
      const input = io.stdin;
      await withScratch(async (dir) => {
        const file = join(dir, "stdin.tar");
        await pipeline(input, createWriteStream(file));
        const { size } = await stat(file);
        if (size === 0) throw new CliExit(1, "wasmbox: load: requested load from stdin, but stdin is empty");
        report(await loadArchive(await store(), file));
      });
    },
  },
  {
    names: { top: "import", image: "import" },
    usage: "<module> <name>",
    description: "make a one-module image from MODULE.wasm whose entrypoint runs it",
    async run([modulePath, name], _options, { io, store }) {
      const image = await importWasmModule(await store(), resolve(io.cwd, modulePath!), name!);
      io.stdout(image.id + "\n");
    },
  },
  {
    names: { image: "prune" },
    usage: "",
    description: "remove dangling images and unreferenced blobs",
    options: [["-f, --force", "do not prompt (wasmbox never prompts)"], ["-a, --all", "remove every image no container uses, not only dangling ones"], ["--build-cache", "also drop the build cache"]],
    async run(_args, options, { io }) {
      const result = await pruneImagesThroughDaemon(await daemonOf(io), { all: !!options.all, buildCache: !!options.buildCache });
      if (result.ImagesDeleted.length) io.stdout("Deleted Images:\n" + result.ImagesDeleted.map((item) => `deleted: ${item.Deleted}\n`).join("") + "\n");
      io.stdout(`Total reclaimed space: ${humanSize(result.SpaceReclaimed)}\n`);
    },
  },
];

/** Runs `work` with a private scratch directory (an archive passing through standard input or output), removed after. */
async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "wasmbox-archive-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The daemon of the CLI's home (started when none runs, as for `ps`): it knows which containers use which image. */
async function daemonOf(io: CliIo): Promise<DaemonClient> {
  const home = wasmboxHome(io.env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return connectDaemon(home, io.env);
}

/** docker's POST /images/prune (`dangling=false`: every image no container uses), with wasmbox's `buildcache=1`; `system prune` calls it too. */
export function pruneImagesThroughDaemon(client: DaemonClient, options: { all: boolean; buildCache: boolean }): Promise<{ ImagesDeleted: { Deleted: string }[]; SpaceReclaimed: number }> {
  const filters = options.all ? JSON.stringify({ dangling: ["false"] }) : undefined;
  return client.json("POST", "/images/prune", { query: { filters, buildcache: options.buildCache } });
}

function register(parent: Command, name: string, spec: ImageCommandSpec, io: CliIo, deps: ImageCommandDeps): void {
  const command = parent.command(`${name}${spec.usage ? " " + spec.usage : ""}`).description(spec.description);
  for (const [flags, description, repeatable] of spec.options ?? []) {
    if (repeatable) command.option(flags, description, collect);
    else command.option(flags, description);
  }
  let opened: Promise<ImageStore> | undefined;
  const store = () => (opened ??= ImageStore.openFor(io.env));
  command.action(async (...received: unknown[]) => {
    const options = received.at(-2) as Options;
    const args = received.slice(0, -2).flatMap((arg) => (Array.isArray(arg) ? (arg as string[]) : arg === undefined ? [] : [arg as string]));
    try {
      await spec.run(args, options, { io, store, deps });
    } catch (error) {
      if (error instanceof ImageError || error instanceof DaemonError) throw new CliExit(1, `Error response from daemon: ${error.message}`);
      throw error;
    }
  });
}

/** Adds the image commands to `program`: top-level ones (build, images, rmi, ...) and the `image` group. */
export function registerImageCommands(program: Command, io: CliIo, deps: ImageCommandDeps): void {
  const imageGroup = program.command("image").description("manage images");
  for (const spec of COMMANDS) {
    if (spec.names.top) register(program, spec.names.top, spec, io, deps);
    if (spec.names.image) register(imageGroup, spec.names.image, spec, io, deps);
  }
  imageGroup.commands.find((c) => c.name() === "ls")?.alias("list");
}

/**
 * What `inspect NAME` shows: an image's JSON, with its world (Component) when its entry point is a
 * WebAssembly component; for a path to a .wasm component file, the file and its world.
 */
async function inspectDetail(store: ImageStore, repoDigests: RepoDigests, name: string, cwd: string): Promise<Record<string, unknown>> {
  const file = resolve(cwd, name);
  if (/\.wasm$/i.test(name) && existsSync(file)) {
    const bytes = readFileSync(file);
    if (!isComponent(bytes)) throw new CliExit(1, `wasmbox: inspect: ${name}: not a WebAssembly component (a core module has no world)`);
    return { File: file, Component: await componentWorld(bytes) };
  }
  const image = await store.resolve(name);
  const world = await imageComponentWorld(store, image);
  const detail = inspectImage(image, await repoDigests.of(image.id));
  return world ? { ...detail, Component: world } : detail;
}
