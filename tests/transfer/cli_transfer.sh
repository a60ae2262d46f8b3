#!/usr/bin/env bash
# xferlaw transfer / compare on files: outputs, sweep-style JSONL, and bad input errors.
set -u
X=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1"; fail=1; fi; }

"$X" transfer --make-planted "$T/p.csv" --curricula 2 2>/dev/null
check '[ "$(head -1 "$T/p.csv")" = "curriculum,N,D,loss" ]'
check '[ "$(wc -l < "$T/p.csv")" -gt 200 ]'
"$X" transfer "$T/p.csv" -o "$T/t.json" --csv "$T/t.csv" --bootstrap 50 --quiet --at 1e7,1e6 \
    --target-loss 3.5 --pretrain-tokens 1e10 > "$T/out.txt"
check '[ $? -eq 0 ]'
check 'grep -q "fit the fits" "$T/out.txt"'
check 'grep -q "least fine-tuning data" "$T/out.txt"'
check 'grep -q "\"loglinear_interp\"" "$T/t.json"'
check 'grep -q "\"loss_space\"" "$T/t.json"'
check 'grep -Eq "\"sha256\":[[:space:]]*\"[0-9a-f]{64}\"" "$T/t.json"'
check '[ "$(wc -l < "$T/t.csv")" -eq 87 ]'   # 86 fine-tuned runs + header
"$X" compare "$T/p.csv" --bootstrap 0 --quiet --at 1e7,1e6 > "$T/cmp.txt"
check 'grep -q "alpha       differ" "$T/cmp.txt"'
check 'grep -q "Loss space" "$T/cmp.txt"'
"$X" compare "$T/p.csv" --bootstrap 0 --quiet --estimator fit > "$T/cmp2.txt"
check 'grep -q "on the fit estimator" "$T/cmp2.txt"'
"$X" transfer "$T/p.csv" --bootstrap 0 --quiet --target-loss 3.3 --compute-curriculum mix > "$T/cmp3.txt"
check 'grep -q "fine-tuning law of .mix." "$T/cmp3.txt"'

# a sweep's runs.jsonl: kind pretrain is skipped, kind scratch is from scratch
mkdir -p "$T/sweep"
awk -F, 'NR > 1 { k = ($1 == "scratch") ? "scratch" : "finetune"; c = ($1 == "scratch") ? "text" : $1;
  printf "{\"kind\":\"%s\",\"curriculum\":\"%s\",\"N\":%s,\"D\":%s,\"loss\":%s}\n", k, c, $2, $3, $4 }' \
  "$T/p.csv" > "$T/sweep/runs.jsonl"
echo '{"kind":"pretrain","curriculum":"text","N":1e6,"D":1e9,"loss":1.0}' >> "$T/sweep/runs.jsonl"
"$X" transfer "$T/sweep" --bootstrap 0 --quiet -o "$T/s.json" > /dev/null
check '[ $? -eq 0 ]'
check 'grep -Eq "\"rows\":[[:space:]]*261$" "$T/s.json"'
# one exponent determined, the law not: beta_alone.csv is a measured table (an earlier medium
# sweep, whole-document subsets; pre-transition runs removed) whose β intervals pass the
# width test and exclude 0 while α's do not
"$X" transfer "$XL_SRCDIR/tests/transfer/beta_alone.csv" --bootstrap 400 --seed 1 --quiet > "$T/ba.txt"
check 'grep -qF "text: β alone is determined: β = 0.197 [0.116, 0.346], > 0 at 95%" "$T/ba.txt"'
check 'grep -qF "text+code: β alone is determined: β = 0.168 [0.101, 0.285]" "$T/ba.txt"'
check '! grep -q "α alone" "$T/ba.txt"'
# the fine-tuned table is sorted by curriculum, N, D_F whatever the file's order, and
# counts are whole numbers (no 3312 next to 1.277e+04)
{ head -1 "$T/p.csv"; tail -n +2 "$T/p.csv" | sort -t, -k3,3gr; } > "$T/shuf.csv"
"$X" transfer "$T/shuf.csv" --bootstrap 0 --quiet > "$T/shuf.txt"
sed -n '/^Fine-tuned runs/,/^$/p' "$T/shuf.txt" | awk 'NR > 2 && NF >= 8 { print $1, $2, $3 }' > "$T/rows.txt"
check '[ "$(wc -l < "$T/rows.txt")" -gt 80 ]'
check 'sort -k1,1 -k2,2g -k3,3g -c "$T/rows.txt"'
check '! grep -q "e+" "$T/rows.txt"'

