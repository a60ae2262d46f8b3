#!/usr/bin/env bash
# xferlaw sweep with a stand-in trainer: plan, run, re-run (nothing repeated), a run dir
# finished but not recorded, a partial run resumed, planted failures, bad specs.
set -u
XL=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XL_TRAIN_CMD="$XL_SRCDIR/tests/sweep/fake_train.py" FAKE_TRAIN_SECONDS=0.08
export FAKE_TRAIN_LOG=$T/starts.log
CHECK="/usr/bin/python3 $XL_SRCDIR/tests/sweep/check_runs.py"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
ids() { "$XL" sweep ci --dry-run --out "$1" | grep -oE '^[0-9a-f]{16} ' | tr -d ' '; }

ids "$T/a" > "$T/plan"
check "dry run plans 24 runs" '[ $(wc -l < "$T/plan") -eq 24 ]'
out=$("$XL" sweep ci --dry-run --out "$T/a")
check "dry run says where the speed comes from" 'grep -q "default, not measured" <<<"$out"'
check "dry run has the columns" 'grep -q "depends-on" <<<"$out"'
check "dry run made no directory" '[ ! -e "$T/a" ]'

"$XL" sweep ci --out "$T/a" --jobs 2 >"$T/out" 2>"$T/err"; rc=$?
check "sweep exits 0" '[ $rc -eq 0 ]'
check "every planned run once" '$CHECK "$T/a/runs.jsonl" "$T/plan"'
check "summary printed" 'grep -q "24 of 24 done" "$T/out"'
check "plain progress lines when not a terminal" 'grep -q "\[24/24\]" "$T/err"'
check "summary.json totals the FLOPs" '/usr/bin/python3 -c "
import json,sys
s=json.load(open(\"$T/a/summary.json\")); r=[json.loads(l) for l in open(\"$T/a/runs.jsonl\")]
sys.exit(not (s[\"runs_done\"]==24 and abs(s[\"total_flops\"]-sum(x[\"flops\"] for x in r))<1))"'
# the fake loss is a known function of N and D: fine-tunes got D = D_F and their
# pre-training's checkpoint (the +5e3 transfer), scratch runs D
check "records carry N, D and the loss of their run" '/usr/bin/python3 -c "
import json,sys
for x in map(json.loads, open(\"$T/a/runs.jsonl\")):
    D = x[\"D\"] + (5e3 if x[\"kind\"] == \"finetune\" else 0)
    L = 1.5 + (2e4/x[\"N\"])**0.3 + (1e3/D)**0.4
    assert abs(L - x[\"loss\"]) < 1e-9, x
    assert x[\"kind\"] == \"pretrain\" or x[\"D\"] in (2000,5657,16000,6350,20159,64000), x[\"D\"]
"'
check "mean speed reported" 'grep -q "measured by the finished runs" <<<"$("$XL" sweep ci --dry-run --out "$T/a")"'

# again: nothing to do, nothing appended
n0=$(wc -l < "$FAKE_TRAIN_LOG")
"$XL" sweep ci --out "$T/a" >"$T/out" 2>&1; rc=$?
check "second run exits 0" '[ $rc -eq 0 ]'
check "second run trains nothing" '[ $(wc -l < "$FAKE_TRAIN_LOG") -eq $n0 ]'
check "second run appends nothing" '[ $(wc -l < "$T/a/runs.jsonl") -eq 24 ]'

# a run finished (run.json) but its line was lost: appended without training;
# a partial run with last.ckpt: resumed
fin=$(sed -n 3p "$T/plan"); part=$(sed -n 5p "$T/plan")
grep -v -e "\"id\":\"$fin\"" -e "\"id\":\"$part\"" "$T/a/runs.jsonl" > "$T/x" && mv "$T/x" "$T/a/runs.jsonl"
rm "$T/a/runs/$part/run.json"
"$XL" sweep ci --out "$T/a" >"$T/out" 2>&1; rc=$?
check "recovery run exits 0" '[ $rc -eq 0 ]'
check "recovered set complete" '$CHECK "$T/a/runs.jsonl" "$T/plan"'
check "finished run not retrained" '! tail -n +$((n0 + 1)) "$FAKE_TRAIN_LOG" | grep -q "^$fin "'
check "partial run resumed" 'tail -n +$((n0 + 1)) "$FAKE_TRAIN_LOG" | grep -q "^$part resume"'
# --no-resume restarts it instead
grep -v "\"id\":\"$part\"" "$T/a/runs.jsonl" > "$T/x" && mv "$T/x" "$T/a/runs.jsonl"
rm "$T/a/runs/$part/run.json"
n1=$(wc -l < "$FAKE_TRAIN_LOG")
"$XL" sweep ci --out "$T/a" --no-resume >/dev/null 2>&1
check "--no-resume restarts" 'tail -n +$((n1 + 1)) "$FAKE_TRAIN_LOG" | grep -q "^$part start"'

# planted failures: the D=2000 runs fail; the others finish; the error is one line
FAKE_TRAIN_FAIL=2000 "$XL" sweep ci --out "$T/b" --quiet >"$T/out" 2>"$T/err"; rc=$?
check "failed runs make the sweep fail" '[ $rc -eq 1 ]'
check "failure names the run and its log" 'grep -q "runs failed.*planted failure.*train.log" "$T/err"'
check "failure message is one line" '[ $(wc -l < "$T/err") -eq 1 ]'
check "the other runs are recorded" '[ $(wc -l < "$T/b/runs.jsonl") -eq 18 ]'
"$XL" sweep ci --out "$T/b" --quiet >/dev/null 2>&1; rc=$?
check "re-run after failures completes" '[ $rc -eq 0 ] && $CHECK "$T/b/runs.jsonl" "$T/plan"'

# a failing pre-training: its fine-tunes are skipped, not run from nothing
cat > "$T/failpre.py" <<'PY'
#!/usr/bin/python3
import os, sys
if "--data" in sys.argv and sys.argv[sys.argv.index("--data") + 1] == "text":
    sys.exit(1)
os.execv(sys.argv[1], sys.argv[1:])
PY
chmod +x "$T/failpre.py"
"$XL" sweep ci --out "$T/c" --quiet --trainer "$T/failpre.py $XL_TRAIN_CMD" 2>"$T/err"; rc=$?
check "failed pre-training fails the sweep" '[ $rc -eq 1 ]'
check "its fine-tunes are skipped" 'grep -q "2 runs failed, 6 skipped" "$T/err"'
check "no fine-tune of text recorded" '! grep -q "\"curriculum\":\"text\"" "$T/c/runs.jsonl"'

# Ctrl-C (SIGINT): the trainers are killed, the sweep says how to finish, exit 1
# (sent once a trainer runs, so the sweep has its handlers whatever the machine's load)
FAKE_TRAIN_SECONDS=3 "$XL" sweep ci --out "$T/i" >/dev/null 2>"$T/err" &
pid=$!
for _ in $(seq 1200); do pgrep -f "fake_train.py.*$T/i/" >/dev/null && break; sleep 0.05; done
kill -INT $pid; wait $pid; rc=$?
check "interrupted sweep exits 1" '[ $rc -eq 1 ] && grep -q "interrupted: 0 of 24 runs done" "$T/err"'
check "interrupted sweep leaves no trainer" '! pgrep -f "fake_train.py.*$T/i/" >/dev/null'

# bad specs: one line naming the file and the field; nothing created
printf '{"target":"python","models":[{"n_layer":1,"d_model":0,"n_head":1,"ctx":8}],"curricula":["scratch"],"scratch":{"D":[10],"max_steps":1}}' > "$T/bad.json"
err=$("$XL" sweep "$T/bad.json" --out "$T/d" 2>&1); rc=$?
check "bad spec exits 1" '[ $rc -eq 1 ]'
check "bad spec error names file and field" 'grep -q "bad.json: field .models\[0\].d_model.: must be a positive integer" <<<"$err"'
check "bad spec error is one line" '[ $(wc -l <<<"$err") -eq 1 ]'
check "bad spec creates nothing" '[ ! -e "$T/d" ]'
err=$("$XL" sweep nosuchspec 2>&1); rc=$?
check "unknown spec exits 2" '[ $rc -eq 2 ] && grep -q "bundled: tiny, small, medium, ci" <<<"$err"'
err=$("$XL" sweep ci --shard 3/3 2>&1); rc=$?
check "bad shard exits 2" '[ $rc -eq 2 ]'
# bundled specs are valid
for s in tiny small medium ci protocol; do
  "$XL" sweep $s --dry-run >/dev/null 2>"$T/err" || { echo "FAIL: bundled spec $s: $(cat "$T/err")"; fail=1; }
done
exit $fail
