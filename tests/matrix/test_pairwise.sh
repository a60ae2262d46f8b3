#!/usr/bin/env bash
# xferlaw matrix run: a tiny pairwise matrix (3 tasks, two tiny random-init sizes, 1 seed).
# MODE fast: structure, gains recomputed from the raw cells, resume after losing cells and a
# checkpoint (identical numbers), thread-count independence.  MODE slow: also that 200
# examples of a task then 10 beat 10 alone on that task (the protocol measures learning).
set -u
XL=$1
MODE=${2:-fast}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
if [ "$MODE" = fast ]; then S1=12; S2=4; NE=12; else S1=150; S2=20; NE=60; fi
spec() {  # OUT THREADS
  cat <<JSON
{"out": "$1", "tasks": ["count", "sort", "amp"], "seeds": [3],
 "sizes": [{"name": "xs", "n_layer": 1, "d_model": 16, "n_head": 2, "ctx": 32},
           {"name": "s", "n_layer": 1, "d_model": 32, "n_head": 2, "ctx": 32}],
 "n_source": 200, "n_target": 10, "n_eval": $NE, "steps_source": $S1, "steps_target": $S2,
 "batch": 8, "seq": 32, "lr": 0.003, "threads": $2}
JSON
}
spec "$T/a" 2 >"$T/a.json"; spec "$T/b" 1 >"$T/b.json"
"$XL" matrix run "$T/a.json" --quiet >"$T/out" || { no "run"; cat "$T/out"; exit 1; }
[ "$(wc -l <"$T/a/cells.jsonl")" -eq 24 ] || no "expected 24 cells, got $(wc -l <"$T/a/cells.jsonl")"
grep -q "size xs: gain in accuracy points" "$T/out" || no "gain table printed"
grep -q "total off-diagonal transfer" "$T/out" || no "two sizes compared"
for f in xs/raw_acc.csv xs/gain.csv xs/gain_nll.csv xs/gain_square.csv xs/normalised.csv \
         s/gain.csv analysis/summary.json; do
  [ -s "$T/a/$f" ] || no "missing $f"
done
# gains recomputed independently from the raw cells
/usr/bin/python3 - "$T/a" <<'PY' || fail=1
import csv, json, sys
d = sys.argv[1]
cells = [json.loads(l) for l in open(d + "/cells.jsonl")]
acc = {(c["size"], c["source"], c["target"]): c["acc"] for c in cells}
ok = True
for size in ("xs", "s"):
    rows = list(csv.DictReader(open(f"{d}/{size}/gain.csv")))
    if len(rows) != 9:
        print("FAIL: gain rows", len(rows)); ok = False
    for r in rows:
        want = 100 * (acc[(size, r["source"], r["target"])] - acc[(size, "none", r["target"])])
        if abs(float(r["gain"]) - want) > 1e-4 * max(1, abs(want)):
            print("FAIL: gain", size, r, want); ok = False
    for c in cells:
        if not (0 <= c["acc"] <= 1 and c["n_eval"] > 0 and c["nll"] > 0):
            print("FAIL: cell", c); ok = False
sys.exit(0 if ok else 1)
PY
# resume: a rerun does nothing; losing cells and a stage-one checkpoint recomputes them exactly
cp "$T/a/cells.jsonl" "$T/full.jsonl"
"$XL" matrix run "$T/a.json" --quiet --no-analyze >/dev/null || no "rerun"
cmp -s "$T/a/cells.jsonl" "$T/full.jsonl" || no "rerun changed finished cells"
head -n 15 "$T/full.jsonl" >"$T/a/cells.jsonl"
rm -f "$T/a/s/seed3/after_sort.ckpt"
"$XL" matrix run "$T/a.json" --quiet --no-analyze >/dev/null || no "resume"
strip() { sed 's/,"seconds":[^}]*//' "$1" | sort; }
diff <(strip "$T/a/cells.jsonl") <(strip "$T/full.jsonl") >/dev/null || no "resumed cells differ"
# one thread gives the same numbers as two
"$XL" matrix run "$T/b.json" --quiet --no-analyze >/dev/null || no "run with 1 thread"
diff <(strip "$T/b/cells.jsonl") <(strip "$T/full.jsonl") >/dev/null || no "thread count changes results"
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
exit $fail
