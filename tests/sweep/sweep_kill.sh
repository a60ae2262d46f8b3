#!/usr/bin/env bash
# SIGKILL the sweep at random moments, several times, then let it finish: every planned
# run must be recorded exactly once, and no trainer may outlive its killed sweep.
set -u
XL=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XL_TRAIN_CMD="$XL_SRCDIR/tests/sweep/fake_train.py" FAKE_TRAIN_SECONDS=0.4
CHECK="/usr/bin/python3 $XL_SRCDIR/tests/sweep/check_runs.py"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
"$XL" sweep ci --dry-run --out "$T/s" | grep -oE '^[0-9a-f]{16} ' | tr -d ' ' > "$T/plan"
n_plan=$(wc -l < "$T/plan")
seed=${XL_TEST_SEED:-$(date +%s)}
RANDOM=$seed
echo "kill delays from seed $seed (XL_TEST_SEED=$seed reproduces)"
partial=0
count() { cat "$T/s/runs.jsonl" 2>/dev/null | grep -c .; }
for k in 1 2 3 4 5 6; do
  before=$(count)
  "$XL" sweep ci --out "$T/s" --jobs 2 --quiet >/dev/null 2>"$T/err.$k" &
  pid=$!
  # kills 1-2 land just after a run was recorded (robust to a loaded machine), then a
  # random fraction of a run later; kills 3-6 at random moments, startup included
  if [ $k -le 2 ]; then
    for _ in $(seq 600); do [ "$(count)" -gt "$before" ] && break; sleep 0.05; done
  fi
  delay=$(printf '0.%03d' $((RANDOM % 1000)))
  sleep "$delay"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  # the trainers must die with their sweep (PR_SET_PDEATHSIG)
  for _ in $(seq 50); do pgrep -f "fake_train.py.*$T/s/" >/dev/null || break; sleep 0.05; done
  check "kill $k: no trainer outlives the sweep" '! pgrep -f "fake_train.py.*$T/s/" >/dev/null'
  n=$(count)
  echo "kill $k after ${delay}s: $n of $n_plan runs recorded"
  [ "$n" -gt 0 ] && [ "$n" -lt "$n_plan" ] && partial=1
done
check "some kill landed mid-sweep" '[ $partial -eq 1 ]'
"$XL" sweep ci --out "$T/s" --jobs 2 >"$T/out" 2>"$T/err"; rc=$?
check "final run exits 0" '[ $rc -eq 0 ]'
[ $rc -eq 0 ] || cat "$T/err"
check "every planned run exactly once, no torn line" '$CHECK "$T/s/runs.jsonl" "$T/plan"'
check "no leftover temporary files in run dirs" '[ -z "$(find "$T/s/runs" -name "*.tmp*")" ]'
exit $fail
