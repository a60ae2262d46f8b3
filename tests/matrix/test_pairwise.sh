#!/usr/bin/env bash
# xferlaw matrix run: a tiny pairwise matrix (3 tasks, two tiny random-init sizes, 1 seed)
# through the sweep executor.  MODE fast: structure, gains recomputed from the raw records,
# a rerun does nothing, lost records and run dirs are recomputed exactly, --jobs 1 and
# --jobs 2 agree, and a run whose process group is killed mid-way then rerun gives the
# records of an uninterrupted run.  MODE slow: also that 200 examples of a task then 10
# beat 10 alone on that task (the protocol measures learning).
set -u
XL=$1
MODE=${2:-fast}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
if [ "$MODE" = fast ]; then S1=60; S2=6; NE=12; else S1=150; S2=20; NE=60; fi
spec() {  # OUT
  cat <<JSON
{"out": "$1", "tasks": ["count", "sort", "amp"], "seeds": [3],
 "sizes": [{"name": "xs", "n_layer": 1, "d_model": 16, "n_head": 2, "ctx": 32},
           {"name": "s", "n_layer": 1, "d_model": 32, "n_head": 2, "ctx": 32}],
 "n_source": 200, "n_target": 10, "n_eval": $NE, "steps_source": $S1, "steps_target": $S2,
 "batch": 8, "seq": 32, "lr": 0.003}
JSON
}
spec "$T/a" >"$T/a.json"; spec "$T/b" >"$T/b.json"; spec "$T/k" >"$T/k.json"
"$XL" matrix run "$T/a.json" --jobs 2 --quiet >"$T/out" || { no "run"; cat "$T/out"; exit 1; }
# per size: 3 stage-one runs, 3 baselines and 9 cells
[ "$(wc -l <"$T/a/runs.jsonl")" -eq 30 ] || no "expected 30 runs, got $(wc -l <"$T/a/runs.jsonl")"
grep -q "size xs: gain in accuracy points" "$T/out" || no "gain table printed"
grep -q "total off-diagonal transfer" "$T/out" || no "two sizes compared"
for f in xs/raw_acc.csv xs/gain.csv xs/gain_nll.csv xs/gain_square.csv xs/normalised.csv \
         s/gain.csv analysis/summary.json scale.csv; do
  [ -s "$T/a/$f" ] || no "missing $f"
done
[ -e "$T/a/jumps" ] && no "jumps/ with only two sizes"
# gains recomputed independently from the raw records; stage two starts from stage one
/usr/bin/python3 - "$T/a" <<'PY' || fail=1
import csv, json, sys
d = sys.argv[1]
recs = [json.loads(l) for l in open(d + "/runs.jsonl")]
by_id = {r["id"]: r for r in recs}
cells = [r for r in recs if r["stage"] == "target"]
acc = {(c["size"], c["source"], c["eval_task"]): c["acc"] for c in cells}
ok = len(cells) == 24 and len(by_id) == 30
for c in cells:
    dep = c["init_from_id"]
    if (c["source"] == "none") != (dep is None) or \
       (dep and (by_id[dep]["task"], by_id[dep]["size"]) != (c["source"], c["size"])):
        print("FAIL: dependency of", c["id"]); ok = False
for size in ("xs", "s"):
    rows = list(csv.DictReader(open(f"{d}/{size}/gain.csv")))
    if len(rows) != 9:
        print("FAIL: gain rows", len(rows)); ok = False
    for r in rows:
        want = 100 * (acc[(size, r["source"], r["target"])] - acc[(size, "none", r["target"])])
        if abs(float(r["gain"]) - want) > 1e-4 * max(1, abs(want)):
            print("FAIL: gain", size, r, want); ok = False
    for c in cells:
        if not (0 <= c["acc"] <= 1 and c["n_eval"] > 0 and c["nll"] > 0 and c["loss"] == c["nll"]):
            print("FAIL: cell", c); ok = False
scale = list(csv.DictReader(open(d + "/scale.csv")))
if len(scale) != 6:
    print("FAIL: scale rows", len(scale)); ok = False
