#!/usr/bin/env bash
# Task suite: determinism, train/test disjointness, answers re-derived by an independent
# Python evaluator (check_tasks.py), scoring and error messages.
set -u
XL=$1
HERE=$(dirname "$0")
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
tasks=$("$XL" tasks list | awk '{print $1}')
[ "$(wc -w <<<"$tasks")" -ge 9 ] || no "fewer than 9 tasks listed"
for t in $tasks; do
  # mul and amp have small input spaces (900): ~180 test questions, ~720 train
  ntr=600; nte=150
  "$XL" tasks gen "$t" --n $ntr --seed 7 --split train -o "$T/$t.train.jsonl" || no "gen $t train"
  "$XL" tasks gen "$t" --n $nte --seed 7 --split test -o "$T/$t.test.jsonl" || no "gen $t test"
  "$XL" tasks gen "$t" --n $nte --seed 8 --split test -o "$T/$t.test8.jsonl" || no "gen $t test seed 8"
  "$XL" tasks gen "$t" --n $nte --seed 7 --split test -o "$T/$t.again.jsonl"
  cmp -s "$T/$t.test.jsonl" "$T/$t.again.jsonl" || no "$t: same seed gives different output"
  cmp -s "$T/$t.test.jsonl" "$T/$t.test8.jsonl" && no "$t: seeds 7 and 8 give identical sets"
  # train vs test of any seed must be disjoint; the test sets of two seeds may overlap
  /usr/bin/python3 "$HERE/check_tasks.py" --disjoint "$T/$t.train.jsonl" "$T/$t.test.jsonl" >"$T/out" \
    || { no "$t: independent check"; cat "$T/out"; }
  /usr/bin/python3 "$HERE/check_tasks.py" --disjoint "$T/$t.train.jsonl" "$T/$t.test8.jsonl" >"$T/out" \
    || { no "$t: disjoint across seeds"; cat "$T/out"; }
done
# the checker itself must catch a wrong answer and an overlap (a test that cannot fail is a defect)
sed '3s/"answer":"[0-9]*"/"answer":"-1"/' "$T/add.test.jsonl" >"$T/wrong.jsonl"
/usr/bin/python3 "$HERE/check_tasks.py" "$T/wrong.jsonl" >/dev/null && no "checker misses a wrong answer"
/usr/bin/python3 "$HERE/check_tasks.py" --disjoint "$T/add.test.jsonl" "$T/add.test.jsonl" >/dev/null \
  && no "checker misses an overlap"
# exhaustive split: the whole mul space (900 questions) is partitioned, none lost
"$XL" tasks gen mul --n 900 --split test -o "$T/x" 2>"$T/err" && no "mul test split cannot hold 900"
grep -q "field 'n'" "$T/err" || no "too-large n message: $(cat "$T/err")"
# text for training: PROMPT ANSWER newline
"$XL" tasks gen add --n 3 --seed 1 -o "$T/a.jsonl" --text "$T/a.txt" || no "gen --text"
[ "$(wc -l <"$T/a.txt")" -eq 3 ] && grep -qx 'Q: [0-9]*+[0-9]*=[0-9]*' "$T/a.txt" || no "text format: $(head -1 "$T/a.txt")"
# scoring: gold answers as predictions -> 1.0; one wrong -> (n-1)/n; trailing text after newline ignored
/usr/bin/python3 - "$T/add.test.jsonl" "$T" <<'PY'
import json, sys
gold = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[2] + "/p_ok.jsonl", "w") as f:
    for g in gold: f.write(json.dumps({"prompt": g["prompt"], "pred": g["answer"] + "\nQ: 1+2=3"}) + "\n")
with open(sys.argv[2] + "/p_one.jsonl", "w") as f:
    for i, g in enumerate(gold): f.write(json.dumps({"pred": g["answer"] + ("0" if i == 4 else "")}) + "\n")
with open(sys.argv[2] + "/p_short.jsonl", "w") as f:
    for g in gold[:-1]: f.write(json.dumps({"pred": g["answer"]}) + "\n")
PY
out=$("$XL" tasks score "$T/add.test.jsonl" "$T/p_ok.jsonl" --json)
grep -q '"accuracy":1[,}]' <<<"$out" || no "score all correct: $out"
out=$("$XL" tasks score "$T/add.test.jsonl" "$T/p_one.jsonl")
grep -q "149/150 correct" <<<"$out" || no "score one wrong: $out"
err=$("$XL" tasks score "$T/add.test.jsonl" "$T/p_short.jsonl" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "p_short.jsonl.*149 predictions for 150" <<<"$err" || no "short predictions: $err"
printf '{"prompt":"Q: 1+1=","answer":"2"}\n{"prompt":"Q: 1+2="}\n' >"$T/badgold.jsonl"
err=$("$XL" tasks score "$T/badgold.jsonl" "$T/p_ok.jsonl" 2>&1)
grep -q "badgold.jsonl:2: field 'answer'" <<<"$err" || no "bad gold message: $err"
"$XL" tasks gen nosuch --n 3 -o "$T/y" 2>/dev/null; [ $? -eq 2 ] || no "unknown task exits 2"
[ ! -e "$T/y" ] || no "unknown task left a file"
# suggestions for misspelt tasks and options (exit 2); '-' writes the examples to stdout;
# --n-examples is the documented spelling of gen's --n
err=$("$XL" tasks gen ad --n-examples 3 -o "$T/y" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$err" = "xferlaw tasks: unknown task 'ad', did you mean 'add'? (see 'xferlaw tasks --help')" ] || no "gen ad: $err"
err=$("$XL" tasks tune --task sotr --out "$T/z" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "did you mean 'sort'" <<<"$err" && [ ! -e "$T/z" ] || no "tune sotr: $err"
err=$("$XL" tasks gen add --n-exmaples 3 -o "$T/y" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "did you mean '--n-examples'" <<<"$err" || no "option suggestion: $err"
out=$("$XL" tasks gen add --n-examples 3 --seed 1 --out -)
[ "$out" = "$(cat "$T/a.jsonl")" ] || no "gen to stdout differs from the file: $out"
exit $fail
