#!/bin/sh
# Fuzzes the line parser and the id validators with libFuzzer (and AddressSanitizer) for SECONDS each
# (default 600), at the lowest CPU priority. Findings are written to Fuzz/findings/.
#
#   scripts/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/../Fuzz"
seconds="${1:-600}"
swift build -c release -Xswiftc -sanitize=fuzzer,address >&2
bin="$(swift build -c release -Xswiftc -sanitize=fuzzer,address --show-bin-path)"
mkdir -p findings corpus/line corpus/ids
for target in FuzzLineParser FuzzIdentifiers; do
    case "$target" in FuzzLineParser) corpus=corpus/line ;; *) corpus=corpus/ids ;; esac
    nice -n 19 "$bin/$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
        -artifact_prefix=findings/ "$corpus" "seeds/${corpus#corpus/}" 2>&1 | tail -n 20
done
