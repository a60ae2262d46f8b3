#!/usr/bin/env bash
# jumps on the measured task-suite scale study (data/tasks_scale.csv, 9 sizes x 3 seeds):
# the README's readings for sort (a step between N = 12.8k and 39.5k, not supported by
# BIC with 3 seeds) and amp (a smooth rise, no break) must come out of the shipped data.
XL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
{ head -1 "$XL_SRCDIR/data/tasks_scale.csv"; grep -E ',(sort|amp),' "$XL_SRCDIR/data/tasks_scale.csv"; } >"$T/s.csv"
[ "$(wc -l <"$T/s.csv")" -eq 55 ] || no "expected 54 rows of sort and amp"
"$XL" jumps "$T/s.csv" --x N --y acc_diag --by task --bootstrap 0 --threads 2 --out "$T/j" >"$T/out" 2>&1 ||
  no "jumps failed: $(cat "$T/out")"
/usr/bin/python3 - "$T/j/jumps.json" "$T/j/jump_sort.fits.dat" <<'PY' || fail=1
import json, sys
g = {x["group"]: x for x in json.load(open(sys.argv[1]))["groups"]}
ok = True
def check(c, msg):
    global ok
    if not c:
        print("FAIL:", msg); ok = False
s, a = g["sort"], g["amp"]
check(12768 <= s["break"] <= 39520, f"sort break {s['break']} not at the visible step")
# the plotted curve (jump_sort.fits.dat: x, smooth, broken on the accuracy scale) makes
# half its rise where the dashed break line is drawn, inside the step of the data
rows = [list(map(float, l.split())) for l in open(sys.argv[2]) if not l.startswith("#")]
x, y = [r[0] for r in rows], [r[2] for r in rows]
half = (min(y) + max(y)) / 2
at = next(x[i] for i in range(1, len(x)) if (y[i - 1] - half) * (y[i] - half) <= 0)
check(12768 <= at <= 39520 and s["break"] / 1.4 < at < s["break"] * 1.4,
      f"sort: the drawn curve rises at {at}, the break is drawn at {s['break']}")
check(not s["supported"] and -8 < s["bic_smooth"] - s["bic_broken"] < -3,
      f"sort dBIC {s['bic_smooth'] - s['bic_broken']}")
check(not a["supported"], "amp: false break")
b = a["smooth_fit"]["params"]["b"]["value"]
check(-0.05 < b < -0.01, f"amp smooth exponent {b}")
sys.exit(0 if ok else 1)
PY
exit $fail
