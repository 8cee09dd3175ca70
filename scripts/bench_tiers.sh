#!/usr/bin/env bash
# Benchmark (not a test) of the daily job's tier recalculation on SQLite, beside the plain SQL
# recalculation of the same window, in the same run:
#   scripts/bench_tiers.sh [CUSTOMERS] [ORDERS]      (default 1,000,000 and 10,000,000)
# The generated database (about 1.5 GB at full size) goes to a temporary directory, with a copy
# of it (the job changes the db, and a second job run for the same date would skip done steps):
# `job --no-messaging` (the steps before the messages: the tiers-only figure) runs on the
# original, `job` (all steps, messaging included) on the copy.
set -euo pipefail
cd "$(dirname "$0")/.."
CUSTOMERS=${1:-1000000}
ORDERS=${2:-10000000}
scripts/setup.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "generating $CUSTOMERS customers and $ORDERS spend records over 18 months..."
build/tier_bench gen "$work/tiers.db" "$CUSTOMERS" "$ORDERS"
build/tier_bench plain "$work/tiers.db"
cp "$work/tiers.db" "$work/tiers-messaging.db"
build/tier_bench job "$work/tiers.db" --no-messaging
build/tier_bench job "$work/tiers-messaging.db"
rm -f "$work/tiers-messaging.db"
build/tier_bench plain "$work/tiers.db"
