#!/usr/bin/env bash
# Benchmark (not a test): the same wrk load (scripts/bench.sh: order creation, 64 keep-alive
# connections) against SQLite and against MySQL, one after the other in one run on the same
# machine, so the two figures can be put side by side. MySQL is a private MariaDB started for
# the run (scripts/mariadb.sh: own data directory and port, fsync on every commit like SQLite's
# synchronous=FULL) and removed afterwards; `loyalty serve` uses its default --writers (4).
#   scripts/bench_stores.sh            Environment: as scripts/bench.sh (DURATION, CONNS, CUSTOMERS)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools >/dev/null

LOYALTY_MARIADB_DIR=$(mktemp -d /tmp/loyalty-mariadb-bench.XXXXXX)
port=$((34310 + $$ % 1000))
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export LOYALTY_MARIADB_DIR LOYALTY_MARIADB_PORT=$port
cleanup() {
  scripts/mariadb.sh stop >/dev/null 2>&1 || true
  rm -rf "$LOYALTY_MARIADB_DIR"
}
trap cleanup EXIT
scripts/mariadb.sh start >/dev/null
password=${LOYALTY_MARIADB_PASSWORD:-loyalty-test}
user=${LOYALTY_MARIADB_USER:-loyalty}
MYSQL_PWD=$password mariadb -h127.0.0.1 -P"$port" -u"$user" -e \
  "DROP DATABASE IF EXISTS loyalty_bench;
   CREATE DATABASE loyalty_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

echo "== $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); wrk, loyalty and the database share them"
echo "== SQLite (WAL, synchronous=FULL, 1 writer)"
scripts/bench.sh
echo
echo "== MySQL: $(mariadb --version | grep -o "[0-9]*\.[0-9]*\.[0-9]*-MariaDB" | head -1)" \
  "(InnoDB, innodb_flush_log_at_trx_commit=1, 4 writers)"
LOYALTY_DB_PASSWORD=$password scripts/bench.sh --db "mysql://$user@127.0.0.1:$port/loyalty_bench"
