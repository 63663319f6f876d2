#!/bin/sh
# `npm test`: the build's independent parts side by side (the userland then the images on one core; the
# linter, tsc and the guests' check on the other), then the whole suite on the pinned Node and, beside
# it, its engine-dependent folders on the machine's Node.
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
# The two runs side by side: much of a test's time is spent waiting (on daemons, child processes, VMs
# booting, sleeps), so the machine's Node fills the cores the pinned run leaves idle. Its output is
# printed once it ended, after the pinned run's.
host_log=$(mktemp "${TMPDIR:-/tmp}/wasmbox-host-node-run.XXXXXX")
trap 'rm -f "$host_log" "$host_log.end"' EXIT
(
  status=0
  npm run test:host-node >"$host_log" 2>&1 || status=$?
  echo "$status $(seconds)" >"$host_log.end"
) &
host=$!
# The daemons that the pinned run's tests start, and their CLI processes, come from the build just made
# (tsx would compile the sources again in each one); a test file run by hand still starts them from source.
pinned_status=0
WASMBOX_DAEMON_COMMAND=$(npm exec -- node -e 'console.log(JSON.stringify([process.execPath, require("node:path").resolve("dist/cli/bin.js"), "daemon"]))') \
  npm run test:pinned || pinned_status=$?
pinned=$(seconds)
wait "$host" || true
cat "$host_log"
read -r host_status host_ended <"$host_log.end"
echo "npm test: lint and build $((built - started)) s, pinned Node $((pinned - built)) s, machine's Node $((host_ended - built)) s (beside it), in all $(($(seconds) - started)) s"
[ "$pinned_status" -eq 0 ] && [ "$host_status" -eq 0 ]
