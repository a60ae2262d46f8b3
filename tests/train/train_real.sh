#!/usr/bin/env bash
# Training on the bundled corpora (slow suite): the loss falls with N and with D, a
# halted run resumed reproduces the uninterrupted curve exactly, and fine-tuning a model
# pre-trained on text beats training from scratch on little python.
set -u
XL=$1
export XL_CORPORA=${XL_CORPORA:-$XL_SRCDIR/data/corpora}
[ -f "$XL_CORPORA/python/manifest.json" ] || { echo "no corpora in $XL_CORPORA (run data/build_corpora.sh)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
best() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['best_val_loss'])" "$1/run.json"; }
decreasing() {  # NAME v1 v2 v3: strictly decreasing
  /usr/bin/python3 -c "import sys; v=[float(x) for x in sys.argv[2:]]; sys.exit(0 if all(a > b for a, b in zip(v, v[1:])) else 1)" "$@" \
    || { echo "FAIL: $1 not decreasing: ${*:2}"; fail=1; }
}
S=(--n-layer 2 --ctx 64 --batch 16 --eval-tokens 16384 --threads 1 --quiet --patience 0)

# loss falls with N (same data, same steps)
vals=()
for d in 16 32 64; do
  "$XL" train --data python --out "$tmp/n$d" "${S[@]}" --d-model $d --n-head 2 --max-steps 250 --eval-every 125 >/dev/null || fail=1
  vals+=("$(best "$tmp/n$d")")
done
echo "N sweep (d_model 16, 32, 64): ${vals[*]}"
decreasing "loss vs N" "${vals[@]}"

# loss falls with D (same model, same steps: small D is repeated for many epochs)
vals=()
for D in 2000 20000 200000; do
  "$XL" train --data python --out "$tmp/d$D" "${S[@]}" --d-model 32 --n-head 2 --data-size $D --max-steps 300 --eval-every 50 >/dev/null || fail=1
  vals+=("$(best "$tmp/d$D")")
done
echo "D sweep (2K, 20K, 200K tokens): ${vals[*]}"
decreasing "loss vs D" "${vals[@]}"
grep -q '"D":[[:space:]]*2000,' "$tmp/d2000/run.json" || { echo "FAIL: D not recorded as 2000"; fail=1; }

# resume: halt at step 40, resume, compare with the uninterrupted curve (bar wall time)
R=(--data code --d-model 32 --n-head 2 --max-steps 80 --eval-every 20 --data-size 50000)
"$XL" train --out "$tmp/full" "${S[@]}" "${R[@]}" >/dev/null || fail=1
"$XL" train --out "$tmp/part" "${S[@]}" "${R[@]}" --halt-at-step 40 >/dev/null || fail=1
[ ! -e "$tmp/part/run.json" ] || { echo "FAIL: halted run wrote run.json"; fail=1; }
"$XL" train --out "$tmp/part" "${S[@]}" "${R[@]}" --resume >/dev/null || fail=1
strip() { sed 's/,"seconds":[0-9.]*//' "$1/curve.jsonl"; }
if [ "$(strip "$tmp/full")" != "$(strip "$tmp/part")" ] || [ "$(best "$tmp/full")" != "$(best "$tmp/part")" ]; then
  echo "FAIL: resumed curve differs"; diff <(strip "$tmp/full") <(strip "$tmp/part"); fail=1
fi
cmp -s "$tmp/full/best.ckpt" "$tmp/part/best.ckpt" || { echo "FAIL: best.ckpt differs after resume"; fail=1; }
# the same with a real kill -9 once the first last.ckpt exists (mid-run, wherever it lands)
"$XL" train --out "$tmp/kill" "${S[@]}" "${R[@]}" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -e "$tmp/kill/last.ckpt" ] && break; sleep 0.05; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
"$XL" train --out "$tmp/kill" "${S[@]}" "${R[@]}" --resume >/dev/null || fail=1
[ "$(strip "$tmp/full")" = "$(strip "$tmp/kill")" ] || { echo "FAIL: curve after kill -9 + resume differs"; fail=1; }

# transfer: pre-train on text, fine-tune on 5K python tokens, versus scratch on the same
F=(--d-model 32 --n-head 2 --eval-every 25)
"$XL" train --data text --out "$tmp/pre" "${S[@]}" "${F[@]}" --max-steps 300 >/dev/null || fail=1
"$XL" train --data python --data-size 5000 --out "$tmp/ft" "${S[@]}" "${F[@]}" --max-steps 150 --init-from "$tmp/pre/best.ckpt" >/dev/null || fail=1
"$XL" train --data python --data-size 5000 --out "$tmp/sc" "${S[@]}" "${F[@]}" --max-steps 150 >/dev/null || fail=1
ft=$(best "$tmp/ft"); sc=$(best "$tmp/sc")
echo "5K python tokens: fine-tuned from text $ft, from scratch $sc"
decreasing "scratch vs fine-tuned" "$sc" "$ft"
exit $fail
