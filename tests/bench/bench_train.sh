#!/usr/bin/env bash
# Benchmark: one training step (forward + backward + clip + AdamW) of src/nn against an
# identical PyTorch model (tests/bench/bench_train.py, Debian python3-torch) at ~100K,
# ~1M and ~5M non-embedding parameters, T=128, V=4096, B=16, same thread count.
# Also cblas_sgemm alone at the model's shapes (the peak the achieved GFLOP/s is
# compared with), the core's own FMA ceiling, and peak RSS of both.  The machine is
# shared: each pair runs back to back, REPEAT times, and the best of each is kept.
# Usage: tests/bench/bench_train.sh [THREADS=1] [REPEAT=3] [STEPS=10]
#   env BUILD=build (a release build dir with libxferlaw), OUT=file to keep the JSON lines,
#   CORE=both|env|auto: which OpenBLAS kernel family both sides run.  "env" leaves
#   OPENBLAS_CORETYPE as the environment has it, "auto" unsets it (OpenBLAS's own pick for
#   this CPU, what a user's machine runs); "both" (the default) runs env, then auto, when
#   OPENBLAS_CORETYPE is set, else once.  The two sides always share one setting.
# Prints wall-clock and CPU-time tokens/s: on a loaded machine the wall-clock figures of
# either side swing by 2x from run to run, the CPU-time ones far less.
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${1:-1}; REPEAT=${2:-3}; STEPS=${3:-10}
BUILD=${BUILD:-build}
CORE=${CORE:-both}
case "$CORE" in
  both) if [ -n "${OPENBLAS_CORETYPE:-}" ]; then SETTINGS="env auto"; else SETTINGS="env"; fi ;;
  env|auto) SETTINGS=$CORE ;;
  *) echo "bench_train: CORE must be both, env or auto, not '$CORE'" >&2; exit 2 ;;
esac
[ -f "$BUILD/libxferlaw.so" ] || { echo "bench_train: build $BUILD first (meson setup $BUILD && ninja -C $BUILD)" >&2; exit 1; }
BIN=$(mktemp -d)/bench_train
trap 'rm -rf "$(dirname "$BIN")"' EXIT
cc -O2 -Iinclude $(pkg-config --cflags openblas) tests/bench/bench_train.c -o "$BIN" \
   -L"$BUILD" -lxferlaw -Wl,-rpath,"$PWD/$BUILD" $(pkg-config --libs openblas) -lm
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
OUT=${OUT:-$(dirname "$BIN")/bench.jsonl}
: > "$OUT"
V=4096; T=128; B=16
for setting in $SETTINGS; do
  if [ "$setting" = auto ]; then run=(env -u OPENBLAS_CORETYPE); else run=(env); fi
  tag="\"setting\":\"$setting\",\"coretype_env\":\"${OPENBLAS_CORETYPE:-}\""
  for shape in "100K 2 64 4" "1M 5 128 4" "5M 6 256 4"; do
    set -- $shape
    for r in $(seq "$REPEAT"); do
      "${run[@]}" "$BIN" $V $T $B "$2" "$3" "$4" "$STEPS" "$THREADS" \
        | sed "s/^{/{\"size\":\"$1\",$tag,/" >> "$OUT"
      "${run[@]}" /usr/bin/python3 tests/bench/bench_train.py $V $T $B "$2" "$3" "$4" "$STEPS" "$THREADS" \
        | sed "s/^{/{\"size\":\"$1\",$tag,/" >> "$OUT"
    done
  done
done
/usr/bin/python3 - "$OUT" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def best(setting, size, ours, key):
    sel = [r for r in rows if r["setting"] == setting and r["size"] == size
           and (r["impl"] == "xferlaw") == ours]
    return max(sel, key=lambda r: r[key])
for setting in dict.fromkeys(r["setting"] for r in rows):
    env = next(r["coretype_env"] for r in rows if r["setting"] == setting)
    if setting == "env" and env:
        how = f"OPENBLAS_CORETYPE={env}, as the environment sets it"
    else:
        how = "OpenBLAS's own kernel choice for this CPU" + (" (OPENBLAS_CORETYPE unset)" if env else "")
    print(f"-- {how}")
    print(f'{"size":5s} {"N":>8s} {"core: ours/torch":>21s} | {"wall tok/s: ours":>16s} {"torch":>6s} {"ratio":>6s} | '
          f'{"cpu tok/s: ours":>15s} {"torch":>6s} {"ratio":>6s} | {"GFLOP/s":>7s} {"sgemm":>6s} {"frac":>5s} | '
          f'{"torch frac":>10s} {"2x needs":>8s} {"FMA peak":>8s} | {"RSS MB: ours":>12s} {"torch":>6s}')
    for size in dict.fromkeys(r["size"] for r in rows if r["setting"] == setting):
        ow, tw = best(setting, size, True, "tokens_per_s"), best(setting, size, False, "tokens_per_s")
        oc, tc = best(setting, size, True, "tokens_per_cpu_s"), best(setting, size, False, "tokens_per_cpu_s")
        peak = oc["sgemm_peak_gflops"]
        torch_gf = tc["tokens_per_cpu_s"] * oc["flops_per_token"] / 1e9
        cores = f'{oc["blas_core"]}/{tc["blas_core"]}'
        print(f'{size:5s} {ow["N"]:8d} {cores:>21s} | {ow["tokens_per_s"]:16.0f} {tw["tokens_per_s"]:6.0f} '
              f'{ow["tokens_per_s"] / tw["tokens_per_s"]:5.2f}x | {oc["tokens_per_cpu_s"]:15.0f} '
              f'{tc["tokens_per_cpu_s"]:6.0f} {oc["tokens_per_cpu_s"] / tc["tokens_per_cpu_s"]:5.2f}x | '
              f'{oc["gflops_cpu"]:7.1f} {peak:6.1f} {oc["gflops_cpu"] / peak:5.0%} | '
              f'{torch_gf / peak:10.0%} {2 * torch_gf / peak:8.0%} {oc["fma_peak_gflops"]:8.1f} | '
              f'{ow["maxrss_mb"]:12.0f} {tw["maxrss_mb"]:6.0f}')
EOF
echo "threads=$THREADS B=$B T=$T V=$V steps=$STEPS, best of $REPEAT alternating runs; FLOPs/token ="
echo "6N + 6VC + 6LTC (Kaplan, causal half).  GFLOP/s, the sgemm peak (cblas_sgemm alone, best"
echo "of the model's fc and head shapes) and the FMA peak (the core's own ceiling: independent"
echo "FMAs on its widest vectors) are by CPU time, which slices taken by other processes do not"
echo "inflate.  'torch frac': torch's GFLOP/s over the sgemm peak; '2x needs': the same for a"
echo "step at twice torch's tokens/s (above 100%, no float32 step on this BLAS can get there)."
