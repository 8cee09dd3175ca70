#!/usr/bin/env bash
# Benchmark (not a test) of the front door against the goals of issue 10, default server
# settings, one table at the end:
#   - direct: 1,000 slow-header, then 1,000 silent connections; a normal client's latency
#     (goal: every request answered within the header deadline + 1 s);
#   - direct: 4,096 connections sending orders back to back (goal: 0 without an answer);
#   - through deploy/nginx/loyalty.conf: 1,000 slow-header and 1,000 idle keep-alive
#     connections at once (goal: order p99 <= 50 ms, 0 errors);
#   - the server's memory during each (VmRSS peak, and VmHWM at the end).
#   scripts/bench_front.sh [BUILD_DIR]     (default build/; needs loyalty and front_attack)
# Environment: DURATION (s per case, default 20), PROBES (normal-client requests per case, 100),
# ATTACKERS (1000), OVERLOAD (4096), RAW=1 also prints every JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
loyalty=$build/loyalty
attack=$build/front_attack
for f in "$loyalty" "$attack"; do
  [[ -x "$f" ]] || { echo "bench_front: $f missing; build it first" >&2; exit 1; }
done
source scripts/front_lib.sh
DURATION=${DURATION:-20}
PROBES=${PROBES:-100}
ATTACKERS=${ATTACKERS:-1000}
OVERLOAD=${OVERLOAD:-4096}
HEADER_MS=5000  # the server's default --header-timeout-ms

work=$(mktemp -d /tmp/loyalty-bench-front.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench_front: $("$loyalty" --version 2>/dev/null | head -1), defaults, ${DURATION}s per case," \
  "$PROBES probe requests each, $(nproc) cores"

rows=()
# row CASE JSON: one line of the table from a front_attack summary with a probe.
row() {
  local j=$2 p=${2#*\"probe\":} shed  # p: the probe's part (and what follows it)
  n() { front_json_num "$p" "$1"; }
  mb() { local kb; kb=$(n "$1"); [[ "$kb" =~ ^[0-9]+$ ]] && echo $((kb / 1024)) || echo -; }
  shed=$(front_json_num "$(grep -o '"answers":{[^}]*}' <<<"$j" || true)" 503)
  rows+=("$(printf '%-34s %6s/%-6s %5s %5s %6s %6s %7s %9s %7s %7s' "$1" "$(n failed)" \
    "$(n requests)" "$(n p50_ms)" "$(n p99_ms)" "$(n max_ms)" "$(n orders_p99_ms)" \
    "$(front_json_num "$j" unanswered)" "${shed:-0}" "$(mb server_rss_max_kb)" \
    "$(mb server_hwm_kb)")")
  [[ -n "${RAW:-}" ]] && echo "$j"
  return 0
}
# Each case has a server of its own, so its memory figures are its own.
case_no=0
fresh_server() {
  if ((case_no > 0)); then
    kill "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
    pids=("${pids[@]/$srv_pid/}")
  fi
  case_no=$((case_no + 1))
  front_start_server "case$case_no" "$loyalty"
  local -n url=case${case_no}_url key=case${case_no}_key pid=case${case_no}_pid
  srv_url=$url srv_key=$key srv_pid=$pid
  probe=(--probe-requests "$PROBES" --duration-s "$DURATION" --api-key "$srv_key"
         --server-pid "$srv_pid")
  target=${srv_url#http://}
}
direct_case() {  # direct_case TITLE MODE CONNECTIONS
  echo "running: $1"
  fresh_server
  row "$1" "$("$attack" --mode "$2" --connections "$3" --target "$target" \
    --max-latency-ms $((HEADER_MS + 1000)) "${probe[@]}" || true)"
}
direct_case "direct, $ATTACKERS slow headers" slow-headers "$ATTACKERS"
direct_case "direct, $ATTACKERS silent" silent "$ATTACKERS"
direct_case "direct, $OVERLOAD overloading" overload "$OVERLOAD"

echo "running: nginx, $ATTACKERS slow-header + $ATTACKERS idle keep-alive connections"
fresh_server
front_start_nginx "${srv_url##*:}" auto
via=(--tls --target "127.0.0.1:$nginx_port")
# The slow-header attack runs in the background from before the probe's run to after it. Its
# connects are spread over nginx's header timeout: 1,000 attackers cut at the same instant and
# reconnecting at once would measure a burst of 1,000 TLS handshakes, not 1,000 open connections.
"$attack" --mode slow-headers --connections "$ATTACKERS" "${via[@]}" --open-spread-ms 5000 \
  --duration-s $((DURATION + 15)) >"$work/nginx-slow.json" || true &
slow_pid=$!
pids+=("$slow_pid")
sleep 8
row "nginx, $ATTACKERS slow + $ATTACKERS idle" "$("$attack" --mode idle-keepalive \
  --connections "$ATTACKERS" "${via[@]}" --open-spread-ms 5000 --max-latency-ms 1000 \
  "${probe[@]}" || true)"
wait "$slow_pid" || true
[[ -n "${RAW:-}" ]] && cat "$work/nginx-slow.json"

echo
printf '%-34s %13s %5s %5s %6s %6s %7s %9s %7s %7s\n' case "probe failed" p50 p99 max \
  "ord99" unansw "503s" "RSS MB" "HWM MB"
printf '%s\n' "${rows[@]}"
echo "(latencies in ms, connect to last byte, each probe request on a new connection (TLS" \
  "through nginx); probe failed = not 2xx or 503+Retry-After within the header deadline + 1 s" \
  "direct, 1 s through nginx (its goal: ord99 <= 50); unansw = overload requests cut off" \
  "without an answer; RSS = the case's server's peak VmRSS, sampled every 0.5 s; HWM its VmHWM at the end)"
