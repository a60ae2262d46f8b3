#!/usr/bin/env bash
# The data-limit protocol on a small grid with the real trainer (data/specs/protocol.json):
# every run ends because its val loss stopped improving (overfit or converged), never at
# the step cap; the runs below the unigram transition are flagged by `xferlaw transfer`
# and kept out of the law; the from-scratch curve above the transition is monotone.
set -u
XL=$1
export XL_CORPORA=${XL_CORPORA:-$XL_SRCDIR/data/corpora}
[ -f "$XL_CORPORA/python/manifest.json" ] || { echo "no corpora in $XL_CORPORA (run data/build_corpora.sh)"; exit 77; }
unset XL_TRAIN_CMD
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
"$XL" sweep "$XL_SRCDIR/data/specs/protocol.json" --out "$T/s" --jobs 2 --quiet >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: sweep exits $rc"; tail -3 "$T/err"; exit 1; }
"$XL" transfer "$T/s" --bootstrap 0 --quiet -o "$T/t.json" --csv "$T/t.csv" >"$T/tout" 2>&1 ||
  { echo "FAIL: transfer"; cat "$T/tout"; exit 1; }
/usr/bin/python3 - "$T/s/runs.jsonl" "$T/t.json" "$T/t.csv" <<'PY' || fail=1
import csv, json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
t = json.load(open(sys.argv[2]))
ft = list(csv.DictReader(open(sys.argv[3])))
bad = 0
def fail(msg):
    global bad
    print("FAIL: " + msg); bad = 1
for r in rs:
    if r["kind"] == "pretrain":
        continue
    print("%-8s D=%7d loss %.3f best step %5d of %5d end %s" % (r["kind"], r["D"], r["loss"], r["best_step"], r["steps"], r["end"]))
    if r["end"] not in ("overfit", "converged"):
        fail("%s D=%d ended by %s" % (r["kind"], r["D"], r["end"]))
margin = t["options"]["transition_margin"]
sc = sorted((r["D"], r["loss"], r["val_unigram_loss"]) for r in rs if r["kind"] == "scratch")
pre = [d for d, l, u in sc if l > u - margin]
post = [(d, l) for d, l, u in sc if l <= u - margin]
print("unigram level %.3f; pre-transition D %s; above: %s" % (sc[0][2], pre, post))
if not pre or not post or max(pre) >= min(d for d, _ in post):
    fail("the grid should straddle the transition: pre %s, post %s" % (pre, post))
if t["scratch"]["screened"]["pre_transition"] != len(pre):
    fail("transfer screened %s pre-transition runs, expected %d" % (t["scratch"]["screened"]["pre_transition"], len(pre)))
if any(b[1] >= a[1] for a, b in zip(post, post[1:])):
    fail("from-scratch curve above the transition is not monotone: %s" % post)
for row in ft:
    D = float(row["D_F"])
    flagged = "pre_transition" in row["flags_fit"]
    if flagged != (D <= max(pre)):
        fail("fine-tune D_F=%g flags %s (transition above D=%g)" % (D, row["flags_fit"], max(pre)))
    if flagged and (row["used_interp"] == "1" or row["used_fit"] == "1"):
        fail("pre-transition fine-tune D_F=%g entered a fit" % D)
sys.exit(bad)
PY
exit $fail
