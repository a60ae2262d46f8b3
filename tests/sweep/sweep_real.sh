#!/usr/bin/env bash
# The `ci` spec with the real trainer (this binary's `train`) on the bundled corpora:
# every planned run recorded once with the trainer's record, fine-tunes started from
# their pre-training, and pre-training pays at the smallest D_F.
set -u
XL=$1
export XL_CORPORA=${XL_CORPORA:-$XL_SRCDIR/data/corpora}
[ -f "$XL_CORPORA/python/manifest.json" ] || { echo "no corpora in $XL_CORPORA (run data/build_corpora.sh)"; exit 77; }
unset XL_TRAIN_CMD
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
"$XL" sweep ci --dry-run --out "$T/s" | grep -oE '^[0-9a-f]{16} ' | tr -d ' ' > "$T/plan"
# killed once mid-way (the real trainer's --resume / restart path), then finished
"$XL" sweep ci --out "$T/s" --quiet >/dev/null 2>&1 &
pid=$!; sleep 4; kill -9 $pid; wait $pid 2>/dev/null
echo "killed after 4s: $(cat "$T/s/runs.jsonl" 2>/dev/null | wc -l) runs recorded"
"$XL" sweep ci --out "$T/s" >"$T/out" 2>"$T/err"; rc=$?
check "real ci sweep exits 0" '[ $rc -eq 0 ]'; [ $rc -eq 0 ] || tail -3 "$T/err"
check "every planned run once" '/usr/bin/python3 "$XL_SRCDIR/tests/sweep/check_runs.py" "$T/s/runs.jsonl" "$T/plan"'
cat "$T/out"
/usr/bin/python3 - "$T/s" <<'PY' || fail=1
import json, os, sys
d = sys.argv[1]
rs = [json.loads(l) for l in open(os.path.join(d, "runs.jsonl"))]
byid = {r["id"]: r for r in rs}
bad = 0
for r in rs:
    # the trainer's record is there, files beside it
    for k in ("train_id", "best_val_loss", "flops", "tokens_per_s", "seconds", "N"):
        if r.get(k) is None: print("FAIL: %s lacks %s" % (r["id"], k)); bad = 1
    if not os.path.exists(os.path.join(d, r["checkpoint"])) or not os.path.exists(os.path.join(d, r["curve"])):
        print("FAIL: %s: checkpoint or curve missing" % r["id"]); bad = 1
    if r["kind"] == "finetune":
        pre = byid[r["init_from_id"]]
        if not r["init_from"].endswith(pre["id"] + "/best.ckpt") or pre["N"] != r["N"]:
            print("FAIL: fine-tune %s not from its pre-training" % r["id"]); bad = 1
    if r["kind"] != "pretrain" and r["data"]["D"] != r["D"]:
        print("FAIL: %s: D %s vs data.D %s" % (r["id"], r["D"], r["data"]["D"])); bad = 1
# pre-training pays where data is scarce: smallest D_F, every N and curriculum
dmin = min(r["D"] for r in rs if r["kind"] == "finetune")
for r in rs:
    if r["kind"] == "finetune" and r["D"] == dmin:
        s = [x for x in rs if x["kind"] == "scratch" and x["N"] == r["N"] and x["D"] == dmin]
        if not s or not r["loss"] < s[0]["loss"]:
            print("FAIL: %s N=%d D_F=%d: fine-tuned %.3f, scratch %s" % (r["curriculum"], r["N"], dmin, r["loss"], s and round(s[0]["loss"], 3))); bad = 1
s = json.load(open(os.path.join(d, "summary.json")))
if s["runs_done"] != len(rs) or abs(s["total_flops"] - sum(r["flops"] for r in rs)) > 1:
    print("FAIL: summary.json totals"); bad = 1
sys.exit(bad)
PY
# runs.jsonl feeds the analysis as it is
"$XL" transfer "$T/s" -o "$T/transfer.json" >/dev/null 2>"$T/err"; rc=$?
check "xferlaw transfer reads the sweep" '[ $rc -eq 0 ] && [ -s "$T/transfer.json" ]'; [ $rc -eq 0 ] || tail -2 "$T/err"
exit $fail
