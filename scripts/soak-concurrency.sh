#!/bin/sh
# Concurrency soak: 8 tasks x 4 agents x 250,000 events in one process, then 4 processes appending
# 250,000 events each to the same agent's day file. Checks exactly once, per-producer order within
# each file and no interleaved bytes.
#
#   scripts/soak-concurrency.sh [EVENTS_PER_TASK_AND_AGENT] [EVENTS_PER_PROCESS]
set -eu
cd "$(dirname "$0")/.."
events="${1:-250000}"
per_process="${2:-250000}"
swift build -c release --product ledger-stress >&2
bin="$(swift build -c release --show-bin-path)/ledger-stress"
root="$(mktemp -d "${TMPDIR:-/tmp}/agent-ledger-soak-conc-XXXXXX")"
trap 'rm -rf -- "$root"' EXIT
"$bin" concurrency --root "$root/one-process" --tasks 8 --agents 4 --events "$events"
"$bin" multiprocess --root "$root/four-processes" --processes 4 --events "$per_process"
