#!/usr/bin/env bash
# Benchmark: one training step (forward + backward + clip + AdamW) of src/nn against an
# identical PyTorch model (tests/bench/bench_train.py, Debian python3-torch) at ~100K,
# ~1M and ~5M non-embedding parameters, T=128, V=4096, B=16, same thread count.
# Also cblas_sgemm alone at the model's shapes (the peak the achieved GFLOP/s is
# compared with) and peak RSS of both.  The machine is shared: each pair runs back to
# back, REPEAT times, and the best of each is kept.
# Usage: tests/bench/bench_train.sh [THREADS=1] [REPEAT=3] [STEPS=10]
#   env BUILD=build (a release build dir with libxferlaw), OUT=file to keep the JSON lines
# Prints wall-clock and CPU-time tokens/s: on a loaded machine the wall-clock figures of
# either side swing by 2x from run to run, the CPU-time ones far less.
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
OUT=${OUT:-$(dirname "$BIN")/bench.jsonl}
: > "$OUT"
V=4096; T=128; B=16
for shape in "100K 2 64 4" "1M 5 128 4" "5M 6 256 4"; do
  set -- $shape
  for r in $(seq "$REPEAT"); do
    "$BIN" $V $T $B "$2" "$3" "$4" "$STEPS" "$THREADS" | sed "s/^{/{\"size\":\"$1\",/" >> "$OUT"
    /usr/bin/python3 tests/bench/bench_train.py $V $T $B "$2" "$3" "$4" "$STEPS" "$THREADS" \
      | sed "s/^{/{\"size\":\"$1\",/" >> "$OUT"
  done
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def best(size, ours, key):
    sel = [r for r in rows if r["size"] == size and (r["impl"] == "xferlaw") == ours]
    return max(sel, key=lambda r: r[key])
print(f'{"size":5s} {"N":>8s} | {"wall tok/s: ours":>16s} {"torch":>6s} {"ratio":>6s} | '
      f'{"cpu tok/s: ours":>15s} {"torch":>6s} {"ratio":>6s} | {"GFLOP/s":>7s} {"sgemm":>6s} {"frac":>5s} | '
      f'{"RSS MB: ours":>12s} {"torch":>6s}')
for size in dict.fromkeys(r["size"] for r in rows):
    ow, tw = best(size, True, "tokens_per_s"), best(size, False, "tokens_per_s")
    oc, tc = best(size, True, "tokens_per_cpu_s"), best(size, False, "tokens_per_cpu_s")
    print(f'{size:5s} {ow["N"]:8d} | {ow["tokens_per_s"]:16.0f} {tw["tokens_per_s"]:6.0f} '
          f'{ow["tokens_per_s"] / tw["tokens_per_s"]:5.2f}x | {oc["tokens_per_cpu_s"]:15.0f} '
          f'{tc["tokens_per_cpu_s"]:6.0f} {oc["tokens_per_cpu_s"] / tc["tokens_per_cpu_s"]:5.2f}x | '
          f'{oc["gflops_cpu"]:7.1f} {oc["sgemm_peak_gflops"]:6.1f} '
          f'{oc["gflops_cpu"] / oc["sgemm_peak_gflops"]:5.0%} | {ow["maxrss_mb"]:12.0f} {tw["maxrss_mb"]:6.0f}')
PY
echo "threads=$THREADS B=$B T=$T V=$V steps=$STEPS, best of $REPEAT alternating runs; FLOPs/token ="
echo "6N + 6VC + 6LTC (Kaplan, causal half); GFLOP/s and the sgemm peak (best of the model's"
echo "fc and head shapes) by CPU time, which time slices taken by other processes do not inflate."
