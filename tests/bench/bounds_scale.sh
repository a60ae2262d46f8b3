#!/usr/bin/env bash
# Scaling of two input-size paths that were quadratic: the CSV header (duplicate-name
# check) and sweep planning (duplicate ids, the dry run's makespan simulation).
#   bash tests/bench/bounds_scale.sh XFERLAW [PEER_XFERLAW]
# Prints, per size, the CPU seconds of XFERLAW and of the peer (an older build), and
# their ratio; the peer is skipped past 100k (it takes hours there).  Goal: 100k columns
# and a 1M-run dry run in seconds, time per item flat as the size grows.
# State the machine's load (printed first) beside any number you quote.
# Python: /usr/bin/python3 (writes the inputs).
set -u
X=$1
PEER=${2:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
HERE=$(cd "$(dirname "$0")/../.." && pwd)
echo "load: $(uptime | sed 's/.*load average: //')"
cpu() {  # prints user+sys seconds of "$@" (output discarded)
  /usr/bin/time -f "%U %S" -o "$T/time" "$@" > /dev/null 2>&1
  awk '{printf "%.2f", $1 + $2}' "$T/time"
}
row() {  # LABEL SECONDS PEER_SECONDS
  if [ -n "$3" ]; then
    printf "%-28s %9s s  peer %9s s  peer/this %6.1fx\n" "$1" "$2" "$3" \
      "$(awk -v a="$2" -v b="$3" 'BEGIN{print (a > 0 ? b / a : 0)}')"
  else
    printf "%-28s %9s s\n" "$1" "$2"
  fi
}
for cols in 10000 100000; do
  /usr/bin/python3 -c "
n = $cols
print(','.join(['N', 'loss'] + ['c%d' % i for i in range(n)]))
for r in range(5):
    print(','.join(['%d' % 10 ** (r + 3), '%g' % (3 + 1.0 / (r + 1))] + ['1'] * n))
" > "$T/wide.csv"
  this=$(cpu "$X" fit "$T/wide.csv" --law 'E + A/N^a' --starts 4)
  peer=""
  [ -n "$PEER" ] && [ "$cols" -le 100000 ] && peer=$(cpu "$PEER" fit "$T/wide.csv" --law 'E + A/N^a' --starts 4)
  row "CSV header, $cols columns" "$this" "$peer"
done
for seeds in 1 10 100; do
  /usr/bin/python3 -c "
import json
s = json.load(open('$HERE/data/specs/tiny.json'))
s['name'] = 'big'
s['models'] = [{'n_layer': 1, 'd_model': 16 * (k + 1), 'n_head': 2, 'ctx': 64} for k in range(10)]
s['curricula'] = ['scratch', 'text']
s['seeds'] = list(range(1, $seeds + 1))
s['finetune']['D_F'] = {'from': 2000, 'to': 128000000, 'count': 500}
s['scratch']['D'] = {'from': 2000, 'to': 1024000000, 'count': 500}
json.dump(s, open('$T/big.json', 'w'))
"
  runs=$((10 + seeds * 10000))
  this=$(cpu "$X" sweep "$T/big.json" --dry-run --out "$T/o")
  peer=""
  [ -n "$PEER" ] && [ "$seeds" -le 10 ] && peer=$(cpu "$PEER" sweep "$T/big.json" --dry-run --out "$T/o")
  row "sweep dry run, $runs runs" "$this" "$peer"
done
