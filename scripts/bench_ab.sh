#!/usr/bin/env bash
# Benchmark (not a test): two builds of `loyalty` side by side, in alternating rounds on the same
# machine, so that their ratio means something on a noisy host. Per round and binary: a fresh
# SQLite database with 1000 customers, POST /v1/orders then GET /v1/customers/{id} under wrk
# (2 threads, 64 connections, $DUR s each).
#   scripts/bench_ab.sh OLD_BINARY NEW_BINARY   (build an old commit with `git worktree add`)
# OLD_ARGS / NEW_ARGS: extra `serve` options per binary (default: --threads 128 for both).
set -euo pipefail
OLD=${1:?usage: scripts/bench_ab.sh OLD_BINARY NEW_BINARY} NEW=${2:?usage: scripts/bench_ab.sh OLD_BINARY NEW_BINARY}
cd "$(dirname "$0")/.."
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
LUA=tests/bench/orders.lua
DUR=${DUR:-6}
cat > "$work/get.lua" <<'L'
local i = 0
function init(args) key = args[1] end
function request()
  i = i + 1
  return wrk.format("GET", "/v1/customers/bc-" .. (i % 1000), {["Authorization"] = "Bearer " .. key})
end
L
OLD_ARGS=${OLD_ARGS:---threads 128}
NEW_ARGS=${NEW_ARGS:---threads 128}
one() {  # one LABEL BIN ARGS
  local label=$1 bin=$2 args=$3 w; w=$(mktemp -d)
  # shellcheck disable=SC2086  # ARGS are words
  $bin serve --demo --db "$w/b.db" --port 0 $args >"$w/out" 2>"$w/err" &
  local pid=$!
  for _ in $(seq 100); do grep -q checkout "$w/out" 2>/dev/null && break; sleep 0.1; done
  local url key; url=$(grep -o 'http://[0-9.:]*' "$w/out" | head -1); key=$(awk '$1 == "checkout" {print $2}' "$w/out")
  for i in $(seq 0 999); do ((i > 0)) && echo next
    printf 'url = "%s/v1/customers/bc-%d"\nrequest = "PUT"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{}"\noutput = "/dev/null"\n' "$url" "$i" "$key"
  done > "$w/c.curl"
  curl -sS --no-progress-meter --parallel --parallel-max 32 -K "$w/c.curl"
  local o g
  o=$(wrk -t2 -c64 -d${DUR}s -s $LUA "$url/v1/orders" -- "r$RANDOM" "$key" 1000 | awk '/Requests\/sec/ {print $2}')
  g=$(wrk -t2 -c64 -d${DUR}s -s "$work/get.lua" "$url" -- "$key" | awk '/Requests\/sec/ {print $2}')
  echo "$label orders/s $o  get/s $g"
  kill -9 $pid; wait $pid 2>/dev/null || true; rm -rf "$w"
}
for _ in 1 2 3; do one old "$OLD" "$OLD_ARGS"; one new "$NEW" "$NEW_ARGS"; done
