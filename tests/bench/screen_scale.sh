#!/usr/bin/env bash
# Scaling of `xferlaw transfer` with the number of runs, for the screen of the data-limit
# protocol (src/transfer/screen.c), which compared every fine-tune with every
# from-scratch run.  Synthetic tables: 10 sizes, a third from-scratch runs, D log-uniform
# over 3 decades, a step at the unigram level below D = 3e4, --unigram-loss 6.
#   bash tests/bench/screen_scale.sh XFERLAW [PEER_XFERLAW]
# Prints, per size, the CPU seconds of XFERLAW and of the peer (an older build) and
# their ratio, and seconds per 10k rows: flat as the size doubles for an n log n path,
# doubling for a quadratic one.  The peer is skipped past 100k rows.  Goal: 200k rows in
# seconds per 10k flat.  Not a test; state the load (printed first) beside any number.
# Python: /usr/bin/python3 (writes the tables).
set -u
X=$1
PEER=${2:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export OPENBLAS_NUM_THREADS=1
echo "load: $(uptime | sed 's/.*load average: //')"
cpu() {  # prints user+sys seconds of "$@" (output discarded)
  /usr/bin/time -f "%U %S" -o "$T/time" "$@" > /dev/null 2>&1
  awk '{printf "%.2f", $1 + $2}' "$T/time"
}
per10k() { awk -v s="$1" -v n="$2" 'BEGIN{printf "%.2f", s / n * 1e4}'; }
for n in 25000 50000 100000 200000; do
  /usr/bin/python3 - "$n" > "$T/t.csv" <<'EOF'
import random, sys
n = int(sys.argv[1])
random.seed(1)
print("curriculum,N,D,loss")
for i in range(n):
    N = 3e4 * 2 ** (i % 10)
    D = round(1e4 * 10 ** (3 * random.random()))
    L = 1.8 + (1e6 / N) ** 0.3 + (2e5 / D) ** 0.3
    if D < 3e4:
        L = 5.9 - 0.1 * random.random()
    c = ("scratch", "text", "code")[i % 3]
    print("%s,%.0f,%d,%.5f" % (c, N, D, L - (0.2 if c != "scratch" else 0)))
EOF
  args=(transfer "$T/t.csv" --bootstrap 0 --quiet --unigram-loss 6)
  this=$(cpu "$X" "${args[@]}")
  line=$(printf "%7d rows  %8s s (%s s per 10k)" "$n" "$this" "$(per10k "$this" "$n")")
  if [ -n "$PEER" ] && [ "$n" -le 100000 ]; then
    peer=$(cpu "$PEER" "${args[@]}")
    line="$line  peer $(printf "%8s" "$peer") s ($(per10k "$peer" "$n") per 10k)"
    line="$line  peer/this $(awk -v a="$this" -v b="$peer" 'BEGIN{printf "%.1f", (a > 0 ? b / a : 0)}')x"
  fi
  echo "$line"
done
