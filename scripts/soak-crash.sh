#!/bin/sh
# Crash soak: SIGKILL a ledger writer at random moments ITERATIONS times (default 200), restart it,
# and check that every event flush() confirmed is on disk exactly once, every line but a sealed torn
# tail parses, restarts append after torn tails, and status files are always complete JSON.
#
#   scripts/soak-crash.sh [ITERATIONS] [AGENTS]
#
# Prints one JSON line (see RELIABILITY.md) and exits non-zero when a check fails.
set -eu
cd "$(dirname "$0")/.."
iterations="${1:-200}"
agents="${2:-4}"
swift build -c release --product ledger-stress >&2
root="$(mktemp -d "${TMPDIR:-/tmp}/agent-ledger-soak-crash-XXXXXX")"
trap 'rm -rf -- "$root"' EXIT
"$(swift build -c release --show-bin-path)/ledger-stress" crash --root "$root" \
    --iterations "$iterations" --agents "$agents" --max-kill-ms 400