# bad input: one line naming file, line and field; non-zero exit; no output file
printf 'curriculum,N,D,loss\nscratch,1e6,1e5,4.0\nscratch,1e6,2e5,abc\n' > "$T/bad.csv"
"$X" transfer "$T/bad.csv" -o "$T/bad.json" 2> "$T/err.txt"
check '[ $? -ne 0 ]'
check '[ "$(wc -l < "$T/err.txt")" -eq 1 ]'
check 'grep -q "bad.csv:3: field .loss.: not a finite number" "$T/err.txt"'
check '[ ! -e "$T/bad.json" ]'
printf 'curriculum,N,loss\nscratch,1e6,4.0\n' > "$T/nod.csv"
"$X" transfer "$T/nod.csv" 2> "$T/err.txt"
check '[ $? -ne 0 ] && grep -q "field .D.: no such column" "$T/err.txt"'
printf 'curriculum,N,D,loss\nscratch,1e6,1e5,-4.0\n' > "$T/neg.csv"
"$X" transfer "$T/neg.csv" 2> "$T/err.txt"
check '[ $? -ne 0 ] && grep -q "neg.csv:2: field .loss.: must be > 0" "$T/err.txt"'
printf '{"curriculum":"scratch","N":1e6,"D":1e5,"loss":4}\n{"curriculum":"scratch","N":1e6,"D":\n' > "$T/bad.jsonl"
"$X" transfer "$T/bad.jsonl" 2> "$T/err.txt"
check '[ $? -ne 0 ] && grep -q "bad.jsonl:2: " "$T/err.txt"'
"$X" transfer "$T/missing.csv" 2> "$T/err.txt"
check '[ $? -ne 0 ] && [ "$(wc -l < "$T/err.txt")" -eq 1 ]'
"$X" transfer "$T/p.csv" --low-data x 2> "$T/err.txt"
check '[ $? -eq 2 ]'
# --define / --where through the table module: keep one curriculum, rename D
"$X" transfer "$T/p.csv" --where 'curriculum != "mix"' --define 'D_F=D' --bootstrap 0 --quiet \
    -o "$T/w.json" > /dev/null
