#!/usr/bin/env bash
# Lints docs/api/openapi.yaml with Redocly's CLI from the npm registry (pinned major version).
set -euo pipefail
cd "$(dirname "$0")/.."
npx --yes @redocly/cli@1.34.5 lint docs/api/openapi.yaml
