#!/usr/bin/env bash
# The front door under attack, the short version CI runs (ctest label `front`): slow headers,
# slow body, silent and idle keep-alive connections beyond the worker count, and overload
# beyond capacity, each against a real `loyalty serve`, while a normal client (front_attack's
# probe) asserts it is still answered; then slow headers and idle keep-alive again through
# nginx with the shipped deploy/nginx/loyalty.conf. Builds nothing; about 30 s.
#   scripts/front_test.sh [BUILD_DIR]    (default build/; needs loyalty and front_attack)
# Environment: FRONT_CONNECTIONS (attackers per case, default 200), FRONT_DURATION_S (3).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
loyalty=$build/loyalty
attack=$build/front_attack
for f in "$loyalty" "$attack"; do
  [[ -x "$f" ]] || { echo "front_test: $f missing; build it first" >&2; exit 1; }
done
command -v openssl >/dev/null || { echo "front_test: openssl missing" >&2; exit 1; }
source scripts/front_lib.sh
[[ -n "$(front_nginx_bin)" ]] ||
  { echo "front_test: nginx missing (scripts/setup.sh --with-test-tools)" >&2; exit 1; }

N=${FRONT_CONNECTIONS:-200}
S=${FRONT_DURATION_S:-3}
HEADER_MS=1000 BODY_MS=2000 IDLE_MS=2000
SLACK_MS=1500  # the server's deadline sweep, a loaded machine, a reconnect

work=$(mktemp -d /tmp/loyalty-front-test.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Short deadlines so that each attack sees the server close its connections. A server without
# these flags is today's, which this test must fail: it runs with its defaults.
flags=()
if front_server_has_flag "$loyalty" --header-timeout-ms; then
  flags=(--header-timeout-ms "$HEADER_MS" --body-timeout-ms "$BODY_MS"
         --keep-alive-timeout-ms "$IDLE_MS")
else
  echo "front_test: this loyalty serve has no --header-timeout-ms; testing it with its defaults"
fi
front_start_server direct "$loyalty" "${flags[@]}"
# Overload needs a capacity the attack surely exceeds: few workers, a short queue.
small=()
front_server_has_flag "$loyalty" --max-queued && small=(--threads 4 --max-queued 16)
front_start_server small "$loyalty" "${flags[@]}" "${small[@]}"

failures=0
# run NAME front_attack-args...: one case; its JSON line and PASS/FAIL.
run() {
  local name=$1
  shift
  local line rc=0
  line=$("$attack" "$@") || rc=$?
  echo "$line"
  if ((rc == 0)); then
    echo "PASS $name"
  else
    echo "FAIL $name (front_attack exit $rc)"
    failures=$((failures + 1))
  fi
  last_line=$line
}

probe_max_ms=$((HEADER_MS + 1000))  # the goal: the header deadline + 1 s
common=(--connections "$N" --duration-s "$S" --probe-requests 10 --max-latency-ms "$probe_max_ms")
direct=(--target "${direct_url#http://}" --api-key "$direct_key" --server-pid "$direct_pid")

run slow-headers --mode slow-headers "${common[@]}" "${direct[@]}" \
  --expect-close-ms $((HEADER_MS + SLACK_MS)) --expect-answer-before-close
run slow-body --mode slow-body "${common[@]}" "${direct[@]}" \
  --expect-close-ms $((HEADER_MS + BODY_MS + SLACK_MS)) --expect-answer-before-close
run silent --mode silent "${common[@]}" "${direct[@]}" \
  --expect-close-ms $((HEADER_MS + SLACK_MS)) --expect-answer-before-close
run idle-keepalive --mode idle-keepalive "${common[@]}" "${direct[@]}" \
  --expect-close-ms $((IDLE_MS + SLACK_MS))
run overload --mode overload --connections 512 --duration-s "$S" --probe-requests 10 \
  --max-latency-ms "$probe_max_ms" --target "${small_url#http://}" --api-key "$small_key" \
  --server-pid "$small_pid"
shed=$(grep -o '"answers":{[^}]*}' <<<"$last_line" | grep -o '"503":[0-9]*' | cut -d: -f2 || true)
if [[ -z "$shed" || "$shed" -eq 0 ]]; then
  echo "FAIL overload: no 503 answered, the attack did not exceed the capacity"
  failures=$((failures + 1))
fi

# Through nginx: TLS on nginx's port, the engine behind it.
front_start_nginx "${direct_url##*:}" 1
via=(--tls --target "127.0.0.1:$nginx_port" --api-key "$direct_key" --server-pid "$direct_pid")
# nginx cuts them at its client_header_timeout: the attack outlasts it to see that.
nginx_header_s=$(grep -o 'client_header_timeout [0-9]*s' deploy/nginx/loyalty.conf | grep -o '[0-9]*')
run nginx-slow-headers --mode slow-headers "${common[@]}" "${via[@]}" \
  --duration-s $((nginx_header_s + 2)) --expect-close-ms $((nginx_header_s * 1000 + SLACK_MS))
run nginx-idle-keepalive --mode idle-keepalive "${common[@]}" "${via[@]}"

# The config's own promises, one request each.
check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then echo "PASS nginx $1"; else
    echo "FAIL nginx $1: expected '$2', got '$3'"
    failures=$((failures + 1))
  fi
}
U="https://127.0.0.1:$nginx_port"
check "hides /metrics" 404 "$(curl -sk -o /dev/null -w '%{http_code}' "$U/metrics")"
check "keeps a client's X-Request-Id" "x-request-id: front-test-1" "$(curl -sk -D - -o /dev/null \
  -H 'X-Request-Id: front-test-1' "$U/healthz" | tr -d '\r' | grep -i '^x-request-id:' |
  tr 'A-Z' 'a-z')"
head -c 70000 /dev/zero | tr '\0' ' ' >"$work/big.json"
check "refuses a body over 64 KiB as problem+json" "413 application/problem+json" \
  "$(curl -sk -o /dev/null -w '%{http_code} %{content_type}' -X POST "$U/v1/orders" \
    -H "Authorization: Bearer $direct_key" -H 'Content-Type: application/json' \
    --data-binary @"$work/big.json")"
# One address far above 500 requests/s: beyond the burst nginx answers 429 itself.
for i in $(seq 1 3000); do
  printf 'url = "%s/v1/customers/rate-%d"\noutput = "/dev/null"\n' "$U" "$i"
done >"$work/burst.curl"
limited=$(curl -sk -H "Authorization: Bearer $direct_key" -w '%{http_code} %{content_type} %header{retry-after}\n' \
  -K "$work/burst.curl" | grep -c '^429 application/problem+json 1$' || true)
check "answers 429 problem+json with Retry-After beyond the rate" yes \
  "$( ((limited > 0)) && echo yes || echo "no ($limited)")"
# No engine behind nginx: 503 with Retry-After, as the engine answers when its database is away.
kill "$direct_pid"
pids=("${pids[@]/$direct_pid/}")  # gone: not killed again on exit
wait "$direct_pid" 2>/dev/null || true
check "answers 503 problem+json with Retry-After without the engine" \
  "503 application/problem+json 1" "$(curl -sk -o /dev/null -X POST "$U/v1/orders" \
    -w '%{http_code} %{content_type} %header{retry-after}' -H 'Content-Type: application/json' -d '{}')"

if ((failures > 0)); then
  echo "front_test: $failures failed"
  exit 1
fi
echo "front_test: all passed"
