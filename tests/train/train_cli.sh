#!/usr/bin/env bash
# xferlaw corpus build + xferlaw train through the CLI on a generated corpus: outputs,
# exit codes and one-line errors.
set -u
XL=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
one_line_err() {  # NAME EXPECTED-SUBSTRING ARGS...  (a data error: exit 1; WANT_RC=2 for usage)
  local name=$1 want=$2; shift 2
  local err rc
  err=$("$XL" train "$@" 2>&1 >/dev/null); rc=$?
  [ $rc -eq ${WANT_RC:-1} ] || { echo "FAIL: $name: exit $rc, want ${WANT_RC:-1}"; fail=1; }
  [ "$(wc -l <<<"$err")" -eq 1 ] || { echo "FAIL: $name: error is not one line: $err"; fail=1; }
  grep -q -- "$want" <<<"$err" || { echo "FAIL: $name: '$err' lacks '$want'"; fail=1; }
}
mkdir -p "$tmp/docs"
for i in $(seq 1 120); do
  for j in $(seq 1 30); do printf 'the cat %d sat on mat %d and the dog ran\n' $i $((i * j % 17)); done > "$tmp/docs/d$i.txt"
done
"$XL" corpus build tiny "$tmp/docs" --root "$tmp/c" --tokenizer "$XL_SRCDIR/data/tokenizer.txt" \
  --val 0.1 --test 0.05 --threads 1 > "$tmp/build.txt" 2>&1
check "corpus build" '[ -f "$tmp/c/tiny/manifest.json" ] && grep -q "^train" "$tmp/build.txt"'
out=$("$XL" train --help); check "--help" '[ $? -eq 0 ] && grep -q -- "--init-from" <<<"$out"'
T=(--corpora "$tmp/c" --n-layer 1 --d-model 16 --n-head 2 --ctx 16 --batch 4 --eval-tokens 128 --threads 1)
"$XL" train --data tiny --out "$tmp/run" "${T[@]}" --max-steps 30 --eval-every 10 > "$tmp/out.txt" 2> "$tmp/err.txt"
check "train exit 0" '[ $? -eq 0 ]'
for f in run.json curve.jsonl best.ckpt last.ckpt; do check "$f written" '[ -s "$tmp/run/$f" ]'; done
check "3 curve lines" '[ $(wc -l < "$tmp/run/curve.jsonl") -eq 3 ]'
# the id of this run as the trainer made it before dropout existed: options at their
# defaults stay out of the id, so existing runs keep theirs
check "run id unchanged" 'grep -q "^run 3bd193efd0623bcb:" "$tmp/out.txt"'
"$XL" train --data tiny --out "$tmp/drop" "${T[@]}" --max-steps 30 --eval-every 10 --quiet \
  --dropout 0.2 --attn-dropout 0.1 > "$tmp/drop.txt"
check "dropout recorded" '/usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1]))[\"config\"]; sys.exit(not (c[\"dropout\"] == 0.2 and c[\"attn_dropout\"] == 0.1))" "$tmp/drop/run.json"'
check "dropout changes the id" '! grep -q "^run 3bd193efd0623bcb:" "$tmp/drop.txt" && grep -q "^run " "$tmp/drop.txt"'
check "summary printed" 'grep -q "best val loss" "$tmp/out.txt"'
check "progress on stderr" 'grep -q "train" "$tmp/err.txt"'
"$XL" train --data tiny --out "$tmp/q" "${T[@]}" --max-steps 10 --quiet > /dev/null 2> "$tmp/qerr.txt"
check "--quiet is quiet" '[ ! -s "$tmp/qerr.txt" ]'
check "max-tokens budget" '"$XL" train --data tiny --out "$tmp/mt" "${T[@]}" --max-tokens 640 --quiet | grep -q "^10 steps"'
# a cooldown after the cap: 10 more steps at a falling rate, reported in the summary and record
"$XL" train --data tiny --out "$tmp/cd" "${T[@]}" --max-steps 20 --eval-every 10 --schedule constant \
  --cooldown-frac 0.1 --cooldown-min-steps 10 --quiet > "$tmp/cd.txt"
