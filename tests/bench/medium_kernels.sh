#!/usr/bin/env bash
# Would OpenBLAS's own AVX-512 kernels shorten the `medium` sweep?  Times `xferlaw train`
# (STEPS steps, 1 thread, batch 16, ctx 64, the python corpus) at medium's five model shapes
# with the forced AVX2 kernels (OPENBLAS_CORETYPE=Haswell, as this workplace sets) and with
# the kernels OpenBLAS picks by itself on this CPU, alternating, best of REPEAT each, and
# prints own/Haswell tokens per second (> 1: the own kernels are faster).
# Usage: tests/bench/medium_kernels.sh [REPEAT=3] [STEPS=600]   env XL=build/src/cli/xferlaw
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEAT=${1:-3}; STEPS=${2:-600}
XL=${XL:-build/src/cli/xferlaw}
export XL_CORPORA=${XL_CORPORA:-data/corpora}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
tps() {  # CORE L C H -> tokens/s of one run (CORE "own": the variable unset)
  local core=$1; shift
  rm -rf "$W/r"
  if [ "$core" = own ]; then
    env -u OPENBLAS_CORETYPE "$XL" train --data python --out "$W/r" --n-layer $1 --d-model $2 \
      --n-head $3 --ctx 64 --batch 16 --max-steps "$STEPS" --eval-every 100000 --patience 0 --quiet >/dev/null
  else
    OPENBLAS_CORETYPE=$core "$XL" train --data python --out "$W/r" --n-layer $1 --d-model $2 \
      --n-head $3 --ctx 64 --batch 16 --max-steps "$STEPS" --eval-every 100000 --patience 0 --quiet >/dev/null
  fi
  /usr/bin/python3 -c "import json; r = json.load(open('$W/r/run.json')); print(r['tokens_per_s'], r['blas']['core'])"
}
printf '%-9s %8s %14s %14s %-12s %6s\n' "L,C,H" N "Haswell tok/s" "own tok/s" "own core" own/Haswell
for shape in "1 16 2" "1 32 2" "2 48 4" "2 80 4" "3 96 4"; do
  set -- $shape
  h=0; o=0; oc=?
  for r in $(seq "$REPEAT"); do
    read -r t _ < <(tps Haswell "$@"); h=$(/usr/bin/python3 -c "print(max($h, $t))")
    read -r t oc < <(tps own "$@"); o=$(/usr/bin/python3 -c "print(max($o, $t))")
  done
  /usr/bin/python3 -c "print('%-9s %8d %14.0f %14.0f %-12s %6.2fx' % ('$1,$2,$3', $1*(12*$2*$2+13*$2)+2*$2, $h, $o, '$oc', $o / $h))"
done
echo "$STEPS steps per run, 1 thread, best of $REPEAT; the machine is shared, timings are noisy"