for r in scale:
    if abs(float(r["acc_diag"]) - acc[(r["size"], r["task"], r["task"])]) > 1e-5 or \
       abs(float(r["acc_alone"]) - acc[(r["size"], "none", r["task"])]) > 1e-5:
        print("FAIL: scale row", r); ok = False
sys.exit(0 if ok else 1)
PY
# records without where they ran and how long it took: what must be reproducible
strip() { /usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["id"], r.get("acc"), r.get("nll"), r["correct"], r["best_val_loss"])' "$1" | sort; }
strip "$T/a/runs.jsonl" >"$T/full"
# a rerun does nothing
cp "$T/a/runs.jsonl" "$T/a.jsonl"
"$XL" matrix run "$T/a.json" --quiet --no-analyze >/dev/null || no "rerun"
cmp -s "$T/a/runs.jsonl" "$T/a.jsonl" || no "rerun changed finished runs"
# lost records with their run dirs (a stage one among them) are recomputed exactly
tail -n +16 "$T/a.jsonl" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin: print(json.loads(l)["dir"])' | while read -r dir; do rm -rf "${T:?}/a/$dir"; done
head -n 15 "$T/a.jsonl" >"$T/a/runs.jsonl"
"$XL" matrix run "$T/a.json" --jobs 2 --quiet --no-analyze >/dev/null || no "resume"
diff <(strip "$T/a/runs.jsonl") "$T/full" >/dev/null || no "resumed runs differ"
# one job gives the same numbers as two
"$XL" matrix run "$T/b.json" --jobs 1 --quiet --no-analyze >/dev/null || no "run with 1 job"
diff <(strip "$T/b/runs.jsonl") "$T/full" >/dev/null || no "job count changes results"
# kill the whole process group mid-way, rerun: the records of an uninterrupted run
setsid "$XL" matrix run "$T/k.json" --jobs 2 --quiet --no-analyze >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 1000); do
  [ "$(cat "$T/k/runs.jsonl" 2>/dev/null | wc -l)" -ge 8 ] && break
  sleep 0.01
done
kill -KILL -- -"$pid" 2>/dev/null || kill -KILL "$pid"; wait "$pid" 2>/dev/null
for _ in $(seq 1 100); do pgrep -f "tasks tune.*$T/k/" >/dev/null || break; sleep 0.02; done
pgrep -f "tasks tune.*$T/k/" >/dev/null && no "a stage outlived its killed matrix run"
n=$(wc -l <"$T/k/runs.jsonl")
[ "$n" -lt 30 ] || no "run finished before the kill ($n runs): the kill test tested nothing"
"$XL" matrix run "$T/k.json" --jobs 2 --quiet --no-analyze >/dev/null || no "rerun after kill"
diff <(strip "$T/k/runs.jsonl") "$T/full" >/dev/null || no "killed and rerun differs from uninterrupted"
if [ "$MODE" = slow ]; then
  /usr/bin/python3 - "$T/a/s/gain.csv" <<'PY' || fail=1
import csv, sys
g = {(r["source"], r["target"]): float(r["gain"]) for r in csv.DictReader(open(sys.argv[1]))}
if not g[("count", "count")] >= 10:
    print("FAIL: 200 count examples then 10 gain only", g[("count", "count")], "points"); sys.exit(1)
PY
fi
# errors name the spec file and the field
echo '{"out": "x", "tasks": ["add", "nosuch"], "sizes": [{"name": "a"}]}' >"$T/bad.json"
err=$("$XL" matrix run "$T/bad.json" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "bad.json: field 'tasks': 'nosuch' is not a task" <<<"$err" || no "bad spec: $err"
echo '{"out": "x", "tasks": ["add"], "pairs": "some", "sizes": [{"name": "a"}]}' >"$T/bad.json"
err=$("$XL" matrix run "$T/bad.json" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "bad.json: field 'pairs': 'some'" <<<"$err" || no "bad pairs: $err"
exit $fail
