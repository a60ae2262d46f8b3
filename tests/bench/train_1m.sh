#!/usr/bin/env bash
# Done-when check of issue 3: on the bundled python corpus a ~1M-parameter model gets
# well below the unigram entropy in a few minutes.  Prints the unigram entropy of the
# python val split (nats/token; computed by numpy from val.bin, independently of
# xferlaw), the model's best val loss, wall time and tokens/s.
#   tests/bench/train_1m.sh [BINARY] [STEPS]     (default build/src/cli/xferlaw, 400)
set -euo pipefail
cd "$(dirname "$0")/../.."
XL=${1:-build/src/cli/xferlaw}
STEPS=${2:-400}
ROOT=${XL_CORPORA:-data/corpora}
OUT=${OUT:-runs/bench_1m}
H=$(/usr/bin/python3 -c "
import numpy as np
v = np.fromfile('$ROOT/python/val.bin', dtype='<u2')
p = np.bincount(v, minlength=1024) / len(v); p = p[p > 0]
print('%.4f' % -(p * np.log(p)).sum())")
# N = L (12 d^2 + 13 d) + 2 d = 1,003,104 for L = 4, d = 144
/usr/bin/time -f "%U %S" -o "$OUT.cpu" "$XL" train --data python --out "$OUT" --n-layer 4 --d-model 144 --n-head 4 --ctx 128 \
  --batch 16 --lr 2e-3 --warmup 40 --max-steps "$STEPS" --eval-every 100 \
  --eval-tokens 32768 --patience 0 --threads "${THREADS:-1}" --quiet
/usr/bin/python3 - "$OUT/run.json" "$H" "$OUT.cpu" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); H = float(sys.argv[2])
cpu = sum(map(float, open(sys.argv[3]).read().split()[-2:]))
print(f"python val unigram entropy: {H:.4f} nats/token")
print(f"N = {r['N']:,}  best val loss {r['best_val_loss']:.4f} nats/token "
      f"({r['best_val_bpb']:.3f} bits/byte) = unigram - {H - r['best_val_loss']:.3f}")
print(f"{r['tokens_seen']:,} tokens in {r['seconds']:.0f} s wall ({r['tokens_per_s']:.0f} tokens/s), "
      f"{cpu:.0f} s CPU ({r['tokens_seen'] / cpu:.0f} tokens per CPU second)")
PY
