#!/usr/bin/env bash
# xferlaw jumps end to end: --by groups (a planted jump, a planted smooth law), outputs,
# plots, and errors.
set -u
XL=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
/usr/bin/python3 - "$T/curves.csv" <<'PY'
import math, random, sys
random.seed(4)
with open(sys.argv[1], "w") as f:
    f.write("task,N,acc\n")
    for i in range(14):
        n = 10 ** (5 + 4 * i / 13)
        e = 0.9 * (1 + (n / 2e7) ** 10) ** (-0.08)
        f.write(f"add,{n:.6g},{1 - e * math.exp(random.gauss(0, 0.03)):.5f}\n")
        f.write(f"rev,{n:.6g},{1 - 2 * n ** -0.1 * math.exp(random.gauss(0, 0.03)):.5f}\n")
PY
out=$("$XL" jumps "$T/curves.csv" --x N --y acc --by task --bootstrap 30 --grid 12 --folds 3 \
      --threads 1 --out "$T/j" 2> "$T/progress.txt") || { no "jumps exit"; echo "$out"; }
# progress on stderr: a start line, a line per group, a final line
grep -q "^xferlaw jumps: 2 groups of .*curves.csv, 30 bootstrap resamples and 3 folds each$" "$T/progress.txt" || no "start line: $(cat "$T/progress.txt")"
grep -q "^xferlaw jumps: \[2/2\] rev done, [0-9]* s$" "$T/progress.txt" || no "group line"
grep -q "^xferlaw jumps: done in " "$T/progress.txt" || no "final line"
grep -q "^add .* YES$" <<<"$out" || no "jump in add: $out"
grep -q "^rev .* no$" <<<"$out" || no "no jump in rev: $out"
/usr/bin/python3 - "$T/j/jumps.json" <<'PY' || fail=1
import json, sys
g = {x["group"]: x for x in json.load(open(sys.argv[1]))["groups"]}
lo, hi = g["add"]["break_ci95"]
if not (lo <= 2e7 <= hi):
    print("FAIL: planted break 2e7 outside", lo, hi); sys.exit(1)
if g["add"]["broken_fit"]["law"] != "bnsl:1" or g["rev"]["smooth_fit"]["law"] != "power":
    print("FAIL: laws"); sys.exit(1)
PY
[ "$(wc -l <"$T/j/jumps.csv")" -eq 3 ] || no "jumps.csv rows"
if command -v gnuplot >/dev/null; then
  [ -s "$T/j/jump_add.png" ] && [ -s "$T/j/jump_rev.png" ] || no "plots not rendered"
fi
err=$("$XL" jumps "$T/curves.csv" --x N --y nosuch 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "unknown column 'nosuch'" <<<"$err" || no "missing column: $err"
"$XL" jumps "$T/curves.csv" --x N 2>/dev/null; [ $? -eq 2 ] || no "missing --y exits 2"
# stdin, --quiet (nothing on stderr), -o, and a repeated --where
out=$("$XL" jumps - --x N --y acc --where 'task == "rev"' --where 'N > 0' --bootstrap 5 --grid 8 \
      --folds 3 --threads 1 --quiet -o "$T/jq" < "$T/curves.csv" 2> "$T/quiet.txt") || no "stdin exit"
[ ! -s "$T/quiet.txt" ] || no "--quiet printed: $(cat "$T/quiet.txt")"
grep -q "^all " <<<"$out" && [ -s "$T/jq/jumps.json" ] || no "stdin analysis: $out"
err=$("$XL" jumps "$T/curves.csv" --x N --y acc --bootstap 5 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "did you mean '--bootstrap'" <<<"$err" || no "suggestion: $err"
exit $fail
