#!/usr/bin/env bash
# xferlaw matrix run for a scale study: sizes from a (fake) sweep's pre-trainings, "pairs":
# "diagonal", OUT/scale.csv and the automatic OUT/jumps/ with 4 sizes x 2 seeds; errors for
# a curriculum the sweep lacks and a missing checkpoint name the file and the field.
# Tiny models and few steps: the values don't matter here, what is produced does.
set -u
XL=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
# four "pre-trained" checkpoints (in shuffled size order) and the sweep's results file
mkdir -p "$T/sw"
i=0
for d in 24 8 32 16; do
  i=$((i + 1))
  "$XL" tasks tune --task count --n-examples 20 --steps 2 --batch 4 --seq 16 --n-layer 1 \
    --d-model $d --n-head 2 --ctx 32 --out "$T/sw/runs/r$i" --quiet || no "tune r$i"
  N=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["N"])' \
      "$T/sw/runs/r$i/run.json")
  echo "{\"id\": \"r$i\", \"kind\": \"pretrain\", \"curriculum\": \"text\", \"N\": $N, \"dir\": \"runs/r$i\"}"
  echo "{\"id\": \"f$i\", \"kind\": \"finetune\", \"curriculum\": \"text\", \"N\": $N, \"dir\": \"runs/f$i\"}"
done >"$T/sw/runs.jsonl"
echo '{"id": "c1", "kind": "pretrain", "curriculum": "code", "N": 7, "dir": "runs/nowhere"}' \
  >>"$T/sw/runs.jsonl"
cat >"$T/spec.json" <<JSON
{"out": "$T/m", "tasks": ["count", "amp"], "seeds": [1, 2],
 "sizes": {"sweep": "$T/sw", "curriculum": "text"}, "pairs": "diagonal",
 "n_source": 50, "n_target": 10, "n_eval": 6, "steps_source": 6, "steps_target": 3,
 "batch": 4, "seq": 16, "lr": 0.003}
JSON
"$XL" matrix run "$T/spec.json" --jobs 2 --quiet >"$T/out" 2>"$T/err" ||
  { no "run"; cat "$T/out" "$T/err"; exit 1; }
grep -q "capability jumps" "$T/out" || no "jumps table printed"
for f in scale.csv jumps/jumps.csv jumps/jumps.json jumps/jump_count.gp jumps/jump_amp.gp; do
  [ -s "$T/m/$f" ] || no "missing $f"
done
[ -e "$T/m/analysis" ] && no "analysis of a diagonal-only matrix"
/usr/bin/python3 - "$T/m" <<'PY' || fail=1
import csv, json, sys
d = sys.argv[1]
recs = [json.loads(l) for l in open(d + "/runs.jsonl")]
ok = True
# per size and seed: 2 stage-one runs, 2 baselines, 2 diagonal cells
if len(recs) != 4 * 2 * 6:
    print("FAIL: runs", len(recs)); ok = False
cells = [r for r in recs if r["stage"] == "target"]
if any(c["source"] not in ("none", c["eval_task"]) for c in cells):
    print("FAIL: an off-diagonal cell in diagonal mode"); ok = False
sizes = sorted({(r["N"], r["size"]) for r in recs})
if [s for _, s in sizes] != ["N%d" % n for n, _ in sizes] or len(sizes) != 4:
    print("FAIL: sizes", sizes); ok = False
scale = list(csv.DictReader(open(d + "/scale.csv")))
if list(scale[0]) != "size,N,seed,task,acc_alone,acc_diag,nll_alone,nll_diag".split(","):
    print("FAIL: scale header", list(scale[0])); ok = False
if len(scale) != 4 * 2 * 2 or [int(r["N"]) for r in scale] != sorted(int(r["N"]) for r in scale):
    print("FAIL: scale rows (4 sizes x 2 seeds x 2 tasks, ordered by N)", len(scale)); ok = False
j = json.load(open(d + "/jumps/jumps.json"))
if sorted(g["group"] for g in j["groups"]) != ["amp", "count"] or any(g["n"] != 8 for g in j["groups"]):
    print("FAIL: jumps groups", [(g["group"], g["n"]) for g in j["groups"]]); ok = False
for size in {s for _, s in sizes}:
    rows = list(csv.DictReader(open(f"{d}/{size}/gain.csv")))
    if len(rows) != 4 or any(r["source"] != r["target"] for r in rows):
        print("FAIL: gain.csv of", size, rows); ok = False
sys.exit(0 if ok else 1)
PY
# the same analysis by hand from scale.csv (replicate seeds: two points per N)
"$XL" jumps "$T/m/scale.csv" --x N --y acc_diag --by task --bootstrap 20 --out "$T/j" >/dev/null ||
  no "jumps on scale.csv"
# errors name the file and the field
sed 's/"curriculum": "text"/"curriculum": "python"/' "$T/spec.json" >"$T/bad.json"
err=$("$XL" matrix run "$T/bad.json" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "bad.json: field 'sizes.curriculum': no pretrain record of curriculum 'python'" <<<"$err" ||
  no "curriculum not found: $err"
sed 's/"curriculum": "text"/"curriculum": "code"/' "$T/spec.json" >"$T/bad.json"
err=$("$XL" matrix run "$T/bad.json" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "runs.jsonl:9: field 'dir': checkpoint .*runs/nowhere/best.ckpt does not exist" <<<"$err" ||
  no "missing checkpoint: $err"
[ "$(echo "$err" | wc -l)" -eq 1 ] || no "error not on one line: $err"
# a misspelt field is refused, not silently replaced by its default
sed 's/"n_source"/"n_sources"/' "$T/spec.json" >"$T/bad.json"
err=$("$XL" matrix run "$T/bad.json" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "bad.json: field 'n_sources': unknown field" <<<"$err" ||
  no "unknown field: $err"
exit $fail
