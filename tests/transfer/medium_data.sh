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
    grep -qF "$c: no transfer law measured." "$T/out.txt" || { echo "FAIL: verdict for $c is not 'no transfer law measured'"; exit 1; }
    grep -qF "$c: ossification seen:" "$T/out.txt" || { echo "FAIL: verdict for $c does not report ossification"; exit 1; }
done
/usr/bin/python3 - "$T/t.json" "$XL_SRCDIR/data/medium_runs.jsonl" <<'PY'
import json, sys
T = json.load(open(sys.argv[1]))
runs = [json.loads(l) for l in open(sys.argv[2])]
fail = 0
def check(name, ok):
    global fail
    if not ok:
        print("FAIL:", name); fail = 1
check("149 analysed rows (159 runs less 10 pre-trainings)", T["input"]["rows"] == 149 and len(runs) == 159)
caps = [r for r in runs if r["end"] == "cap"]
check("1 run ended by the cap (<= 5%), a fine-tune", len(caps) == 1 and caps[0]["config"]["init_from"])
ft = [r for r in runs if r["config"]["init_from"]]
check("90 fine-tunes, none best at the first eval",
      len(ft) == 90 and all(r["best_step"] > r["config"]["eval_every"] for r in ft))
s = T["scratch"]["screened"]
check("no from-scratch run screened", s["pre_transition"] == 0 and s["cap"] == 0)
k = T["scratch"]["kaplan"]
check("Kaplan rms log 0.0167 (<= 0.03)", abs(k["rms_log"] - 0.0167) < 5e-4)
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
check("estimators within 2x on 65 of 80", (agree, n) == (65, 80))
fits = {c["name"]: c["fits"] for c in T["curricula"]}
want = {"text": (0.345, 0.039), "text+code": (0.378, -0.046)}
for c, (beta, alpha) in want.items():
    for m in ("loglinear_interp", "loglinear_fit", "loss_space"):
        p = fits[c][m]["params"]
        check("%s %s: beta > 0 at 95%%" % (c, m), p["beta"]["ci95"][0] > 0)
        lo, hi = p["alpha"]["ci95"]
        if (c, m) == ("text+code", "loglinear_fit"):
            check("%s %s: alpha < 0 at 95%%" % (c, m), hi < 0)
        else:
            check("%s %s: alpha's interval contains 0" % (c, m), lo < 0 < hi)
    p = fits[c]["loglinear_interp"]["params"]
    check(c + ": beta %.3f" % beta, abs(p["beta"]["value"] - beta) < 1e-3)
    check(c + ": alpha %.3f" % alpha, abs(p["alpha"]["value"] - alpha) < 1e-3)
t = {x["differ"]: x["p"] for x in T["compare"]["tests"]}
check("curricula: F-test p 0.633 (beta), 0.471 (alpha)",
      abs(t["beta"] - 0.633) < 1e-3 and abs(t["alpha"] - 0.471) < 1e-3)
# per size: no transfer at N = 3312 from D_F = 48k-58k on (D_T <= 0 by interpolation), positive D_T for every fine-tune of N >= 155840
by = {}
for r in T["runs"]:
    by.setdefault(r["N"], []).append(r["D_T"]["interp"])
check("N = 3312: D_T <= 0 on 11 of 18", sum(1 for v in by[3312] if v is not None and v <= 0) == 11 and len(by[3312]) == 18)
check("N >= 155840: D_T > 0 on all 36",
      all(v is not None and v > 0 for n in (155840, 335712) for v in by[n]) and len(by[155840]) + len(by[335712]) == 36)
sys.exit(fail)
PY
