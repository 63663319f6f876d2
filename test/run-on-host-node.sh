#!/bin/sh
# Runs vitest on the machine's own Node (not the pinned one npm puts first on PATH), so the
# worker-engine fallback is tested wherever that Node lacks JSPI. `npm test` runs it with
# vitest.host-node.config.ts: only the folders whose tests depend on the engine or on that Node.
set -eu
host_node=""
old_ifs=$IFS
IFS=:
for dir in $PATH; do
  case "$dir" in *node_modules*) continue ;; esac
  if [ -x "$dir/node" ]; then host_node="$dir/node"; break; fi
done
IFS=$old_ifs
if [ -z "$host_node" ]; then
  echo "run-on-host-node: no Node on PATH outside node_modules" >&2
  exit 1
fi
echo "host Node: $host_node $("$host_node" --version)"
exec "$host_node" node_modules/vitest/vitest.mjs run "$@"
