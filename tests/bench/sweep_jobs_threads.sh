#!/usr/bin/env bash
# Benchmark for `xferlaw sweep`'s default split of cores: for small models, do K runs on
# one core each beat K runs one after another on K cores each?  Measures training steps
# of src/nn (tests/bench/bench_train.c) at the sweep's model shapes:
#   pool:    CORES processes at once, --threads 1 each   (sum of their tokens/s)
#   threads: one process with CORES threads              (its tokens/s)
# and prints pool/threads.  With the real trainer built, MODE=train measures whole
# `xferlaw train` runs instead (wall time of CORES runs both ways; > 1x: the pool wins).
# Usage: tests/bench/sweep_jobs_threads.sh [REPEAT=3] [STEPS=40]   env BUILD=build CORES=2
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEAT=${1:-3}; STEPS=${2:-40}
BUILD=${BUILD:-build}; CORES=${CORES:-$(nproc)}
V=1024; T=64; B=16
if [ "${MODE:-nn}" = train ]; then
  # whole `xferlaw train` runs on the bundled python corpus, TOKENS each
  XL=${XL:-$BUILD/src/cli/xferlaw}; TOKENS=${TOKENS:-300000}
  export XL_CORPORA=${XL_CORPORA:-data/corpora}
  W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
  run() {  # OUT THREADS L C H
    "$XL" train --data python --out "$1" --n-layer $3 --d-model $4 --n-head $5 --ctx $T \
      --batch $B --max-tokens $TOKENS --eval-every 1000 --patience 0 --threads $2 --quiet >/dev/null
  }
  printf '%-10s %9s %12s %12s %7s\n' "L,C,H" N "pool wall" "threads wall" "threads/pool"
  for shape in "1 32 2" "2 64 4" "3 96 4"; do
    set -- $shape
    bp=1e9; bt=1e9
    for r in $(seq "$REPEAT"); do
      rm -rf "$W"/*; t0=$(date +%s.%N)
      for k in $(seq "$CORES"); do run "$W/p$k" 1 "$@" & done; wait
      t1=$(date +%s.%N)
      for k in $(seq "$CORES"); do run "$W/t$k" "$CORES" "$@"; done
      t2=$(date +%s.%N)
      bp=$(/usr/bin/python3 -c "print(min($bp, $t1 - $t0))"); bt=$(/usr/bin/python3 -c "print(min($bt, $t2 - $t1))")
    done
    /usr/bin/python3 -c "print('%-10s %9d %11.1fs %11.1fs %6.2fx' % ('$1,$2,$3', $1*(12*$2*$2+13*$2)+2*$2, $bp, $bt, $bt / $bp))"
  done
  echo "cores=$CORES: $CORES runs of $TOKENS tokens at once with 1 thread each (pool) vs one after another with $CORES threads each; best of $REPEAT; the machine is shared, timings are noisy"
  exit 0
fi
BIN=$(mktemp -d)/bench_train
trap 'rm -rf "$(dirname "$BIN")"' EXIT
cc -O2 -Iinclude $(pkg-config --cflags openblas) tests/bench/bench_train.c -o "$BIN" \
   -L"$BUILD" -lxferlaw -Wl,-rpath,"$PWD/$BUILD" $(pkg-config --libs openblas) -lm
tps() { /usr/bin/python3 -c 'import json,sys; print(sum(json.loads(l)["tokens_per_s"] for l in sys.stdin if l.strip()))'; }
printf '%-14s %9s %14s %14s %7s\n' "L,C,H" N "pool tok/s" "threads tok/s" "pool/threads"
for shape in "1 16 2" "1 32 2" "2 32 4" "2 48 4" "2 64 4" "3 64 4" "4 128 4"; do
  set -- $shape
  best_p=0; best_t=0
  for r in $(seq "$REPEAT"); do
    p=$(for k in $(seq "$CORES"); do OPENBLAS_NUM_THREADS=1 "$BIN" $V $T $B $1 $2 $3 $STEPS 1 & done | tps)
    t=$(OPENBLAS_NUM_THREADS=$CORES "$BIN" $V $T $B $1 $2 $3 $STEPS "$CORES" | tps)
    best_p=$(/usr/bin/python3 -c "print(max($best_p, $p))")
    best_t=$(/usr/bin/python3 -c "print(max($best_t, $t))")
  done
  N=$((12 * $1 * $2 * $2))
  /usr/bin/python3 -c "print('%-14s %9d %14.0f %14.0f %6.2fx' % ('$1,$2,$3', $N, $best_p, $best_t, $best_p / $best_t))"
done
echo "cores=$CORES V=$V T=$T B=$B steps=$STEPS, best of $REPEAT; the machine is shared, timings are noisy"
