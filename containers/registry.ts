// containers/: the runtime's records by id and by name: lookup by id, id prefix or name, fresh ids
// and docker-style names, and the name rules of create and rename.
import { randomBytes } from "node:crypto";
import type { PassThrough } from "node:stream";
import type { LayerEntry, MemFs } from "../kernel/host.js";
import type { HealthMonitor } from "./health.js";
import type { Instance } from "./instance.js";
import type { LogWriter } from "./logs.js";
import type { AttachedNetwork } from "./network.js";
import type { ContainerSpec, ContainerState } from "./spec.js";

/** A failure the caller shows as-is; `status` is the HTTP status the daemon answers with. */
export class RuntimeError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/** One container or VM as the runtime tracks it. */
export interface ContainerRecord {
  spec: ContainerSpec;
  state: ContainerState;
  /** The running instance (a ContainerInstance or a VmInstance, by the spec's kind). */
  live?: Instance;
  /** Settles once the running instance has ended and its end is recorded. */
  done?: Promise<void>;
  /** The saved upper layer of a stopped container (loaded lazily from files). */
  upper?: LayerEntry[];
  /** The upper filesystem of a container that ran here and stopped (reused by start, diff, commit). */
  upperFs?: MemFs;
  /** Settles once a finished container's state and upper are saved. */
  settling?: Promise<void>;
  /** Created or started by this runtime: its state in memory is the truth, not the files. */
  ownedHere?: boolean;
  /** Where its output goes while it runs (files closed at its end). */
  log?: LogWriter;
  /** Set when its removal begins (rm, or --rm at its end); settles once its directory is gone. */
  removal?: Promise<void>;
  /** Runs its HEALTHCHECK while it runs. */
  health?: HealthMonitor;
  /** Its network while it runs (published ports, networks joined): see containers/network.ts. */
  network?: AttachedNetwork;
  /** The restart its policy scheduled (cleared when it fires, or by stop, rm and shutdown). */
  restartTimer?: NodeJS.Timeout;
  /** The wait before its policy's next restart, ms (docker's: from 100, doubled each time, at most a minute). */
  restartDelayMs?: number;
  /** The open standard input of a container the daemon started with -i (docker's OpenStdin): `attach` writes to it. */
  stdin?: PassThrough;
}

const ADJECTIVES = ["brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "keen", "lucid", "merry", "nifty", "proud", "quirky", "sharp", "tender", "vivid", "witty", "zen"];
const NAMES = ["babbage", "curie", "dijkstra", "euler", "feynman", "gauss", "hopper", "knuth", "lovelace", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wozniak"];

/** docker's rule for container names. */
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The records of one runtime, by id and by name. */
export class ContainerRegistry {
  private readonly records = new Map<string, ContainerRecord>();
  /** Container ids by name. */
  private readonly names = new Map<string, string>();
  private pool = Buffer.alloc(0);
  private poolAt = 0;

  /** Every record, in no particular order. */
  all(): IterableIterator<ContainerRecord> {
    return this.records.values();
  }

  /** The record of a full id, if any. */
  get(id: string): ContainerRecord | undefined {
    return this.records.get(id);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  /** A record by full id, unique id prefix, or name (404 when none, 409 when a prefix is ambiguous). */
  find(ref: string): ContainerRecord {
    const name = ref.replace(/^\//, "");
    const exact = this.records.get(ref) ?? this.records.get(this.names.get(name) ?? "");
    if (exact) return exact;
    const matches = [...this.records.values()].filter((r) => ref.length > 0 && r.spec.id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new RuntimeError(`multiple containers match id prefix "${ref}"`, 409);
    throw new RuntimeError(`No such container: ${ref}`, 404);
  }

  add(record: ContainerRecord): void {
    this.records.set(record.spec.id, record);
    this.names.set(record.spec.name, record.spec.id);
  }

  delete(record: ContainerRecord): void {
    this.records.delete(record.spec.id);
    if (this.names.get(record.spec.name) === record.spec.id) this.names.delete(record.spec.name);
  }

  /** The name a create asks for, checked (valid and free), or a fresh one. */
  nameForCreate(asked: string | undefined): string {
    const name = asked ?? this.freshName();
    checkName(name);
    if (this.names.has(name)) throw new RuntimeError(`Conflict. The container name "/${name}" is already in use by another container.`, 409);
    return name;
  }

  /** Gives a record a new name (valid, free and not its own); returns the old one. */
  rename(record: ContainerRecord, newName: string): string {
    const name = newName.replace(/^\//, "");
    checkName(name);
    if (name === record.spec.name) throw new RuntimeError(`Renaming a container with the same name as its current name`, 409);
    const holder = this.names.get(name);
    if (holder !== undefined) throw new RuntimeError(`Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`, 409);
    const oldName = record.spec.name;
    this.names.delete(oldName);
    record.spec = { ...record.spec, name };
    this.names.set(name, record.spec.id);
    return oldName;
  }

  /** A fresh container id: 64 hex digits. */
  newId(): string {
    return this.randomHex(32);
  }

  /** `n` random bytes as hex, from a pool refilled 4 KiB at a time (one randomBytes call per many containers). */
  private randomHex(n: number): string {
    const at = this.take(n);
    return this.pool.toString("hex", at, at + n);
  }

  private randomByte(): number {
    return this.pool[this.take(1)]!;
  }

  /** Where the next `n` unused bytes of the pool start. */
  private take(n: number): number {
    if (this.poolAt + n > this.pool.length) {
      this.pool = randomBytes(4096);
      this.poolAt = 0;
    }
    this.poolAt += n;
    return this.poolAt - n;
  }

  /** A docker-style adjective_name not in use (with a random suffix once many are taken). */
  private freshName(): string {
    for (;;) {
      const pick = (list: string[]) => list[this.randomByte() % list.length]!;
      const name = `${pick(ADJECTIVES)}_${pick(NAMES)}${this.records.size > 200 ? "_" + this.randomHex(2) : ""}`;
      if (!this.names.has(name)) return name;
    }
  }
}

function checkName(name: string): void {
  if (!VALID_NAME.test(name)) throw new RuntimeError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
}
