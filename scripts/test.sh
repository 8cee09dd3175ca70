#!/usr/bin/env bash
# One command for every test: installs what is missing, builds, runs the unit, store, API and
# randomized tests (ctest), then lints the OpenAPI spec.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools
(cd build && ctest --output-on-failure -j2 --timeout 600)
scripts/lint_openapi.sh
echo "test: all passed"
