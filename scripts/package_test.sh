#!/usr/bin/env bash
# The .deb as an operator gets it (ctest label `package`): `cpack -G DEB` from an existing build
# directory, the package's control data (Depends from dpkg-shlibdeps, conffiles, maintainer
# scripts), `dpkg -x` into a scratch root (no root rights, no container), the files where the
# units expect them, the unpacked binary's --version and the shipped config file read by it,
# and `systemd-analyze verify` on the three units. Builds nothing but the package; about 20 s.
#   scripts/package_test.sh [BUILD_DIR]    (default build/; needs the loyalty target built)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
build=$(cd "${1:-build}" && pwd)
[[ -x "$build/loyalty" ]] || { echo "package_test: $build/loyalty missing; build it first" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze; do
  command -v "$tool" >/dev/null ||
    { echo "package_test: $tool missing (scripts/setup.sh --with-test-tools)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/loyalty-package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: FAIL: $*" >&2; exit 1; }

version=$("$build/loyalty" --version | awk '{print $2}')
[[ -n "$version" ]] || fail "no version from $build/loyalty --version"

# ---- build the package
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb=$work/out/loyalty_${version}_amd64.deb
[[ -f "$deb" ]] || { ls -l "$work/out" >&2; fail "no $(basename "$deb")"; }
echo "package_test: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# ---- control data
depends=$(dpkg-deb -f "$deb" Depends)
echo "package_test: Depends: $depends"
for lib in libc6 libstdc++6 libsqlite3 libpoco libspdlog libmysqlcppconn passwd tzdata; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
[[ "$(dpkg-deb -f "$deb" Package)" == loyalty ]] || fail "Package is not loyalty"
[[ "$(dpkg-deb -f "$deb" Version)" == "$version" ]] || fail "Version is not $version"
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/loyalty/loyalty.toml "$work/control/conffiles" ||
  fail "/etc/loyalty/loyalty.toml is not a conffile"
for script in postinst prerm postrm; do
  [[ -x "$work/control/$script" ]] || fail "no executable $script"
  sh -n "$work/control/$script" || fail "$script: syntax error"
done
grep -q "useradd --system" "$work/control/postinst" || fail "postinst creates no system user"
grep -q "/var/lib/loyalty" "$work/control/postinst" || fail "postinst makes no /var/lib/loyalty"

# ---- the files, unpacked as dpkg would place them
root=$work/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/loyalty etc/loyalty/loyalty.toml \
         usr/lib/systemd/system/loyalty.service usr/lib/systemd/system/loyalty-daily.service \
         usr/lib/systemd/system/loyalty-daily.timer \
         usr/share/doc/loyalty/README.md usr/share/doc/loyalty/operations.md \
         usr/share/doc/loyalty/api/openapi.yaml; do
  [[ -f "$root/$f" ]] || fail "/$f is not in the package"
done
[[ -x "$root/usr/bin/loyalty" ]] || fail "/usr/bin/loyalty is not executable"
cmp -s "$root/etc/loyalty/loyalty.toml" "$src/deploy/loyalty.toml" ||
  fail "/etc/loyalty/loyalty.toml is not deploy/loyalty.toml"

# ---- the unpacked binary: its version, and the shipped config file is valid for it (a
# `migrate` through it, the file's db overridden by the command line)
got=$("$root/usr/bin/loyalty" --version)
[[ "$got" == "loyalty $version" ]] || fail "unpacked --version says '$got'"
"$root/usr/bin/loyalty" migrate --config "$root/etc/loyalty/loyalty.toml" --db "$work/l.db" \
  >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; fail "the shipped config is refused"; }
echo "package_test: unpacked binary: $got; shipped config accepted"

# ---- the units. systemd-analyze verify checks that ExecStart's binary exists, so it reads a
# copy whose /usr/bin/loyalty and /etc/loyalty paths point into the scratch root; every other
# line is the shipped one, which the diff below proves.
units=$work/units
mkdir "$units"
for u in loyalty.service loyalty-daily.service loyalty-daily.timer; do
  sed -e "s|/usr/bin/loyalty|$root/usr/bin/loyalty|g" -e "s|/etc/loyalty/|$root/etc/loyalty/|g" \
    "$root/usr/lib/systemd/system/$u" >"$units/$u"
  changed=$(diff "$root/usr/lib/systemd/system/$u" "$units/$u" | grep -c '^>' || true)
  expected=$(grep -c -e /usr/bin/loyalty -e /etc/loyalty/ "$root/usr/lib/systemd/system/$u" || true)
  [[ "$changed" == "$expected" ]] || fail "$u: the rendered copy differs beyond the paths"
done
(cd "$units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
  loyalty.service loyalty-daily.service loyalty-daily.timer) >"$work/verify.log" 2>&1 || true
# verify exits 0 on warnings it prints, so any output is a failure too.
if grep -v -e '^$' "$work/verify.log" | grep -q .; then
  cat "$work/verify.log" >&2
  fail "systemd-analyze verify reported problems"
fi
service=$root/usr/lib/systemd/system/loyalty.service
for directive in "User=loyalty" "DynamicUser=no" "StateDirectory=loyalty" "ProtectSystem=strict" \
                 "ProtectHome=yes" "PrivateTmp=yes" "NoNewPrivileges=yes" "CapabilityBoundingSet=" \
                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "LimitNOFILE=65536" \
                 "Restart=on-failure" "ExecReload=/bin/kill -HUP \$MAINPID" \
                 "ExecStart=/usr/bin/loyalty serve --config /etc/loyalty/loyalty.toml"; do
  grep -qxF "$directive" "$service" || fail "loyalty.service lacks '$directive'"
done
# The stop timeout must outlast the drain the shipped config asks for.
stop_s=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s*$/\1/p' "$service")
delay_ms=$(sed -n 's/^drain-delay-ms *= *\([0-9]*\).*/\1/p' "$root/etc/loyalty/loyalty.toml")
grace_ms=$(sed -n 's/^drain-grace-ms *= *\([0-9]*\).*/\1/p' "$root/etc/loyalty/loyalty.toml")
((stop_s * 1000 > delay_ms + grace_ms)) ||
  fail "TimeoutStopSec=${stop_s}s is not above drain ${delay_ms} + ${grace_ms} ms"
grep -qxF "OnCalendar=*-*-* 00:30:00 Asia/Seoul" "$root/usr/lib/systemd/system/loyalty-daily.timer" ||
  fail "the timer is not at 00:30 Asia/Seoul"
grep -qxF "Persistent=true" "$root/usr/lib/systemd/system/loyalty-daily.timer" || fail "timer not Persistent"
grep -qxF "Type=oneshot" "$root/usr/lib/systemd/system/loyalty-daily.service" || fail "daily not oneshot"
# "(in UTC):" follows "Next elapse:" unless the machine's own zone is UTC already.
next=$(systemd-analyze calendar --iterations=1 "*-*-* 00:30:00 Asia/Seoul" 2>&1 |
  sed -n -e 's/.*(in UTC): //p' -e 's/.*Next elapse: //p' | tail -1)
[[ "$next" == *" 15:30:00 UTC" ]] || fail "00:30 Asia/Seoul is not 15:30 UTC: '$next'"
echo "package_test: units verified (daily job next at $next)"
echo "package_test: OK"
