#!/usr/bin/env bash
# xferlaw fit from the command line: the Epoch fit, outputs, and every bad-input message
# (exact text, exit status 1, no output file left behind).
set -u
XL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")   # absolute: the test runs in a temp dir
DATA=$XL_SRCDIR/data/chinchilla.csv
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }

out=$("$XL" fit --help); rc=$?
check "--help exits 0" '[ $rc -eq 0 ]'
check "--help lists the laws" 'grep -q "^  bnsl:3 " <<<"$out" && grep -q "^  chinchilla " <<<"$out"'
check "--help: --out with -o" 'grep -q -- "--out OUT.json, -o" <<<"$out"'

# Epoch AI's fit; -o is --out, the path as given
out=$("$XL" fit "$DATA" --define 'D=C/(6*N)' --where 'loss < 3.44' --law chinchilla \
      --loss huber:1e-3 --bootstrap 50 --quiet -o fits/epoch.json --residuals res.csv 2>&1); rc=$?
check "a missing directory is an error" '[ $rc -eq 1 ] && grep -q "fits/epoch.json" <<<"$out"'
mkdir fits
out=$("$XL" fit "$DATA" --define 'D=C/(6*N)' --where 'loss < 3.44' --law chinchilla \
      --loss huber:1e-3 --bootstrap 50 --quiet -o fits/epoch.json --residuals res.csv); rc=$?
check "epoch fit exits 0" '[ $rc -eq 0 ]'
check "epoch E" 'grep -Eq "^E +1\.817" <<<"$out"'
check "epoch alpha" 'grep -Eq "^alpha +0\.3473" <<<"$out"'
check "epoch beta" 'grep -Eq "^beta +0\.3671" <<<"$out"'
check "epoch rows and starts" 'grep -q "240 rows of .*4500 starts" <<<"$out"'
check "fits/epoch.json written" '[ -f fits/epoch.json ]'
j=$(cat fits/epoch.json 2>/dev/null)
for key in '"law":' '"formula":' '"params":' '"ci95":' '"objective":' '"n":' '"starts":' \
           '"distinct_optima":' '"converged":' '"diagnostics":' '"sha256":'; do
  check "json has $key" 'grep -q "$key" <<<"$j"'
done
check "json sha256 of the input" 'grep -q "$(sha256sum "$DATA" | cut -c1-64)" <<<"$j"'
check "residual table" '[ "$(head -1 res.csv)" = "line,loss,pred,resid,heldout" ] && [ $(wc -l < res.csv) -eq 241 ]'

# '-': the table from stdin, the JSON to stdout (the summary to stderr); same numbers
j2=$("$XL" fit - --define 'D=C/(6*N)' --where 'loss < 3.44' --law chinchilla --loss huber:1e-3 \
     --bootstrap 50 --quiet --out - < "$DATA" 2>sum.txt); rc=$?
check "stdin to stdout exits 0" '[ $rc -eq 0 ]'
check "stdout is the JSON alone" '/usr/bin/python3 -c "import json,sys; json.loads(sys.stdin.read())" <<<"$j2"'
check "same parameters as the file" '[ "$(grep -A2 "\"alpha\"" <<<"$j2")" = "$(grep -A2 "\"alpha\"" fits/epoch.json)" ]'
check "summary on stderr names stdin" 'grep -q "240 rows of stdin" sum.txt && grep -Eq "^alpha +0\.3473" sum.txt'
check "stdin hashed once" 'grep -q "$(sha256sum "$DATA" | cut -c1-64)" <<<"$j2"'
# --where is repeatable (all must hold); --name=value works
out=$("$XL" fit "$DATA" --define 'D=C/(6*N)' --where 'loss < 3.44' --where='N > 1e8' --law=chinchilla --quiet); rc=$?
check "two --where" '[ $rc -eq 0 ] && grep -q "^[0-9]* rows" <<<"$out" && ! grep -q "^240 rows" <<<"$out"'
# usage errors: exit 2, one line, a suggestion
usage() {  # NAME EXPECTED ARGS...
  local name=$1 want=$2; shift 2
  local err; err=$("$XL" fit "$@" 2>&1 >/dev/null); local rc=$?
  check "$name: exit 2 (got $rc)" '[ $rc -eq 2 ]'
  check "$name: message (got: $err)" '[ "$err" = "$want" ]'
}
usage "misspelt option" "xferlaw fit: unknown option '--bootstrp', did you mean '--bootstrap'? (see 'xferlaw fit --help')" \
    "$DATA" --law power --bootstrp 10
usage "misspelt law" "xferlaw fit: --law 'chinchila' is not a named law, did you mean 'chinchilla'? (see 'xferlaw fit --help')" \
    "$DATA" --law chinchila
usage "bad count" "xferlaw fit: --threads: expected an integer in [0, 1000000], got 'x' (see 'xferlaw fit --help')" \
    "$DATA" --law power --threads x
usage "no file" "xferlaw fit: no input file (FILE, or - for standard input) (see 'xferlaw fit --help')" --law power

