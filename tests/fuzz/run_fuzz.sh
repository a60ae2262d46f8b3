#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time from a copy of its seed corpus (so the
# committed corpus is not modified).  Usage: run_fuzz.sh FUZZER SEED_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 secs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
dict=()   # FUZZER's dictionary, when tests/fuzz/NAME.dict exists (fuzz_NAME)
d="$(dirname "$0")/$(basename "$fuzzer" | sed 's/^fuzz_//').dict"
[ -f "$d" ] && dict=(-dict="$d")
if ! "$fuzzer" "${dict[@]}" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" 2>"$work/log"; then
    tail -60 "$work/log"
    for f in "$work"/artifacts/*; do
        [ -f "$f" ] && { echo "reproducer: $(basename "$f") (base64):"; base64 "$f" | head -20; }
    done
    exit 1
fi
grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work/log" || true
