#!/usr/bin/env bash
# Benchmark (not a test) of the message outbox on SQLite with the demo programme:
# N sign-ups with marketing consent through 16 concurrent clients (each writes a customer, its
# consent notice, a welcome coupon and a welcome message in one transaction), then one
# messaging-layer client pulls and acknowledges every message in batches of 500.
#   scripts/bench_messages.sh [N]      (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5000}
scripts/setup.sh >/dev/null
work=$(mktemp -d)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
build/loyalty serve --demo --db "$work/bench.db" --port 0 >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 1 100); do grep -q messaging "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
python3 - "$work/serve.out" "$N" <<'PY'
import json, re, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
out = open(sys.argv[1]).read()
url = re.search(r"http://[0-9.:]+", out).group(0)
keys = dict(re.findall(r"^\s+(\w+)\s+(lk_\w+)", out, re.M))
n = int(sys.argv[2])
def call(method, path, key, body=None):
    req = urllib.request.Request(url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + key,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())
t0 = time.time()
with ThreadPoolExecutor(16) as ex:
    # the welcome carries a coupon, so it is advertising: consent lets it go out at any hour
    consent = {"marketing_consent": True, "night_consent": True}
    list(ex.map(lambda i: call("PUT", f"/v1/customers/b{i}", keys["checkout"], consent), range(n)))
t1 = time.time()
delivered = 0
while True:
    got = call("POST", "/v1/messages/pull", keys["messaging"], {"limit": 500, "lease_seconds": 60})
    ids = [m["message_id"] for m in got["messages"]]
    if not ids:
        break
    acked = call("POST", "/v1/messages/ack", keys["messaging"], {"message_ids": ids})
    delivered += sum(1 for r in acked["results"] if r.get("status") == "delivered")
t2 = time.time()
print(f"{n} sign-ups with a welcome coupon and message: {t1 - t0:.2f} s = {n / (t1 - t0):.0f}/s (16 clients)")
print(f"pull + ack of {delivered} messages, batches of 500: {t2 - t1:.2f} s = {delivered / (t2 - t1):.0f} messages/s (1 client)")
if delivered != 2 * n:  # the consent notice of the grant and the welcome, per sign-up
    sys.exit(f"expected {2 * n} messages delivered, got {delivered}")
PY