check '[ $? -eq 0 ] && ! grep -q "\"mix\"" "$T/w.json" && grep -q "\"text\"" "$T/w.json"'
"$X" transfer "$T/p.csv" --where 'nosuch > 1' 2> "$T/err.txt"
check '[ $? -ne 0 ] && [ "$(wc -l < "$T/err.txt")" -eq 1 ]'
# pipes: '-' reads the table from stdin, '--out -' writes the JSON alone to stdout (tables to
# stderr); /dev/stdin works too (the input is read once); same digest as the file
j=$("$X" transfer - --bootstrap 0 --quiet --out - < "$T/p.csv" 2> "$T/tables.txt")
check '[ $? -eq 0 ] && /usr/bin/python3 -c "import json,sys; json.loads(sys.stdin.read())" <<<"$j"'
check 'grep -q "$(sha256sum "$T/p.csv" | cut -c1-64)" <<<"$j" && grep -q "Curricula" "$T/tables.txt"'
cat "$T/p.csv" | "$X" transfer /dev/stdin --bootstrap 0 --quiet --csv - > "$T/pipe.csv" 2>/dev/null
check '[ $? -eq 0 ] && [ "$(head -c 10 "$T/pipe.csv")" = "curriculum" ]'
# usage errors: exit 2 with a suggestion, named by the command that was run
err=$("$X" compare "$T/p.csv" --estimatr fit 2>&1); rc=$?
check '[ $rc -eq 2 ] && [ "$err" = "xferlaw compare: unknown option '"'--estimatr'"', did you mean '"'--estimator'"'? (see '"'xferlaw compare --help'"')" ]'
err=$("$X" compare "$T/p.csv" --estimator fot 2>&1); rc=$?
check '[ $rc -eq 2 ] && grep -q "^xferlaw compare: --estimator is interp or fit, not .fot., did you mean .fit.?" <<<"$err"'
check '"$X" transfer - --out - --csv - < "$T/p.csv" 2>/dev/null; [ $? -eq 2 ]'
err=$("$X" transfer "$T/p.csv" --verdict-width 0 -o "$T/vw.json" 2>&1); rc=$?
check '[ $rc -eq 2 ] && [ ! -e "$T/vw.json" ] && [ "$err" = "xferlaw transfer: --verdict-width: expected a number in (0, 10], got '"'0'"' (see '"'xferlaw transfer --help'"')" ]'
# a sweep's pre-training runs are reported beside the analysis (val loss per N), not fitted
"$X" transfer "$XL_SRCDIR/data/small_runs.jsonl" --bootstrap 0 --quiet -o "$T/pre.json" > "$T/pre.txt"
check '[ $? -eq 0 ] && grep -q "^Pre-training" "$T/pre.txt" && /usr/bin/python3 -c "
import json, sys
p = json.load(open(sys.argv[1]))[\"pretrain\"]
t = sorted((r[\"N\"], r[\"val_loss\"]) for r in p if r[\"curriculum\"] == \"text\")
sys.exit(not (len(p) == 10 and len(t) == 5 and all(b[1] < a[1] for a, b in zip(t, t[1:]))))" "$T/pre.json"'
# the protocol's record fields: a capped run and runs below the unigram level are screened
cat > "$T/proto.jsonl" <<'J'
{"kind":"scratch","curriculum":"scratch","N":5e4,"D":16000,"loss":5.6,"end":"overfit","val_unigram_loss":5.74}
{"kind":"scratch","curriculum":"scratch","N":5e4,"D":64000,"loss":4.9,"end":"overfit","val_unigram_loss":5.74}
{"kind":"scratch","curriculum":"scratch","N":5e4,"D":128000,"loss":4.1,"end":"converged","val_unigram_loss":5.74}
{"kind":"scratch","curriculum":"scratch","N":5e4,"D":256000,"loss":3.7,"end":"converged","val_unigram_loss":5.74}
{"kind":"scratch","curriculum":"scratch","N":5e4,"D":512000,"loss":3.4,"end":"cap","val_unigram_loss":5.74}
{"kind":"finetune","curriculum":"text","N":5e4,"D":16000,"loss":4.8,"end":"overfit","val_unigram_loss":5.74}
{"kind":"finetune","curriculum":"text","N":5e4,"D":64000,"loss":4.5,"end":"overfit","val_unigram_loss":5.74}
J
"$X" transfer "$T/proto.jsonl" --bootstrap 0 --quiet --csv "$T/proto.csv" > "$T/proto.txt"
check '[ $? -eq 0 ] && grep -q "screened: 1 from-scratch runs ended at the step cap (left out), 1 below the unigram transition (left out)" "$T/proto.txt"'
check 'grep -q "^text,50000,16000,.*pre_transition" "$T/proto.csv" && ! grep -q "^text,50000,64000,.*pre_transition" "$T/proto.csv"'
check 'grep -q "1 fine-tunes and 1 from-scratch runs are below the unigram transition" "$T/proto.txt" && grep -q "0 fine-tunes and 1 from-scratch runs ended at the trainer.s step cap" "$T/proto.txt"'
# one fine-tune worse than from scratch at its own D: the verdict's counts agree in number
{ cat "$T/proto.jsonl"; echo '{"kind":"finetune","curriculum":"text","N":5e4,"D":128000,"loss":4.2,"end":"overfit","val_unigram_loss":5.74}'; } > "$T/proto3.jsonl"
"$X" transfer "$T/proto3.jsonl" --bootstrap 0 --quiet > "$T/proto3.txt"
check 'grep -qF "  - 1 run shows no transfer (D_T ≤ 0)." "$T/proto3.txt" && grep -qF "text: ossification seen: 1 run ends above the from-scratch loss" "$T/proto3.txt"'
# every from-scratch run screened: the error says why and what keeps them
grep -v '"D":\(64000\|128000\|256000\),' "$T/proto.jsonl" > "$T/proto_pre.jsonl"
"$X" transfer "$T/proto_pre.jsonl" --bootstrap 0 --quiet 2> "$T/err.txt"
check '[ $? -eq 1 ] && grep -q "every from-scratch run was screened out (1 below the unigram transition, 1 ended at the step cap; docs/protocol.md): --include-pre-transition / --include-cap keep them" "$T/err.txt"'
"$X" transfer "$T/proto.jsonl" --bootstrap 0 --quiet --include-cap --include-pre-transition > "$T/proto2.txt"
check '[ $? -eq 0 ] && grep -q "(kept)" "$T/proto2.txt" && grep -q "^From-scratch model: 1 sizes, 5 runs" "$T/proto2.txt"'
# the verdict: first on stdout, the same sentences in the JSON, flags on degenerate numbers
"$X" transfer "$T/p.csv" --bootstrap 50 --quiet -o "$T/v.json" > "$T/v.txt"
check '[ "$(head -1 "$T/v.txt")" = "Verdict" ] && grep -q "^  A transfer law was measured" "$T/v.txt"'
check '/usr/bin/python3 -c "
import json,sys
j=json.load(open(sys.argv[1])); v=j[\"verdict\"]; t=open(sys.argv[2]).read()
assert v[\"measured\"] == 2 and all(c[\"measured\"] for c in v[\"curricula\"])
assert all(\"  \"+line in t for line in v[\"text\"])
assert j[\"curricula\"][0][\"fits\"][\"loss_space\"][\"params\"][\"k\"][\"flags\"] == \"\"
" "$T/v.json" "$T/v.txt"'
# measured runs of a tiny sweep: no law, flagged numbers, per-N D(N) far beyond the data
if [ -s "$XL_SRCDIR/data/small_runs.jsonl" ]; then
  "$X" transfer "$XL_SRCDIR/data/small_runs.jsonl" --bootstrap 50 --quiet -o "$T/s.json" > "$T/s.txt"
  check 'grep -q "^  No transfer law was measured" "$T/s.txt" && grep -q "beyond_range" "$T/s.txt" && grep -q "near_zero" "$T/s.txt"'
  check 'grep -q "\"D_N_flags\":[[:space:]]*\"beyond_range\"" "$T/s.json" && grep -q "!wide" "$T/s.txt"'
fi
exit $fail
