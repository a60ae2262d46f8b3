#!/usr/bin/env bash
# xferlaw matrix run under mpirun -np 3: rank 0 schedules, ranks 1 and 2 run the stages;
# the records equal those of the local executor (same ids, same numbers).  Skipped (77)
# without MPI.
set -u
XL=$1
"$XL" sweep --help | grep -q "MPI: built in" && command -v mpirun >/dev/null || exit 77
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
for d in l m; do cat >"$T/$d.json" <<JSON
{"out": "$T/$d", "tasks": ["count", "amp"], "seeds": [1],
 "sizes": [{"name": "xs", "n_layer": 1, "d_model": 16, "n_head": 2, "ctx": 32}],
 "n_source": 50, "n_target": 10, "n_eval": 8, "steps_source": 10, "steps_target": 4,
 "batch": 4, "seq": 32, "lr": 0.003}
JSON
done
"$XL" matrix run "$T/l.json" --jobs 1 --quiet --no-analyze >/dev/null || no "local run"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
timeout 100 mpirun --oversubscribe -np 3 "$XL" matrix run "$T/m.json" --no-analyze \
  >"$T/out" 2>"$T/err" || { no "mpirun -np 3"; tail -5 "$T/err"; }
grep -q "on rank 1" "$T/err" && grep -q "on rank 2" "$T/err" || no "both worker ranks ran stages"
[ "$(grep -c "size xs: gain" "$T/out")" -eq 1 ] || no "only rank 0 collects and prints"
strip() { /usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["id"], r.get("acc"), r.get("nll"), r["best_val_loss"])' "$1" | sort; }
[ "$(wc -l <"$T/m/runs.jsonl")" -eq 8 ] || no "8 runs under MPI"
diff <(strip "$T/m/runs.jsonl") <(strip "$T/l/runs.jsonl") >/dev/null || no "MPI records differ from local"
exit $fail
