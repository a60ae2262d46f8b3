#!/usr/bin/env bash
# xferlaw matrix analyze end to end: a planted block matrix with two asymmetric pairs,
# square and long inputs, --compare, plots, and errors.
set -u
XL=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
/usr/bin/python3 - "$T" <<'PY'
import random, sys
random.seed(3)
d = sys.argv[1]
tasks = ["add", "sub", "mul", "div", "rev", "sort"]
block = {"add": 0, "sub": 0, "mul": 1, "div": 1, "rev": 2, "sort": 2}
def gain(s, t, scale):
    g = 20 if s == t else (10 if block[s] == block[t] else 0.5)
    g += {("div", "mul"): 14, ("rev", "add"): -8}.get((s, t), 0)
    return scale * g
for name, scale in (("small", 1.0), ("large", 0.5)):
    with open(f"{d}/{name}.csv", "w") as f:
        f.write("source,target,gain,seed\n")
        for s in tasks:
            for t in tasks:
                for seed in range(3):
                    f.write(f"{s},{t},{gain(s, t, scale) + random.gauss(0, 0.4):.3f},{seed}\n")
with open(f"{d}/square.csv", "w") as f:
    f.write("task," + ",".join(tasks) + "\n")
    for s in tasks:
        f.write(s + "," + ",".join(f"{gain(s, t, 1):g}" for t in tasks) + "\n")
PY
out=$("$XL" matrix analyze "$T/small.csv" --compare "$T/large.csv" --out "$T/a" --clusters 3) || no "analyze exit"
/usr/bin/python3 - "$T/a/summary.json" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
ok = True
def check(c, what):
    global ok
    if not c:
        print("FAIL:", what); ok = False
clusters = sorted(sorted(c) for c in s["a"]["clusters"])
check(clusters == [["add", "sub"], ["div", "mul"], ["rev", "sort"]], f"clusters {clusters}")
top = [(p["i"], p["j"]) for p in s["a"]["asymmetry"][:2]]
check(top == [("mul", "div"), ("add", "rev")], f"top asymmetries {top}")
check(s["a"]["asymmetry"][0]["diff"] < -10 and s["a"]["asymmetry"][0]["beyond_ci"], "sign/CI of mul-div")
c = s["compare"]
check(abs(c["total_offdiag"][1] / c["total_offdiag"][0] - 0.5) < 0.05, f"totals {c['total_offdiag']}")
check(c["asymmetries_beyond_ci"][0] >= 2, "asymmetries beyond CI")
sys.exit(0 if ok else 1)
PY
grep -q "total off-diagonal transfer" <<<"$out" || no "comparison table"
# every figure names its matrix: A and B when two are compared, the file alone otherwise
grep -q "(A: small.csv)" "$T/a/heatmap_gain.gp" || no "A's heatmap does not name small.csv"
grep -q "(B: large.csv)" "$T/a/heatmap_gain_b.gp" || no "B's heatmap does not name large.csv"
grep -q "average linkage (A: small.csv)" "$T/a/dendrogram.gp" || no "A's dendrogram unnamed"
if command -v gnuplot >/dev/null; then
  for f in heatmap_gain heatmap_asymmetry heatmap_similarity dendrogram heatmap_diff_b_minus_a; do
    [ -s "$T/a/$f.png" ] || no "$f.png not rendered"
  done
fi
# square input, automatic cut (largest gap) finds the 3 blocks too
"$XL" matrix analyze "$T/square.csv" --out "$T/sq" >"$T/out" || no "square analyze"
grep -q "3 clusters" "$T/out" || no "automatic cut: $(grep clusters "$T/out")"
grep -q "n/a (no replicates)" "$T/out" || no "square has no CIs"
grep -q "column = target) (square.csv)" "$T/sq/heatmap_gain.gp" || no "heatmap does not name square.csv"
# errors: one line, file:line:field, exit 1, no output directory
printf 'source,target,gain\nadd,sub,1\nadd,mul,oops\n' >"$T/bad.csv"
err=$("$XL" matrix analyze "$T/bad.csv" --out "$T/bad" 2>&1); rc=$?
[ $rc -eq 1 ] || no "bad input exit $rc"
grep -q "bad.csv:3: field 'gain': 'oops' is not a number" <<<"$err" || no "message: $err"
[ "$(wc -l <<<"$err")" -eq 1 ] || no "error not one line"
[ ! -e "$T/bad" ] || no "output dir made on bad input"
"$XL" matrix analyze 2>/dev/null; [ $? -eq 2 ] || no "missing FILE exits 2"
err=$("$XL" matrix analyze "$T/bad.csv" --clustrs 2 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "unknown option '--clustrs', did you mean '--clusters'?" <<<"$err" || no "suggestion: $err"
err=$("$XL" matrix run x.json --jbos 2 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "did you mean '--jobs'?" <<<"$err" || no "run suggestion: $err"
# raw accuracies with a baseline row become gains; without replicates the CI counts are n/a
printf 'source,target,acc\nnone,a,50\nnone,b,30\na,a,80\na,b,40\nb,a,55\nb,b,60\n' >"$T/raw.csv"
out=$("$XL" matrix analyze "$T/raw.csv" --value acc --baseline none --out "$T/raw" --compare "$T/raw.csv") || no "baseline exit"
grep -q "a -> b                   10.00     5.00" <<<"$out" || no "baseline subtracted: $out"
grep -q "asymmetries beyond CI: n/a (no replicates" <<<"$out" || no "n/a without replicates"
grep -q "cells where B - A exceeds its 95% CI: n/a" <<<"$out" || no "compare n/a"
grep -Eq '"asymmetries_beyond_ci":[[:space:]]*null' "$T/raw/summary.json" || no "null in JSON"
err=$("$XL" matrix analyze "$T/raw.csv" --value acc --baseline nosuch --out "$T/raw2" 2>&1); [ $? -eq 1 ] || no "bad baseline exit"
grep -q "no baseline row 'nosuch'" <<<"$err" || no "bad baseline message: $err"
exit $fail

