#!/usr/bin/env node
// `node dist/cli/bin.js` (and `tsx cli/bin.ts` from sources), as before the bin became wasmbox.cts:
// runs it. The installed `wasmbox` starts wasmbox.cjs directly, without Node's ES module loader.
import "./wasmbox.cjs";
