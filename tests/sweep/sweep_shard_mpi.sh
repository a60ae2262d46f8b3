#!/usr/bin/env bash
# Shards (--shard i/n, --merge) and the MPI executor (mpirun --oversubscribe -np 3).
set -u
XL=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XL_TRAIN_CMD="$XL_SRCDIR/tests/sweep/fake_train.py" FAKE_TRAIN_SECONDS=0.1
CHECK="/usr/bin/python3 $XL_SRCDIR/tests/sweep/check_runs.py"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
ids() { "$XL" sweep ci --dry-run --out "$T/x" "$@" | grep -oE '^[0-9a-f]{16} ' | tr -d ' '; }
ids > "$T/plan"
for i in 0 1 2; do ids --shard $i/3 > "$T/plan.$i"; done
check "shards partition the plan" '[ "$(sort "$T"/plan.? | uniq -d)" = "" ] && [ "$(sort "$T"/plan.?)" = "$(sort "$T/plan")" ]'
check "shards are not empty" '[ -s "$T/plan.0" ] && [ -s "$T/plan.1" ] && [ -s "$T/plan.2" ]'
for i in 0 1 2; do
  "$XL" sweep ci --out "$T/s" --shard $i/3 --jobs 1 --quiet 2>"$T/err"; rc=$?
  check "shard $i exits 0" '[ $rc -eq 0 ]'; [ $rc -eq 0 ] || cat "$T/err"
  check "shard $i wrote its own file with its runs" '$CHECK "$T/s/runs.$i.jsonl" "$T/plan.$i"'
done
check "shards keep fine-tunes with their pre-training" '/usr/bin/python3 -c "
import json, glob, sys
for f in glob.glob(\"$T/s/runs.?.jsonl\"):
    r = [json.loads(l) for l in open(f)]; ids = {x[\"id\"] for x in r}
    sys.exit(any(x[\"init_from_id\"] and x[\"init_from_id\"] not in ids for x in r))"'
out=$("$XL" sweep ci --out "$T/s" --merge); rc=$?
check "merge exits 0" '[ $rc -eq 0 ] && grep -q "24 of 24" <<<"$out"'
check "merged file has every run once" '$CHECK "$T/s/runs.jsonl" "$T/plan"'
"$XL" sweep ci --out "$T/s" --merge >/dev/null; rc=$?
check "merge is idempotent" '[ $rc -eq 0 ] && $CHECK "$T/s/runs.jsonl" "$T/plan"'

if "$XL" sweep --help | grep -q "MPI: built in" && command -v mpirun >/dev/null; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  timeout 100 mpirun --oversubscribe -np 3 -x XL_TRAIN_CMD -x FAKE_TRAIN_SECONDS \
    "$XL" sweep ci --out "$T/m" >"$T/out" 2>"$T/err"; rc=$?
  check "mpirun -np 3 exits 0" '[ $rc -eq 0 ]'; [ $rc -eq 0 ] || tail -5 "$T/err"
  check "MPI sweep has every run once" '$CHECK "$T/m/runs.jsonl" "$T/plan"'
  check "both worker ranks trained" 'grep -q "on rank 1" "$T/err" && grep -q "on rank 2" "$T/err"'
  check "only rank 0 printed the summary" '[ $(grep -c "24 of 24 done" "$T/out") -eq 1 ]'
  # a killed MPI sweep finishes under the local pool, and vice versa: same ids, same file
  rm -f "$T/m/runs.jsonl"; rm -rf "$T/m/runs/$(sed -n 2p "$T/plan")"
  timeout 100 mpirun --oversubscribe -np 3 -x XL_TRAIN_CMD -x FAKE_TRAIN_SECONDS \
    "$XL" sweep ci --out "$T/m" --quiet >/dev/null 2>&1; rc=$?
  check "MPI re-run recovers records from run dirs" '[ $rc -eq 0 ] && $CHECK "$T/m/runs.jsonl" "$T/plan"'
else
  echo "MPI not built in or mpirun missing: MPI part skipped"
fi
exit $fail
