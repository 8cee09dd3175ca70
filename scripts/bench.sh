#!/usr/bin/env bash
# Benchmark (not a test): order creation under wrk with 64 keep-alive connections, beside a
# trivial POCO handler and the engine's own /healthz, all in the same run on the same machine.
#   scripts/bench.sh [--db DB]        (default: a fresh SQLite file in a temp directory)
# Environment: DURATION (s, default 10), CONNS (default 64), CUSTOMERS (default 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
CUSTOMERS=${CUSTOMERS:-1000}
DB=""
if [[ "${1:-}" == "--db" ]]; then DB="$2"; fi

scripts/setup.sh --with-test-tools >/dev/null
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
[[ -n "$DB" ]] || DB="$work/bench.db"

wait_for() {  # wait_for FILE PATTERN
  for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: timed out waiting for $2 in $1" >&2; cat "$1" >&2; exit 1
}

build/loyalty serve --demo --db "$DB" --port 0 --threads 128 >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
wait_for "$work/serve.out" "checkout"
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -1)
key=$(awk '$1 == "checkout" {print $2}' "$work/serve.out")
admin=$(awk '$1 == "admin" {print $2}' "$work/serve.out")  # /metrics needs a key (metrics or admin)

# Customers bc-0 .. bc-N, created through the API.
for i in $(seq 0 $((CUSTOMERS - 1))); do
  ((i > 0)) && echo "next"
  printf 'url = "%s/v1/customers/bc-%d"\nrequest = "PUT"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{}"\noutput = "/dev/null"\n' "$url" "$i" "$key"
done >"$work/customers.curl"
curl -sS --no-progress-meter --parallel --parallel-max 32 -K "$work/customers.curl"

build/bench_hello 0 128 >"$work/hello.out" &
pids+=($!)
wait_for "$work/hello.out" "listening"
hello_port=$(awk '{print $3}' "$work/hello.out")

run() {  # run NAME wrk-args...
  local name=$1; shift
  local out="$work/wrk-$(echo "$name" | tr -c 'a-zA-Z0-9' '_').txt"
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" >"$out"
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errs=$(awk '/Non-2xx/ {print $5}' "$out")
  printf '%-28s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}"
}

echo "wrk -t2 -c$CONNS -d${DURATION}s, $(grep -o 'on [a-z]*:' "$work/serve.out" | head -1 | cut -c4- | tr -d :) store, $CUSTOMERS customers"
run "trivial POCO handler" "http://127.0.0.1:$hello_port/"
run "GET /healthz" "$url/healthz"
run "POST /v1/orders" -s tests/bench/orders.lua "$url/v1/orders" -- "b$RANDOM$RANDOM" "$key" "$CUSTOMERS"
curl -s -H "Authorization: Bearer $admin" "$url/metrics" | awk '/^loyalty_commit_batch_size_sum/ {s=$2} /^loyalty_commit_batch_size_count/ {c=$2}
  END {if (c > 0) printf "group commit: %d commands in %d transactions (%.1f per commit)\n", s, c, s / c}'
