#!/usr/bin/env bash
# Fails when a C++ source file differs from what clang-format (the repository's .clang-format)
# would write. Fix with: scripts/check_format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.h' '*.cpp')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/loyalty-format.$$; then
  grep -m 20 "error:" /tmp/loyalty-format.$$ || true
  rm -f /tmp/loyalty-format.$$
  echo "format: files differ from clang-format; run scripts/check_format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/loyalty-format.$$
echo "format: ${#files[@]} files clean"
