#!/usr/bin/env bash
# The README's medium results, recomputed from the committed data/medium_runs.jsonl: the numbers
# the README states must be what `xferlaw transfer` gives on that file (bootstrap 400, seed 1).
set -u
X=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$X" transfer "$XL_SRCDIR/data/medium_runs.jsonl" --bootstrap 400 --seed 1 --quiet \
    -o "$T/t.json" > "$T/out.txt" || { echo "FAIL: transfer exited $?"; exit 1; }
for c in text text+code; do
    grep -qF "$c: β alone is determined:" "$T/out.txt" || { echo "FAIL: verdict for $c does not say β alone is determined"; exit 1; }
done
grep -qF "α alone" "$T/out.txt" && { echo "FAIL: verdict calls α determined"; exit 1; }
/usr/bin/python3 - "$T/t.json" "$XL_SRCDIR/data/medium_runs.jsonl" <<'PY'
import json, sys
T = json.load(open(sys.argv[1]))
runs = [json.loads(l) for l in open(sys.argv[2])]
fail = 0
def check(name, ok):
    global fail
    if not ok:
        print("FAIL:", name); fail = 1
check("110 analysed rows (120 runs less 10 pre-trainings)", T["input"]["rows"] == 110 and len(runs) == 120)
check("no run ended by the cap", not any(r["end"] == "cap" for r in runs))
ft = [r for r in runs if r["config"]["init_from"]]
check("60 fine-tunes, none best at the first eval",
      len(ft) == 60 and all(r["best_step"] > r["config"]["eval_every"] for r in ft))
s = T["scratch"]["screened"]
check("2 pre-transition, 0 cap screened", s["pre_transition"] == 2 and s["cap"] == 0)
k = T["scratch"]["kaplan"]
check("Kaplan rms log 0.0229 (<= 0.03)", abs(k["rms_log"] - 0.0229) < 5e-4)
for c in ("text", "text+code"):
    ps = sorted((p["N"], p["val_loss"]) for p in T["pretrain"] if p["curriculum"] == c)
    check(c + ": pre-training val loss falls with N",
          len(ps) == 5 and all(b[1] < a[1] for a, b in zip(ps, ps[1:])))
agree = n = 0
for r in T["runs"]:
    if not (r["used"]["interp"] or r["used"]["fit"]): continue
    n += 1
    a, b = r["D_T"]["interp"], r["D_T"]["fit"]
    agree += bool(a and b and a > 0 and b > 0 and max(a / b, b / a) <= 2)
check("estimators within 2x on 57 of 60", (agree, n) == (57, 60))
fits = {c["name"]: c["fits"] for c in T["curricula"]}
want = {"text": (0.197, -0.126), "text+code": (0.168, -0.157)}
for c, (beta, alpha) in want.items():
    for m in ("loglinear_interp", "loglinear_fit", "loss_space"):
        p = fits[c][m]["params"]
        check("%s %s: beta > 0 at 95%%" % (c, m), p["beta"]["ci95"][0] > 0)
        lo, hi = p["alpha"]["ci95"]
        check("%s %s: alpha's interval contains 0" % (c, m), lo < 0 < hi)
    p = fits[c]["loglinear_interp"]["params"]
    check(c + ": beta %.3f" % beta, abs(p["beta"]["value"] - beta) < 1e-3)
    check(c + ": alpha %.3f" % alpha, abs(p["alpha"]["value"] - alpha) < 1e-3)
t = {x["differ"]: x["p"] for x in T["compare"]["tests"]}
check("curricula: F-test p 0.508 (beta), 0.831 (alpha)",
      abs(t["beta"] - 0.508) < 1e-3 and abs(t["alpha"] - 0.831) < 1e-3)
sys.exit(fail)
PY
