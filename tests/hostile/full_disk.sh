#!/usr/bin/env bash
# A full disk: report and matrix analyze with their output on a file system that fills up
# part-way (our own writes failing with ENOSPC, gnuplot leaving a truncated PNG, the page
# failing last) exit 1 with one error line naming the cause, and leave nothing behind: no
# half bundle, no truncated PNG or 0-byte SVG, no staging folder, an existing output
# folder exactly as it was.
#
# The full disk is a real one: a tmpfs of a few kilobytes, mounted in a private mount
# namespace (`unshare -rm`: an unprivileged user namespace; `unshare -m` when that is
# refused but we are root).  gnuplot, a separate process, meets the same ENOSPC, which an
# LD_PRELOAD shim failing write() would have to imitate in every child and every libc
# write path.  Where neither namespace works the test is skipped (exit 77), never passed.
set -u
X=$1
if [ "${XL_FULL_DISK_INSIDE:-}" != 1 ]; then
  probe='d=$(mktemp -d) && mount -t tmpfs -o size=16k tmpfs "$d" && umount "$d"; r=$?; rmdir "$d"; exit $r'
  for u in "unshare -rm" "unshare -m"; do
    if $u sh -c "$probe" 2>/dev/null; then
      XL_FULL_DISK_INSIDE=1 exec $u bash "$0" "$@"
    fi
  done
  echo "cannot mount a tmpfs in a private mount namespace here: skipped"
  exit 77
fi
T=$(mktemp -d)
M="$T/disk"
mkdir "$M"
cleanup() { umount "$M" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
"$X" transfer --make-planted "$T/p.csv" --curricula 2 2>/dev/null
printf 'source,target,gain\na,a,0.5\na,b,0.1\nb,a,-0.1\nb,b,0.4\na,c,0.2\nc,a,0.3\nb,c,0.1\nc,b,0.0\nc,c,0.6\n' >"$T/m.csv"

# full SIZE NAME PRE CMD...: run CMD (output under $M) on a SIZE tmpfs; PRE 'keep' first
# makes $M/out with a file in it, which must be all that is there afterwards
full() {
  local size=$1 name=$2 pre=$3
  shift 3
  mount -t tmpfs -o size="$size" tmpfs "$M" || { no "$name: mount"; return; }
  if [ "$pre" = keep ]; then mkdir "$M/out" && echo old >"$M/out/keep.txt"; fi
  "$@" >/dev/null 2>"$T/err"
  local rc=$?
  [ $rc -eq 1 ] || no "$name: exit $rc, expected 1"
  [ "$(wc -l <"$T/err")" -eq 1 ] || no "$name: not one error line: $(head -c 600 "$T/err")"
  grep -Eq '^xferlaw [a-z]+: error: .*(No space left on device|file system is full)' "$T/err" ||
    no "$name: message does not name the full disk: $(cat "$T/err")"
  grep -q 'xferlaw-stage' "$T/err" && no "$name: message names the staging folder"
  local left
  if [ "$pre" = keep ]; then
    left=$(cd "$M" && find . -mindepth 1 ! -path ./out ! -path ./out/keep.txt)
    [ "$(cat "$M/out/keep.txt" 2>/dev/null)" = old ] || no "$name: out/keep.txt changed"
  else
    left=$(cd "$M" && find . -mindepth 1)
  fi
  [ -z "$left" ] || no "$name: left behind: $(echo $left)"
  umount "$M"
}

# report: 64k fails on our first figure data, 256k on gnuplot's truncated fig_b.png (it
# exits 0), 1m on the page itself
for size in 64k 256k 1m; do
  full $size "report $size" new "$X" report "$T/p.csv" --out "$M/out" --bootstrap 0 --quiet
  full $size "report $size, existing folder" keep "$X" report "$T/p.csv" --out "$M/out" \
    --bootstrap 0 --quiet
done
# a page outside the folder is written last: its failure takes the folder with it
full 1m "report --html beside" new "$X" report "$T/p.csv" --out "$M/out" --html "$M/r.html" \
  --bootstrap 0 --quiet
# matrix analyze: 8k fails on a CSV, 24k on a gnuplot script, 48k on a truncated PNG
for size in 8k 24k 48k; do
  full $size "matrix $size" new "$X" matrix analyze "$T/m.csv" --out "$M/out"
  full $size "matrix $size, existing folder" keep "$X" matrix analyze "$T/m.csv" --out "$M/out"
done
# with room, the same commands succeed (the failures above are the disk's)
mount -t tmpfs -o size=4m tmpfs "$M"
"$X" report "$T/p.csv" --out "$M/out" --bootstrap 0 --quiet >/dev/null || no "report with room"
[ -s "$M/out/report.html" ] && [ -s "$M/out/plots/fig_g.gp" ] || no "report with room: files"
"$X" matrix analyze "$T/m.csv" --out "$M/mx" >/dev/null || no "matrix with room"
[ -s "$M/mx/summary.json" ] || no "matrix with room: summary.json"
[ -z "$(cd "$M" && find . -name '*xferlaw-stage*')" ] || no "staging folder left after success"
umount "$M"
exit $fail