check "cooldown summary" 'grep -q "^stable phase best .* at step [0-9]*; cooldown 10 steps$" "$tmp/cd.txt" && grep -q "^30 steps" "$tmp/cd.txt"'
check "cooldown recorded" '/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r[\"cooldown_steps\"] == 10 and r[\"end\"] == \"cap\" and r[\"best_val_loss\"] <= r[\"stable_best_val_loss\"] and r[\"config\"][\"cooldown_frac\"] == 0.1))" "$tmp/cd/run.json"'
check "init-from" '"$XL" train --data tiny --out "$tmp/ft" "${T[@]}" --max-steps 5 --quiet --init-from "$tmp/run/best.ckpt" --trainable ln+head >/dev/null'
check "init_from recorded" 'grep -q "\"init_from\":.*best.ckpt" "$tmp/ft/run.json"'
# the record names the OpenBLAS kernel family actually in use (forced here to the baseline)
OPENBLAS_CORETYPE=Prescott "$XL" train --data tiny --out "$tmp/bl" "${T[@]}" --max-steps 2 --quiet > "$tmp/bl.txt"
check "blas named in the summary" 'grep -q "^blas: OpenBLAS Prescott kernels, 1 thread (chosen by OPENBLAS_CORETYPE=Prescott)$" "$tmp/bl.txt"'
# --threads 0 means every core: the summary and the record say how many that was
"$XL" train --data tiny --out "$tmp/b0" "${T[@]}" --threads 0 --max-steps 2 --quiet > "$tmp/b0.txt"
ncores=$(getconf _NPROCESSORS_ONLN)
check "threads 0 is the core count" 'grep -q "^blas: OpenBLAS .* kernels, $ncores thread" "$tmp/b0.txt" && /usr/bin/python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))[\"blas\"][\"threads\"] != int(sys.argv[2]))" "$tmp/b0/run.json" "$ncores"'
check "blas core recorded" '/usr/bin/python3 -c "import json,sys; b=json.load(open(sys.argv[1]))[\"blas\"]; sys.exit(not (b[\"core\"] == \"Prescott\" and b[\"config\"].startswith(\"OpenBLAS\")))" "$tmp/bl/run.json"'

WANT_RC=2 one_line_err "no data" "--data SPEC is required" --out "$tmp/x"
one_line_err "unknown corpus" "unknown corpus 'nope' (no " --data nope --out "$tmp/x" "${T[@]}"
one_line_err "misspelt corpus" "unknown corpus 'tiyn', did you mean 'tiny'?" --data tiyn --out "$tmp/x" "${T[@]}"
one_line_err "bad weight" "bad mixture weight 'x'" --data tiny:x --out "$tmp/x" "${T[@]}"
one_line_err "zero weight" "bad mixture weight '0'" --data tiny:0,tiny2:1 --out "$tmp/x" "${T[@]}"
one_line_err "D too large" "larger than corpus 'tiny'" --data tiny --data-size 99999999 --out "$tmp/x" "${T[@]}"
# an eval count past the val split (and 16384) only repeats windows: refused, with the limit
one_line_err "eval tokens limit" "field 'eval-tokens': 999999999999 is above the limit of 16384" --data tiny --out "$tmp/x" "${T[@]}" --eval-tokens 999999999999
# usage errors exit 2, with a suggestion for a misspelt option
WANT_RC=2 one_line_err "negative size" "train: --d-model: expected an integer >= 1, got '-4'" --data tiny --out "$tmp/x" --d-model -4
WANT_RC=2 one_line_err "negative D" "train: --data-size: expected an integer >= 0, got '-1'" --data tiny --out "$tmp/x" --data-size -1
WANT_RC=2 one_line_err "bad number" "train: --lr: expected a number > 0, got 'abc'" --data tiny --out "$tmp/x" --lr abc
WANT_RC=2 one_line_err "unknown option" "unknown option '--frob'" --data tiny --out "$tmp/x" --frob 1
WANT_RC=2 one_line_err "misspelt option" "unknown option '--treads', did you mean '--threads'?" --data tiny --out "$tmp/x" --treads 1
WANT_RC=2 one_line_err "missing value" "train: --out needs a value" --data tiny --out
# (grep patterns: "." stands for the bracket)
WANT_RC=2 one_line_err "dropout 1" "train: --dropout: expected a number in .0, 1), got '1'" --data tiny --out "$tmp/x" --dropout 1
WANT_RC=2 one_line_err "dropout < 0" "train: --dropout: expected a number in .0, 1), got '-0.1'" --data tiny --out "$tmp/x" --dropout -0.1
WANT_RC=2 one_line_err "dropout nan" "train: --dropout: expected a number in .0, 1), got 'nan'" --data tiny --out "$tmp/x" --dropout nan
WANT_RC=2 one_line_err "attn dropout" "train: --attn-dropout: expected a number in .0, 1), got '1.5'" --data tiny --out "$tmp/x" --attn-dropout 1.5
WANT_RC=2 one_line_err "negative cooldown" "train: --cooldown-frac: expected a number in .0, 10., got '-1'" --data tiny --out "$tmp/x" --schedule constant --cooldown-frac -1
WANT_RC=2 one_line_err "huge cooldown" "train: --cooldown-frac: expected a number in .0, 10., got '11'" --data tiny --out "$tmp/x" --schedule constant --cooldown-frac 11
WANT_RC=2 one_line_err "negative cooldown minimum" "train: --cooldown-min-steps: expected an integer >= 0, got '-3'" --data tiny --out "$tmp/x" --cooldown-min-steps -3
WANT_RC=2 one_line_err "cooldown needs constant" "train: --cooldown-frac: needs --schedule constant" --data tiny --out "$tmp/x" --cooldown-frac 0.2
one_line_err "resume nothing" "no $tmp/x2/last.ckpt" --data tiny --out "$tmp/x2" --resume "${T[@]}"
head -c 1000 "$tmp/run/best.ckpt" > "$tmp/trunc.ckpt"
one_line_err "truncated ckpt" "trunc.ckpt" --data tiny --out "$tmp/x" --init-from "$tmp/trunc.ckpt" "${T[@]}"
check "no run.json after errors" '[ ! -e "$tmp/x/run.json" ]'
exit $fail
