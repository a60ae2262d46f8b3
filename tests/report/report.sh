#!/usr/bin/env bash
# xferlaw report / reproduce: one self-contained HTML page (no external links), with the
# fit tables, runs and provenance.
set -u
X=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1"; fail=1; fi; }
"$X" transfer --make-planted "$T/p.csv" --curricula 2 2>/dev/null
"$X" report "$T/p.csv" --out "$T/r" --bootstrap 20 --quiet > /dev/null
check '[ $? -eq 0 ] && [ -s "$T/r/report.html" ]'
H="$T/r/report.html"
check 'grep -q "</html>" "$H"'
# self-contained: every src= is inline data, no stylesheet or script links
check '! grep -o "src=\"[^\"]*" "$H" | grep -qv "src=\"data:"'
check '! grep -qi "<link\|<script\|https\?://" "$H"'
check 'grep -q "$(sha256sum "$T/p.csv" | cut -c1-64)" "$H"'
check 'grep -q "fit the fits" "$H" && grep -q "loss space" "$H"'
check 'grep -q "Curricula compared" "$H"'
if gnuplot --version > /dev/null 2>&1; then
  check '[ "$(grep -c "<img" "$H")" -eq 7 ]'
fi
"$X" reproduce --planted --out "$T/rp" --bootstrap 20 --quiet > /dev/null
check '[ $? -eq 0 ] && [ -s "$T/rp/report.html" ] && [ -s "$T/rp/transfer.json" ] && [ -s "$T/rp/plots/fig_a.gp" ]'
"$X" reproduce --from-runs "$T/nothere.csv" --out "$T/rp2" --quiet 2> "$T/err.txt"
check '[ $? -ne 0 ] && [ "$(wc -l < "$T/err.txt")" -eq 1 ]'
exit $fail
