#!/usr/bin/env bash
# Runs `agent-ledger bench` several times per configuration, interleaved round by round, and prints
# the median and min–max of events/s and emit latency for each. Usage: scripts/bench-sweep.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
swift build -c release --static-swift-stdlib --product agent-ledger >/dev/null
bin=.build/release/agent-ledger
configs=(
  "async-1p|--mode async --producers 1"
  "async-2p|--mode async --producers 2"
  "async-1p-fsync-batch|--mode async --producers 1 --fsync batch"
  "sync-1p|--mode sync --producers 1 --events 500000"
)
out=$(mktemp)
for r in $(seq 1 "$rounds"); do
  for c in "${configs[@]}"; do
    name="${c%%|*}"; args="${c#*|}"
    # shellcheck disable=SC2086
    echo "$name $($bin bench $args --json)" >>"$out"
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
print(f"{'configuration':<22} {'events/s median':>16} {'min–max':>22} {'p50 ns':>8} {'p99 ns':>8} {'p99.9 ns':>9} {'dropped':>8}")
for name, rs in rows.items():
    eps = [r["events_per_sec"] for r in rs]
    med = lambda k: statistics.median(r[k] for r in rs)
    print(f"{name:<22} {statistics.median(eps):>16,.0f} {min(eps):>10,.0f}–{max(eps):<10,.0f} {med('p50_ns'):>8,.0f} {med('p99_ns'):>8,.0f} {med('p999_ns'):>9,.0f} {sum(r['dropped'] for r in rs):>8}")
PY
rm -f "$out"
