#!/bin/sh
# `npm test`: the build's independent parts side by side (the userland then the images on one core; the
# linter, tsc and the guests' check on the other), then the whole suite on the pinned Node and its
# engine-dependent folders on the machine's Node.
set -eu
seconds() { date +%s; }
started=$(seconds)
# The userland's AssemblyScript compile is the longest part (about half of the build's CPU time); the
# images are built from it. Nothing else reads either, so they run beside the rest.
(npm run -s build:userland && npm run -s build:images) &
userland=$!
npm run -s lint &
lint=$!
npm run -s build:guests -- --check &
guests=$!
npm run -s build:ts
wait "$userland"
wait "$guests"
wait "$lint"
built=$(seconds)
# The daemons that the pinned run's tests start, and their CLI processes, come from the build just made
# (tsx would compile the sources again in each one); a test file run by hand still starts them from source.
WASMBOX_DAEMON_COMMAND=$(npm exec -- node -e 'console.log(JSON.stringify([process.execPath, require("node:path").resolve("dist/cli/bin.js"), "daemon"]))') \
  npm run test:pinned
pinned=$(seconds)
npm run test:host-node
ended=$(seconds)
echo "npm test: lint and build $((built - started)) s, pinned Node $((pinned - built)) s, machine's Node $((ended - pinned)) s"
