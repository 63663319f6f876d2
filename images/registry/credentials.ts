// images/registry: the credentials `wasmbox login` saves, in `$WASMBOX_HOME/auth.json` (docker's
// config.json `auths` format, file mode 0600). Passwords are stored base64-encoded as docker does, never printed.
import { chmod, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ImageError } from "../errors.js";
import { writeFileAtomic } from "../fs-atomic.js";
import { DOCKER_HUB } from "../reference.js";
import type { Credentials } from "./http.js";

interface AuthFile {
  auths: Record<string, { auth?: string }>;
}

/** The registries' credentials of one wasmbox home. */
export class CredentialStore {
  readonly path: string;

  constructor(home: string) {
    this.path = join(home, "auth.json");
  }

  /** The saved credentials for `registry`, if any (docker.io also under its index URL). */
  async get(registry: string): Promise<Credentials | undefined> {
    const file = await this.read();
    const entry = file.auths[registry] ?? (registry === DOCKER_HUB ? file.auths["https://index.docker.io/v1/"] : undefined);
    if (!entry?.auth) return undefined;
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new ImageError(`${this.path}: the entry for ${registry} is not user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }

  /** Saves credentials for `registry` (replacing any), file mode 0600. */
  async save(registry: string, credentials: Credentials): Promise<void> {
    const file = await this.read();
    file.auths[registry] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") };
    await this.write(file);
  }

  /** Forgets `registry`'s credentials; false when there were none. */
  async remove(registry: string): Promise<boolean> {
    const file = await this.read();
    if (!(registry in file.auths)) return false;
    delete file.auths[registry];
    await this.write(file);
    return true;
  }

  private async read(): Promise<AuthFile> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { auths: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<AuthFile>;
      return { ...parsed, auths: parsed.auths ?? {} };
    } catch {
      throw new ImageError(`${this.path} is not valid JSON; fix or remove it`);
    }
  }

  private async write(file: AuthFile): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(file, null, 2) + "\n", 0o600);
    await chmod(this.path, 0o600);
  }
}
