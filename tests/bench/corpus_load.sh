#!/usr/bin/env bash
# What a training run pays to load its data: `xferlaw train` for one step of a tiny model
# on the bundled text corpus (64 MB of train tokens), all of it and a 100k-token slice,
# CPU seconds of XFERLAW beside a peer (an older build) and their ratio.  The first run
# of XFERLAW may hash the corpus and stamp it (SPLIT.verified.json); the best of 3 is
# printed.  Goal: loading costs a small fraction of the old ~1.7 s a run.
#   bash tests/bench/corpus_load.sh XFERLAW [PEER_XFERLAW]      (run from the checkout)
# Not a test; state the load (printed first) beside any number.
set -u
X=$1
PEER=${2:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export OPENBLAS_NUM_THREADS=1
cd "$(dirname "$0")/../.."
[ -f data/corpora/text/manifest.json ] || { echo "no data/corpora/text (run data/build_corpora.sh)"; exit 1; }
echo "load: $(uptime | sed 's/.*load average: //')"
A=(--data text --corpora data/corpora --n-layer 1 --d-model 16 --n-head 2 --ctx 16 --batch 2
   --max-steps 1 --eval-every 1 --eval-tokens 1024 --threads 1 --quiet)
best() {  # lowest user+sys seconds of 3 runs of "$@"
  for i in 1 2 3; do
    rm -rf "$T/r"
    /usr/bin/time -f "%U %S" -o "$T/time" "$@" --out "$T/r" > /dev/null 2>&1
    awk '{printf "%.2f\n", $1 + $2}' "$T/time"
  done | sort -g | head -1
}
for d in 0 100000; do
  this=$(best "$X" train "${A[@]}" --data-size $d)
  line=$(printf "data-size %-7s %6s s" "$d" "$this")
  if [ -n "$PEER" ]; then
    peer=$(best "$PEER" train "${A[@]}" --data-size $d)
    line="$line  peer $(printf "%6s" "$peer") s  peer/this $(awk -v a="$this" -v b="$peer" 'BEGIN{printf "%.1f", (a > 0 ? b / a : 0)}')x"
  fi
  echo "$line"
done
