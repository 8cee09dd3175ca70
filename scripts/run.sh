#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds, and serves the REST API on an
# embedded SQLite file (var/loyalty.db) with the built-in demo programme and a fresh demo API
# key for every role. Stop with Ctrl-C. Extra arguments go to `loyalty serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p var
exec build/loyalty serve --demo --db var/loyalty.db "$@"
