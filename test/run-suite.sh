#!/bin/sh
# `npm test`: the linter beside the build (they share nothing, and use a core each), the guests' check,
# then the whole suite on the pinned Node and its engine-dependent folders on the machine's Node.
set -eu
seconds() { date +%s; }
started=$(seconds)
npm run -s lint &
lint=$!
npm run build
npm run build:guests -- --check
wait "$lint"
built=$(seconds)
npm run test:pinned
pinned=$(seconds)
npm run test:host-node
ended=$(seconds)
echo "npm test: lint and build $((built - started)) s, pinned Node $((pinned - built)) s, machine's Node $((ended - pinned)) s"