# holdout: fit the small models, report RMSLE on the largest ones
out=$("$XL" fit "$DATA" --define 'D=C/(6*N)' --where 'loss < 3.44' --law chinchilla \
      --loss huber:1e-3 --holdout 'N > 5e9' --quiet); rc=$?
check "holdout exits 0" '[ $rc -eq 0 ]'
check "holdout reported" 'grep -Eq "^holdout: [0-9]+ rows, RMSLE 0\.0" <<<"$out"'

# JSONL input, formula law
printf '{"x": 1, "y": 3}\n{"x": 10, "y": 1.5}\n{"x": 100, "y": 0.75}\n' > p.jsonl
out=$("$XL" fit p.jsonl --law 'a*x^b' --y y --quiet); rc=$?
check "jsonl formula fit" '[ $rc -eq 0 ] && grep -Eq "^b +-0\.30103" <<<"$out"'

bad() {  # NAME EXPECTED_MESSAGE FILE_CONTENT ARGS...
  local name=$1 msg=$2 content=$3; shift 3
  printf '%b' "$content" > in.csv
  rm -f out.json
  local err; err=$("$XL" fit in.csv "$@" -o ./out.json --quiet 2>&1 >/dev/null); local rc=$?
  check "$name: exit 1 (got $rc)" '[ $rc -eq 1 ]'
  check "$name: message (got: $err)" '[ "$err" = "$msg" ]'
  check "$name: no output file" '[ ! -e out.json ]'
}
bad "non-numeric" "xferlaw fit: error: in.csv:3: field 'y': not a number: 'abc'" \
    'x,y\n1,2\n2,abc\n3,5\n' --law power
bad "NaN" "xferlaw fit: error: in.csv:3: field 'y': NaN is not allowed" \
    'x,y\n1,2\n2,nan\n3,5\n' --law power
bad "inf" "xferlaw fit: error: in.csv:4: field 'x': infinite value 'inf' is not allowed" \
    'x,y\n1,2\n2,3\ninf,5\n' --law power
bad "y <= 0 in log space" "xferlaw fit: error: in.csv:3: field 'y': value 0 is not > 0 (residuals are in log space; use --space linear)" \
    'x,y\n1,2\n2,0\n3,5\n' --law power
bad "column <= 0 under a power" "xferlaw fit: error: in.csv:2: field 'x': value -1 is not > 0 (it is raised to a fitted power)" \
    'x,y\n-1,2\n2,3\n3,5\n' --law 'a*x^b' --y y --space linear
bad "unknown column" "xferlaw fit: error: in.csv: field 'D': column not found (law 'chinchilla' needs columns N, D)" \
    'N,loss\n1,2\n2,3\n' --law chinchilla
bad "unknown function" "xferlaw fit: error: formula 'a*frob(x)': unknown function 'frob'" \
    'x,y\n1,2\n2,3\n' --law 'a*frob(x)' --y y
bad "fewer points than parameters" "xferlaw fit: error: in.csv: 4 data points to fit but law 'chinchilla' has 5 free parameters" \
    'N,D,loss\n1e8,1e9,3\n2e8,1e9,2.9\n1e8,3e9,2.8\n4e8,1e10,2.5\n' --law chinchilla
bad "no convergence" "xferlaw fit: error: law 'formula': the fit did not converge from any of 3 starts (best objective 3.20278)" \
    'x,y\n1,2\n2,0\n3,5\n' --law 'a*x^b' --y y --space linear --max-iter 1 --starts 3
# a bare word one edit from a named law is a usage error before the library sees it (the
# library's own message for it, exit 1, is what the C and Python APIs get)
usage "a typo of a law name" "xferlaw fit: --law 'powr' is not a named law, did you mean 'power'? (see 'xferlaw fit --help')" \
    "$DATA" --law powr --y loss

# warnings reach stderr, the table and the JSON; a good fit has none
printf 'x,y\n1,2\n2,0\n3,5\n' > w.csv
out=$("$XL" fit w.csv --law 'a*x^b' --y y --space linear --quiet -o ./w.json 2>err.txt); rc=$?
check "warned fit exits 0" '[ $rc -eq 0 ]'
check "warning on stderr" 'grep -q "^xferlaw fit: warning: R^2 = -0.9737 <= 0: the law fits worse than a constant$" err.txt'
check "warnings under the table" 'grep -q "^WARNINGS (4):" <<<"$out" && grep -q "^  ! only 1 of 64 starts reached the best objective" <<<"$out"'
check "warnings in the JSON" 'grep -q "\"warnings\":.*R^2 = -0.9737" <(tr -d "\n" < w.json)'
out=$("$XL" fit "$DATA" --define 'D=C/(6*N)' --where 'loss < 3.44' --law chinchilla --quiet -o ./c.json 2>err.txt)
check "no warning on a good fit" '[ ! -s err.txt ] && ! grep -q WARNINGS <<<"$out" && grep -q "\"warnings\":\s*\[\]" c.json'
check "covariance in the JSON" 'grep -q "\"covariance\":" c.json'
# predict: a saved fit at new points, delta method and bootstrap replicates
"$XL" fit "$DATA" --define 'D=C/(6*N)' --where 'loss < 3.44' --law chinchilla --loss huber:1e-3 \
    --bootstrap 100 --replicates reps.csv --quiet -o ./pc.json >/dev/null
