#!/usr/bin/env bash
# Benchmark: one training step (forward + backward + clip + AdamW) of src/nn against an
# identical PyTorch model (tests/bench/bench_train.py, Debian python3-torch) at ~100K,
# ~1M and ~5M non-embedding parameters, T=128, V=4096, B=16, same thread count.
# Also cblas_sgemm alone at the model's shapes (the peak the achieved GFLOP/s is
# compared with) and peak RSS of both.  The machine is shared: each pair runs back to
# back, REPEAT times, and the best of each is kept.
# Usage: tests/bench/bench_train.sh [THREADS=1] [REPEAT=3] [STEPS=10]
#   env BUILD=build (a release build dir with libxferlaw), OUT=file for the JSON lines
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${1:-1}; REPEAT=${2:-3}; STEPS=${3:-10}
BUILD=${BUILD:-build}
[ -f "$BUILD/libxferlaw.so" ] || { echo "bench_train: build $BUILD first (meson setup $BUILD && ninja -C $BUILD)" >&2; exit 1; }
BIN=$(mktemp -d)/bench_train
trap 'rm -rf "$(dirname "$BIN")"' EXIT
cc -O2 -Iinclude $(pkg-config --cflags openblas) tests/bench/bench_train.c -o "$BIN" \
   -L"$BUILD" -lxferlaw -Wl,-rpath,"$PWD/$BUILD" $(pkg-config --libs openblas) -lm
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
OUT=${OUT:-/dev/null}
: > "$OUT"
V=4096; T=128; B=16
printf '%-6s %9s %12s %12s %7s %8s %8s %7s %9s %9s\n' size N "ours tok/s" "torch tok/s" ratio \
  "GFLOP/s" "sgemm pk" "frac" "ours MB" "torch MB"
for shape in "100K 2 64 4" "1M 5 128 4" "5M 6 256 4"; do
  set -- $shape
  best_o=""; best_t=""
  for r in $(seq "$REPEAT"); do
    o=$("$BIN" $V $T $B "$2" "$3" "$4" "$STEPS" "$THREADS")
    t=$(/usr/bin/python3 tests/bench/bench_train.py $V $T $B "$2" "$3" "$4" "$STEPS" "$THREADS")
    echo "$o" >> "$OUT"; echo "$t" >> "$OUT"
    best_o=$(printf '%s\n%s\n' "$best_o" "$o" | /usr/bin/python3 -c '
import json,sys
rows=[json.loads(l) for l in sys.stdin if l.strip()]
print(json.dumps(max(rows,key=lambda r:r["tokens_per_s"])))')
    best_t=$(printf '%s\n%s\n' "$best_t" "$t" | /usr/bin/python3 -c '
import json,sys
rows=[json.loads(l) for l in sys.stdin if l.strip()]
print(json.dumps(max(rows,key=lambda r:r["tokens_per_s"])))')
  done
  /usr/bin/python3 - "$1" "$best_o" "$best_t" <<'PY'
import json, sys
name, o, t = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f'{name:6s} {o["N"]:9d} {o["tokens_per_s"]:12.0f} {t["tokens_per_s"]:12.0f} '
      f'{o["tokens_per_s"] / t["tokens_per_s"]:6.2f}x {o["gflops"]:8.1f} {o["sgemm_peak_gflops"]:8.1f} '
      f'{o["gflops"] / o["sgemm_peak_gflops"]:6.0%} {o["maxrss_mb"]:9.0f} {t["maxrss_mb"]:9.0f}')
PY
done
echo "threads=$THREADS B=$B T=$T V=$V steps=$STEPS best of $REPEAT; FLOPs/token = 6N + 6VC + 6LTC (Kaplan, causal half)"
