#!/usr/bin/env bash
# Benchmark: Epoch AI's Chinchilla fit (240 points, Huber 1e-3 on log loss, 4,500-point grid)
# with xferlaw vs scipy L-BFGS-B from the same 4,500 starts on the same objective, whole
# process each; then 4,000 bootstrap refits vs scipy doing the same.  Not a test: prints
# times, ratios and both optima.  Other jobs on the machine make timings noisy.
#   usage: bash tests/bench/bench_fit.sh [XFERLAW_BINARY] [SCIPY_BOOT_REFITS]
set -euo pipefail
cd "$(dirname "$0")/../.."
XL=${1:-build/xferlaw}
SB=${2:-400}          # scipy bootstrap refits actually run (then extrapolated to 4,000)
export OPENBLAS_NUM_THREADS=1
PY=/usr/bin/python3
DATA=data/chinchilla.csv
ARGS=(fit "$DATA" --define 'D=C/(6*N)' --where 'loss < 3.44' --law chinchilla --loss huber:1e-3
      --threads 2 --quiet)
now() { date +%s.%N; }
best_of() {  # N CMD... : fastest wall time of N runs (seconds)
  local n=$1; shift; local best=
  for _ in $(seq "$n"); do
    local t0; t0=$(now); "$@" >/dev/null; local t1; t1=$(now)
    best=$(echo "$t0 $t1 ${best:-1e9}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$best"
}
echo "== grid fit: 4,500 starts, 240 points (machine has $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$XL" "${ARGS[@]}" | sed -n '4,10p'
xt=$(best_of 5 "$XL" "${ARGS[@]}")
t0=$(now); sp=$($PY tests/bench/bench_fit.py grid "$DATA"); t1=$(now)
st=$(echo "$t0 $t1" | awk '{print $2-$1}')
echo "$sp" | grep -v seconds
printf 'xferlaw  %.3f s (best of 5, whole process, 2 threads)\n' "$xt"
printf 'scipy    %.3f s (whole process, L-BFGS-B with analytic gradient)\n' "$st"
printf 'ratio    %.1fx\n' "$(echo "$st $xt" | awk '{print $1/$2}')"

echo "== 4,000 bootstrap refits (warm-started from the best fit; load: $(cut -d' ' -f1-3 /proc/loadavg))"
xb=$(best_of 3 "$XL" "${ARGS[@]}" --bootstrap 4000)
xbt=$(echo "$xb $xt" | awk '{print $1-$2}')
"$XL" "${ARGS[@]}" --bootstrap 4000 | grep -E '^(alpha|beta) |refits'
t0=$(now); $PY tests/bench/bench_fit.py boot "$DATA" 0 1 >/dev/null; t1=$(now)
s0=$(echo "$t0 $t1" | awk '{print $2-$1}')
t0=$(now); sb=$($PY tests/bench/bench_fit.py boot "$DATA" "$SB" 1); t1=$(now)
s1=$(echo "$t0 $t1" | awk '{print $2-$1}')
echo "$sb" | grep -v seconds
sper=$(echo "$s1 $s0 $SB" | awk '{print ($1-$2)/$3}')
s4000=$(echo "$sper" | awk '{print $1*4000}')
printf 'xferlaw  %.3f s for 4,000 refits (whole process %.3f s minus the grid fit)\n' "$xbt" "$xb"
if [ "$SB" -ge 4000 ]; then
  printf 'scipy    %.3f s for 4,000 refits (measured)\n' "$s4000"
else
  printf 'scipy    %.3f s for 4,000 refits (EXTRAPOLATED from %d refits: %.4f s each)\n' "$s4000" "$SB" "$sper"
fi
printf 'ratio    %.1fx\n' "$(echo "$s4000 $xbt" | awk '{print $1/$2}')"
