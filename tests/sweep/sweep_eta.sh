#!/usr/bin/env bash
# The sweep's progress bar shows an ETA from the plan's FLOPs from its first frame (before
# any run finished), not "?"; the start line names the speed it assumes.  The bar needs a
# terminal: script(1) provides one; the sweep is stopped once the first frame is out.
set -u
XL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
command -v script >/dev/null || { echo "script(1) not found: skipped"; exit 77; }
export XL_TRAIN_CMD="$XL_SRCDIR/tests/sweep/fake_train.py" FAKE_TRAIN_SECONDS=0.5
# stopped when the first frame is out, not after a fixed time: a loaded machine is slow
timeout -k 2 200 script -qec "'$XL' sweep ci --out '$T/eta' --jobs 1 --flops-per-s 1e10" /dev/null \
  > "$T/eta.txt" 2>&1 < /dev/null &
spid=$!
for _ in $(seq 1800); do
  tr '\r' '\n' < "$T/eta.txt" | grep -q " 0/24 ETA " && break
  kill -0 $spid 2>/dev/null || break
  sleep 0.1
done
kill -TERM $spid 2>/dev/null; wait $spid 2>/dev/null
check "start line names the ETA speed" 'grep -q "ETA from the plan at 1e+10 FLOP/s per run (given by --flops-per-s)" "$T/eta.txt"'
first=$(tr '\r' '\n' < "$T/eta.txt" | grep -m1 " 0/24 ETA ")
check "first frame has an ETA: $first" 'grep -Eq " 0/24 ETA [0-9]" <<<"$first"'
for _ in $(seq 300); do pgrep -f "fake_train.py.*$T/eta/" >/dev/null || break; sleep 0.1; done
exit $fail
