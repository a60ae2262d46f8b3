#!/usr/bin/env bash
# No input text reaches gnuplot or a shell as code: tables whose curriculum, task and
# group names are hostile labels (quotes, newlines, backslashes, system(), '!' lines,
# '@' macros, backticks; see labels.py) go through plot, report, matrix analyze and
# jumps; every generated script is checked by labels.py, gnuplot runs every script when
# installed, and no pwned* file may appear.  Python: /usr/bin/python3.
set -u
X=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1"; fail=1; fi; }
cd "$T" || exit 1
"$X" transfer --make-planted p.csv --curricula 2 2>/dev/null
$PY "$HERE/labels.py" tables . p.csv || exit 1
"$X" plot transfer.csv --out plot --bootstrap 0 --quiet > /dev/null 2> err.txt
check '[ $? -eq 0 ] || { cat err.txt; false; }'
"$X" report transfer.csv --out report --bootstrap 0 --quiet > /dev/null 2> err.txt
check '[ $? -eq 0 ] && [ -s report/report.html ] || { cat err.txt; false; }'
"$X" matrix analyze matrix.csv --out matrix > /dev/null 2> err.txt
check '[ $? -eq 0 ] || { cat err.txt; false; }'
"$X" jumps jumps.csv --x N --y acc --by grp --out jumps --bootstrap 10 > /dev/null 2> err.txt
check '[ $? -eq 0 ] || { cat err.txt; false; }'
# a newline inside a field of a matrix table: one clean error, no output folder
printf 'source,target,gain\n"a\n! touch pwned_nl",b,0.1\nb,a,0.2\n' > nl.csv
"$X" matrix analyze nl.csv --out nl > /dev/null 2> err.txt
check '[ $? -eq 1 ] && [ "$(wc -l < err.txt)" -eq 1 ] && [ ! -e nl ]'
check '$PY "$HERE/labels.py" check plot report matrix jumps'
found=$(find "$T" "$HERE" -name 'pwned*' 2>/dev/null)
check '[ -z "$found" ] || { echo "created: $found"; false; }'
if gnuplot --version > /dev/null 2>&1; then
  check '[ -s plot/fig_f.png ] && [ -s matrix/heatmap_gain.png ]'
else
  echo "gnuplot absent: the scripts were checked, not run"
fi
exit $fail
