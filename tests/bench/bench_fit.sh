#!/usr/bin/env bash
# Benchmark: Epoch AI's Chinchilla fit (240 points, Huber 1e-3 on log loss, 4,500-point grid)
# with xferlaw vs scipy L-BFGS-B from the same 4,500 starts on the same objective, whole
# process each; then 4,000 bootstrap refits vs scipy doing the same.  Not a test: prints
# times, ratios and both optima.  Other jobs on the machine make timings noisy.
#   usage: bash tests/bench/bench_fit.sh [XFERLAW_BINARY] [SCIPY_BOOT_REFITS] [boot]
#   (a third argument 'boot' runs the bootstrap comparison only)
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
if [ "${3:-}" != boot ]; then
echo "== grid fit: 4,500 starts, 240 points (machine has $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$XL" "${ARGS[@]}" | sed -n '4,10p'
xt=$(best_of 5 "$XL" "${ARGS[@]}")
t0=$(now); sp=$($PY tests/bench/bench_fit.py grid "$DATA"); t1=$(now)
st=$(echo "$t0 $t1" | awk '{print $2-$1}')
echo "$sp" | grep -v seconds
printf 'xferlaw  %.3f s (best of 5, whole process, 2 threads)\n' "$xt"
printf 'scipy    %.3f s (whole process, L-BFGS-B with analytic gradient)\n' "$st"
printf 'ratio    %.1fx\n' "$(echo "$st $xt" | awk '{print $1/$2}')"
fi

# The refits alone on each side: a run started at the optimum (xferlaw: --start at scipy's
# optimum and one random start; scipy: one L-BFGS-B from near it), with and without the
# 4,000 refits; the difference is the refits' time.  The load is printed beside each
# measurement: with other jobs on the cores, only ratios measured side by side mean much.
OPT=(--starts 1 --start E=1.81722 --start A=477.826 --start B=2143.42 --start alpha=0.34731
     --start beta=0.367172)
echo "== 4,000 bootstrap refits (warm-started from the best fit; load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$XL" "${ARGS[@]}" "${OPT[@]}" --bootstrap 4000 | grep -E '^(alpha|beta) |refits'
x0=$(best_of 3 "$XL" "${ARGS[@]}" "${OPT[@]}")
xb=$(best_of 3 "$XL" "${ARGS[@]}" "${OPT[@]}" --bootstrap 4000)
xbt=$(echo "$xb $x0" | awk '{print $1-$2}')
t0=$(now); $PY tests/bench/bench_fit.py boot "$DATA" 0 1 >/dev/null; t1=$(now)
s0=$(echo "$t0 $t1" | awk '{print $2-$1}')
t0=$(now); sb=$($PY tests/bench/bench_fit.py boot "$DATA" "$SB" 1); t1=$(now)
s1=$(echo "$t0 $t1" | awk '{print $2-$1}')
echo "$sb" | grep -v seconds
sper=$(echo "$s1 $s0 $SB" | awk '{print ($1-$2)/$3}')
s4000=$(echo "$sper" | awk '{print $1*4000}')
printf 'xferlaw  %.3f s for 4,000 refits (best of 3 whole processes %.3f s minus the same without refits %.3f s, 2 threads)\n' "$xbt" "$xb" "$x0"
if [ "$SB" -ge 4000 ]; then
  printf 'scipy    %.3f s for 4,000 refits (measured)\n' "$s4000"
else
  printf 'scipy    %.3f s for 4,000 refits (EXTRAPOLATED from %d refits: %.4f s each)\n' "$s4000" "$SB" "$sper"
fi
printf 'ratio    %.1fx   (load at the end: %s)\n' "$(echo "$s4000 $xbt" | awk '{print $1/$2}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
