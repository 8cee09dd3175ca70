#!/usr/bin/env bash
# Installs whatever is missing (Debian 12, as root or with sudo) and builds the project.
# Safe to run again: installed packages are skipped and the build is incremental.
#   scripts/setup.sh [--with-test-tools]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config tzdata ca-certificates
          libpoco-dev libhowardhinnant-date-dev libspdlog-dev libgtest-dev libsqlite3-dev
          libmysqlcppconn-dev libboost-dev libcli11-dev libtomlplusplus-dev ccache
          dpkg-dev)  # dpkg-dev: dpkg-shlibdeps, for the Depends of `cpack -G DEB`
if [[ "${1:-}" == "--with-test-tools" ]]; then
  packages+=(wrk mariadb-server clang-format)  # a private server for the MySQL-labelled tests
  packages+=(nginx openssl curl)  # nginx in front of the server in scripts/front_test.sh
  packages+=(systemd)  # systemd-analyze verify on the units in scripts/package_test.sh
  command -v npx >/dev/null || packages+=(nodejs npm)  # npx runs the OpenAPI linter
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || echo "setup: apt-get update failed; trying the cached package lists"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_type="${BUILD_TYPE:-RelWithDebInfo}"
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)"
