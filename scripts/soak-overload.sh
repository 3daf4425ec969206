#!/bin/sh
# Overload soak: producers far faster than a disk that takes 20 ms per write, under each overflow
# policy. Checks that written + dropped = emitted, that drops are written as ledger.dropped, that
# memory stays bounded by the queue's byte cap and that shutdown() returns by its deadline.
#
#   scripts/soak-overload.sh [EVENTS_PER_PRODUCER]
set -eu
cd "$(dirname "$0")/.."
events="${1:-2000000}"
swift build -c release --product ledger-stress >&2
bin="$(swift build -c release --show-bin-path)/ledger-stress"
root="$(mktemp -d "${TMPDIR:-/tmp}/agent-ledger-soak-load-XXXXXX")"
trap 'rm -rf -- "$root"' EXIT
for policy in dropNewest dropOldest block; do
    n="$events"
    # block waits up to its timeout (1 ms here) for each event that finds the queue full: fewer events.
    [ "$policy" = block ] && n=$((events / 100))
    "$bin" overload --root "$root/$policy" --producers 4 --events "$n" --cap-bytes 4194304 \
        --write-delay-ms 20 --policy "$policy" --shutdown-seconds 2
done
