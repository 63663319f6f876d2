// ESLint (flat config, typescript-eslint): the rules this code keeps, and the kernel's boundary:
// outside kernel/, code imports the kernel only through kernel/index.ts (public), kernel/host.ts (container
// hosts) or kernel/core.ts (host.ts's lean part, for what a CLI module run loads).
import tseslint from "typescript-eslint";

/** An import of any file under kernel/ except its three entries, from a folder beside kernel/ (any depth). */
const KERNEL_INTERNALS = "^(\\.\\./)+kernel/(?!(index|host|core)\\.js$)";

const BOUNDARY_MESSAGE = "Import the kernel through kernel/index.js (public), kernel/host.js (container hosts) or kernel/core.js (what a module run loads); white-box tests are listed in eslint.config.js with a reason.";

/**
 * Tests that exercise kernel internals on purpose, each with its reason. Nothing else outside
 * kernel/ may import past the entries.
 */
const WHITE_BOX_TESTS = [
  // Drives one process's syscalls directly: binds the table (engines/imports) over a GuestMemory.
  "test/helpers/live-process.ts",
  // Pipes and open files as objects: capacity, wake-ups and rights that no guest can observe alone.
  "test/proc/processes.test.ts",
  // The load-time rewrite itself (module-rewrite): what it adds and what it leaves.
  "test/proc/preemption.test.ts",
  "test/proc/instance-reuse.test.ts",
  "test/kernel/rewrite-in-place.test.ts",
  "test/kernel/loop-outlining.test.ts",
  // Hostile and random arguments straight into the dispatchers, the ABI decoder and its limits.
  "test/kernel/robustness.test.ts",
  "test/kernel/fuzz.test.ts",
  "test/kernel/hostile.test.ts",
  // The host filesystem's open files and vnodes, under the syscalls and beside them.
  "test/kernel/hostfs.test.ts",
  // The fast path's generated dispatcher and its promotion count (engines/fast-io), against the JS handler.
  "test/kernel/fast-host-io.test.ts",
  // The syscall dispatchers' keys and sources (syscalls/table) against the ones built into the CLI's bundle.
  "test/kernel/prebuilt-dispatchers.test.ts",
  // VM disks built from layers (buildRoot, copyLayers), checked without booting a guest.
  "test/vm/vm.test.ts",
  // The edits to jco's transpiled glue (component/glue-patch) and the direct write path they call.
  "test/component/glue-patch.test.ts",
];

/** Developers' benchmarks that time kernel internals directly. */
const WHITE_BOX_BENCHMARKS = [
  // Pipe throughput measured on the Pipe object, without guests.
  "bench/kernel.ts",
];

/** Build scripts that write kernel internals into the build. */
const WHITE_BOX_BUILD = [
  // Writes the syscall table's dispatcher factories (syscalls/table) into the CLI's bundle.
  "cli/build-bundle.ts",
];

export default tseslint.config(
  {
    ignores: [
      "dist/**", "node_modules/**", "userland/build/**", "images/build/**",
      // AssemblyScript, not TypeScript: compiled by asc, not by tsc.
      "userland/lib/**", "userland/bin/**", "test/guests/**", "bench/guests/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    // The layout, as a formatter keeps it (`npm run format` fixes it): ESLint's own layout rules.
    rules: {
      semi: ["error", "always"],
      quotes: ["error", "double", { avoidEscape: true, allowTemplateLiterals: true }],
      "comma-dangle": ["error", "always-multiline"],
      "brace-style": ["error", "1tbs", { allowSingleLine: true }],
      "no-multiple-empty-lines": ["error", { max: 1 }],
      "object-curly-spacing": ["error", "always"],
      "padded-blocks": ["error", "never"],
      "space-before-function-paren": ["error", { anonymous: "always", named: "never", asyncArrow: "always" }],
      ...Object.fromEntries([
        "no-trailing-spaces", "eol-last", "no-tabs", "no-mixed-spaces-and-tabs", "linebreak-style", "unicode-bom",
        "space-infix-ops", "space-unary-ops", "keyword-spacing", "comma-spacing", "semi-spacing", "key-spacing",
        "arrow-spacing", "space-before-blocks", "block-spacing", "array-bracket-spacing", "computed-property-spacing",
        "template-curly-spacing", "rest-spread-spacing", "no-whitespace-before-property", "new-parens",
      ].map((rule) => [rule, "error"])),
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Comma expressions read and skip fields of the Wasm binary format in one line (cli/invoke.ts).
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
  {
    files: ["containers/**/*.ts", "cli/**/*.ts", "bench/**/*.ts", "images/**/*.ts", "userland/*.ts", "test/**/*.ts"],
    ignores: [...WHITE_BOX_TESTS, ...WHITE_BOX_BENCHMARKS, ...WHITE_BOX_BUILD],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", {
        patterns: [{
          regex: KERNEL_INTERNALS,
          message: BOUNDARY_MESSAGE,
        }],
      }],
      "no-restricted-syntax": ["error", {
        selector: `ImportExpression[source.value=/${KERNEL_INTERNALS.replaceAll("/", "\\/")}/]`,
        message: BOUNDARY_MESSAGE,
      }],
    },
  },
);
