#!/usr/bin/env bash
# Issue 11: does GPT-2 dropout smooth the small-D end of the from-scratch curve or lower
# the transition?  Trains N = 56.6k (2 layers, d_model 48) from scratch on python at
# D = 32k, 48k, 64k, 128k tokens with --dropout 0, 0.1, 0.2, under the data-limit
# protocol (constant rate, patience in steps: docs/protocol.md), and prints per run the
# best val loss, its step and how the run ended, then per D the change against P = 0.
#   tests/bench/dropout_small_d.sh [BINARY]          (default build/src/cli/xferlaw)
# Environment: OUT (runs/bench_dropout), DS ("32000 48000 64000 128000"),
# PS ("0 0.1 0.2"), ATTN (--attn-dropout, default 0), SEED (1), JOBS (parallel runs, 1),
# MAX_TOKENS (the safety cap, 16000000; small values make a smoke test).
# Finished runs (run.json) are kept and killed ones resumed, so a second call only
# prints the table.  CPU heavy: run it on an idle machine.
set -euo pipefail
XL=$(realpath "${1:-$(dirname "$0")/../../build/src/cli/xferlaw}")
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs/bench_dropout}
DS=${DS:-32000 48000 64000 128000}
PS=${PS:-0 0.1 0.2}
ATTN=${ATTN:-0}
SEED=${SEED:-1}
JOBS=${JOBS:-1}
mkdir -p "$OUT"
A=(--data python --n-layer 2 --d-model 48 --n-head 4 --ctx 64 --batch 16 --lr 3e-3
   --schedule constant --patience-steps 200 --patience-frac 0.25 --min-delta 0.01
   --eval-growth 0.1 --eval-every 10 --eval-tokens 8192 --warmup 20
   --max-tokens "${MAX_TOKENS:-16000000}"
   --seed "$SEED" --threads 1 --quiet)
one() {  # D P
  local dir="$OUT/D$1_p$2_a${ATTN}_s$SEED" resume=()
  [ -f "$dir/run.json" ] && return 0
  [ -f "$dir/last.ckpt" ] && resume=(--resume)
  "$XL" train "${A[@]}" --data-size "$1" --dropout "$2" --attn-dropout "$ATTN" \
    --out "$dir" "${resume[@]}" > "$dir.log" 2>&1 || { echo "FAILED: $dir (see $dir.log)"; return 1; }
}
running=0
for D in $DS; do
  for P in $PS; do
    one "$D" "$P" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
  done
done
wait
/usr/bin/python3 - "$OUT" "$ATTN" "$SEED" "$DS" "$PS" <<'PY'
import json, os, sys
out, attn, seed = sys.argv[1:4]
Ds, Ps = sys.argv[4].split(), sys.argv[5].split()
rec = {}
for D in Ds:
    for P in Ps:
        f = os.path.join(out, f"D{D}_p{P}_a{attn}_s{seed}", "run.json")
        if os.path.exists(f):
            rec[D, P] = json.load(open(f))
print(f"N = 56.6k from scratch on python, attn dropout {attn}, seed {seed}")
print(f"{'D':>8} {'dropout':>7} {'best val':>9} {'best step':>9} {'steps':>6} {'end':>9} {'vs P=0':>8}")
for D in Ds:
    base = rec.get((D, Ps[0]))
    for P in Ps:
        r = rec.get((D, P))
        if not r:
            print(f"{D:>8} {P:>7} {'(missing)':>9}")
            continue
        d = f"{r['best_val_loss'] - base['best_val_loss']:+.4f}" if base and P != Ps[0] else ""
        print(f"{D:>8} {P:>7} {r['best_val_loss']:9.4f} {r['best_step']:9d} {r['steps']:6d} "
              f"{r['end']:>9} {d:>8}")
# the small-D curve per rate: loss against D should fall smoothly (each step down)
for P in Ps:
    ls = [rec[D, P]["best_val_loss"] for D in Ds if (D, P) in rec]
    if len(ls) == len(Ds):
        steps = [b - a for a, b in zip(ls, ls[1:])]
        print(f"dropout {P}: L(D) = " + " ".join(f"{x:.4f}" for x in ls) +
              "; steps " + " ".join(f"{s:+.4f}" for s in steps) +
              ("" if all(s < 0 for s in steps) else "  (not monotone)"))
PY
