// test/containers: the options module (containers/options.ts), table-driven: every flag's key is
// commander's, every value is checked by its kind, and each bad value gives one SpecError naming its flag.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import {
  checkCreateOptions, CREATE_FLAGS, createOptionsFrom, envEntry, EXEC_FLAGS, execFlagsFrom, execOptionsOf, mergeEnv,
  parseVmCpus, parseVmMemoryMb, specFromOptions, type CreateOptions,
} from "../../containers/options.js";
import { SpecError } from "../../containers/spec.js";

const context = { cwd: "/", env: { HOME: "/root" }, syscallNames: ["fd_write", "proc_exit", "proc_spawn"] };

describe("the flag tables", () => {
  it("name each option by commander's key for its flag, and give it commander's kind", () => {
    for (const flag of [...CREATE_FLAGS, ...EXEC_FLAGS]) {
      const command = new Command().option(flag.flags, flag.description);
      const option = command.options[0]!;
      expect(option.attributeName(), flag.flags).toBe(flag.key);
      expect(flag.kind === "boolean", flag.flags).toBe(!option.required && !option.optional);
    }
  });

  it("parse commander's values into typed options, checking each value's kind and leaving other keys out", () => {
    const program = new Command().exitOverride();
    for (const { flags, description, kind } of CREATE_FLAGS) {
      if (kind === "strings") program.option(flags, description, (v: string, previous: string[] = []) => [...previous, v]);
      else program.option(flags, description);
    }
    program.option("-d, --detach", "run's own");
    program.parse(["-d", "-e", "A=1", "-e", "B", "--memory", "8m", "--no-init", "--rm"], { from: "user" });
    expect(createOptionsFrom(program.opts())).toEqual({ env: ["A=1", "B"], memory: "8m", init: false, rm: true, healthcheck: true });
    expect(() => createOptionsFrom({ memory: 8 })).toThrow(/option memory must be a string/);
    expect(() => createOptionsFrom({ env: "A=1" })).toThrow(/option env must be a list of strings/);
    expect(() => createOptionsFrom({ rm: "yes" })).toThrow(/option rm must be a boolean/);
    // The daemon's JSON body: strict about keys.
    expect(() => checkCreateOptions({ detach: true })).toThrow(/unknown option: detach/);
    expect(checkCreateOptions({ name: "x", label: null })).toEqual({ name: "x" });
  });
});

/** Each bad value and the one line it gives, whatever path (run, run -d, create, run --vm) parses it. */
const BAD_VALUES: Array<[CreateOptions, RegExp]> = [
  [{ memory: "lots" }, /^--memory lots: expected a size such as 512k, 64m or 1g$/],
  [{ pidsLimit: "-1" }, /^--pids-limit -1: expected a whole number$/],
  [{ cpus: "0" }, /^--cpus 0: expected a positive number$/],
  [{ cpus: "two" }, /^--cpus two: expected a positive number$/],
  [{ cpuTime: "soon" }, /^--cpu-time soon: expected a duration/],
  [{ engine: "turbo" }, /^--engine turbo: expected auto, inline or worker$/],
  [{ syscallErrno: "EIO" }, /^--syscall-errno EIO: expected ENOSYS or EPERM$/],
  [{ stopSignal: "SIGNOPE" }, /^invalid signal: SIGNOPE$/],
  [{ restart: "sometimes" }, /^invalid restart policy 'sometimes'/],
  [{ restart: "always", rm: true }, /^conflicting options: --restart and --rm$/],
  [{ ulimit: ["nproc=5"] }, /^--ulimit nproc=5: only nofile=N\[:M\] is supported$/],
  [{ volume: ["/a:b"] }, /^-v \/a:b: the guest path must be absolute$/],
  [{ logOpt: ["max-size=1k"] }, /^--log-opt max-size: at least 4k$/],
  [{ vmMemory: "64m" }, /^--vm-memory and --vm-cpus need --vm$/],
  [{ vm: true, vmMemory: "1t" }, /^--vm-memory 1t: expected a size such as 512k, 64m or 1g$/],
  [{ vm: true, vmMemory: "8m" }, /^--vm-memory 8m: a VM needs at least 16m$/],
  [{ vm: true, vmCpus: "0" }, /^--vm-cpus 0: expected a whole number from 1 to 64$/],
  [{ vm: true, vmCpus: "1.5" }, /^--vm-cpus 1.5: expected a whole number from 1 to 64$/],
  [{ vm: true, memory: "8m" }, /^--memory \(use --vm-memory\) is not supported with --vm/],
  [{ vm: true, publish: ["53:53/udp"] }, /^-p 53:53\/udp: a VM's ports are published over TCP only$/],
  [{ healthInterval: "often" }, /^--health-interval often: /],
];

describe("specFromOptions", () => {
  it.each(BAD_VALUES)("refuses %j with one SpecError naming the flag", (options, message) => {
    expect(() => specFromOptions(options, context)).toThrow(SpecError);
    expect(() => specFromOptions(options, context)).toThrow(message);
  });

  it.each<[CreateOptions, Record<string, unknown>]>([
    [{}, { kind: "container", engine: "auto", stopTimeout: 10, stopSignal: "SIGTERM", init: true, limits: {} }],
    [{ cpus: "0.5" }, { limits: { cpuShares: 512 } }],
    [{ cpus: ".001" }, { limits: { cpuShares: 2 } }],
    [{ memory: "64m", pidsLimit: "5" }, { limits: { memoryBytes: 64 << 20, pids: 5 } }],
    [{ vm: true }, { kind: "vm", vm: { memoryMb: 256, cpus: 1 } }],
    [{ vm: true, vmMemory: "1g", vmCpus: "4", interactive: true }, { kind: "vm", vm: { memoryMb: 1024, cpus: 4 }, interactive: true }],
    [{ restart: "on-failure:3" }, { restart: { name: "on-failure", maximumRetryCount: 3 } }],
    [{ env: ["A=1", "HOME", "NOPE", "A=2"] }, { env: ["A=2", "HOME=/root"] }],
  ])("parses %j", (options, expected) => {
    expect(specFromOptions(options, context)).toMatchObject(expected);
  });

  it("has one VM size and CPU parser (bench compare and --vm alike)", () => {
    expect(parseVmMemoryMb("96")).toBe(96);
    expect(parseVmMemoryMb("1.5GiB")).toBe(1536);
    expect(parseVmCpus("2")).toBe(2);
    expect(() => parseVmCpus("65")).toThrow(SpecError);
  });
});

describe("environment", () => {
  it("has one rule for -e: K=V as given, a bare K from the caller or left out", () => {
    expect(envEntry("A=1", {})).toBe("A=1");
    expect(envEntry("A=", {})).toBe("A=");
    expect(envEntry("USER", { USER: "me" })).toBe("USER=me");
    expect(envEntry("USER", {})).toBeUndefined();
    expect(mergeEnv(["PATH=/bin", "A=1"], ["A=2", "B=3"])).toEqual(["PATH=/bin", "A=2", "B=3"]);
  });

  it("resolves exec's -e as run's", () => {
    const flags = execFlagsFrom({ env: ["A=1", "USER"], tty: true, workdir: "/tmp", other: 1 });
    expect(execOptionsOf(flags, { USER: "me" })).toEqual({ env: ["A=1", "USER=me"], tty: true, interactive: false, workdir: "/tmp" });
  });
});