check "replicates file" '[ "$(head -1 reps.csv)" = "E,A,B,alpha,beta" ] && [ $(wc -l < reps.csv) -eq 101 ]'
out=$("$XL" predict pc.json --at N=7e10,D=1.4e12 2>err.txt); rc=$?
check "predict --at" '[ $rc -eq 0 ] && [ "$(head -1 <<<"$out")" = "N,D,pred,lo,hi" ] && grep -q "^7e+10,1.4e+12,1.97" <<<"$out"'
check "predict names the method" 'grep -q "95% intervals by the delta method" err.txt'
printf 'N,D\n7e10,1.4e12\n1e9,2e10\n' > pts.csv
out=$("$XL" predict pc.json pts.csv --replicates reps.csv -o pred.csv); rc=$?
check "predict DATA.csv with replicates" '[ $rc -eq 0 ] && [ $(wc -l < pred.csv) -eq 3 ] && grep -q "bootstrap method, written to pred.csv" <<<"$out"'
check "interval holds the prediction" 'awk -F, "NR>1 && !(\$4 < \$3 && \$3 < \$5) {exit 1}" pred.csv'
err=$("$XL" predict pc.json --at N=7e10 2>&1); rc=$?
check "predict: a missing column" '[ $rc -eq 1 ] && [ "$err" = "xferlaw predict: error: --at '"'"'N=7e10'"'"': no value for column '"'"'D'"'"'" ]'
err=$("$XL" fit "$DATA" --law chinchilla --replicates r.csv 2>&1); rc=$?
check "--replicates without --bootstrap" '[ $rc -eq 2 ] && grep -q "needs --bootstrap" <<<"$err"'
# --by and --melt on a wide multi-group table: one column per data size, one row per
# model; planted y = B/(Dl + D^beta) + E per model (noise-free), one missing cell, and a
# model with too few points (its own error, the others fit)
awk 'BEGIN {
  printf "model,task,D_100,D_300,D_1000,D_3000,D_10000,D_30000,D_100000\n"
  split("2000 500 40000", B, " "); split("300 50 3000", Dl, " "); split("0.7 0.5 1.1", be, " ")
  split("0.5 1.2 0.2", E, " ")
  for (m = 1; m <= 3; m++) {
    printf "m%d,qa", m
    for (j = 0; j < 7; j++) {
      D = 100 * 10 ^ (j / 2); D = (j % 2) ? 3 * 10 ^ ((j + 3) / 2) : 10 ^ (j / 2 + 2)
      y = B[m] / (Dl[m] + D ^ be[m]) + E[m]
      if (m == 2 && j == 3) printf ","; else printf ",%.12g", y
    }
    printf "\n"
  }
  printf "m4,qa,1.5,1.4,,,,,\n" }' > wide.csv
out=$("$XL" fit wide.csv --melt 'D_*' --into D=loss --by model --law 'B/(Dl + D^beta) + E' \
      --bound B=0: --bound Dl=0: --bound E=0: -o ./groups.json 2>err.txt); rc=$?
check "--by exits 0 with a failed group" '[ $rc -eq 0 ]'
check "--by summary" 'grep -q "^4 groups by model in wide.csv: 3 fitted, 1 failed" <<<"$out"'
check "--by group m1 planted" 'grep -Eq "^m1 +7 .* +2000 +300 +0.7 +0.5 " <<<"$out"'
check "--by group m2 (6 points after the missing cell)" 'grep -Eq "^m2 +6 .* +500 +50 +0.5 +1.2 " <<<"$out"'
check "--by group m3 planted" 'grep -Eq "^m3 +7 .* +40000 +3000 +1.1 +0.2 " <<<"$out"'
check "--by failed group named" 'grep -q "^m4 .*error: wide.csv: 2 data points to fit but law .formula. has 4 free parameters" <<<"$out" && grep -q "^xferlaw fit: warning: model .m4.: wide.csv: 2 data points" err.txt'
check "--by JSON" 'tr -d " \n\t" < groups.json | grep -q "\"by\":\"model\",\"n_groups\":4,\"n_failed\":1,\"groups\":\[{\"group\":\"m1\",\"fit\":{\"law\":\"formula\""'
bad "--melt matches nothing" "xferlaw fit: error: in.csv: --melt 'Q_*': no column matches 'Q_*'" \
    'x,y\n1,2\n2,3\n' --law power --melt 'Q_*' --into x=y
err=$("$XL" fit wide.csv --law power --melt 'D_*' 2>&1); rc=$?
check "--melt without --into" '[ $rc -eq 2 ] && grep -q "go together" <<<"$err"'
err=$("$XL" fit in.csv --law power --loss huber 2>&1); rc=$?
check "bad --loss is a usage error" '[ $rc -eq 2 ] && grep -q "huber:DELTA" <<<"$err"'
exit $fail
