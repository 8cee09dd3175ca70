#!/usr/bin/env bash
# One command for every test: installs what is missing, builds, starts a private MariaDB (its
# own data directory and port, removed afterwards), runs the unit, store, API, randomized and
# MySQL tests (ctest, every label), then lints the OpenAPI spec. Safe to run twice, or twice at
# once: each run has a server of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools
scripts/check_format.sh  # every source file as clang-format writes it

# A private MariaDB for the tests labelled mysql, stopped and removed on exit whatever happens.
LOYALTY_MARIADB_DIR=$(mktemp -d /tmp/loyalty-mariadb-test.XXXXXX)
port=$((33310 + $$ % 1000))
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done  # in use
export LOYALTY_MARIADB_DIR LOYALTY_MARIADB_PORT=$port
cleanup() {
  scripts/mariadb.sh stop >/dev/null 2>&1 || true
  rm -rf "$LOYALTY_MARIADB_DIR"
}
trap cleanup EXIT
LOYALTY_TEST_MYSQL_URL=$(scripts/mariadb.sh start)
export LOYALTY_TEST_MYSQL_URL
export LOYALTY_TEST_MYSQL_RESTART="$PWD/scripts/mariadb.sh restart"  # the restart test uses it

(cd build && ctest --output-on-failure -j2 --timeout 600)
scripts/lint_openapi.sh
echo "test: all passed"
