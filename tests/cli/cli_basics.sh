#!/usr/bin/env bash
# The dispatcher: help, version, unknown commands.
set -u
XL=$1
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
out=$("$XL" --help); rc=$?
check "--help exits 0" '[ $rc -eq 0 ]'
check "--help lists fit" 'grep -q "^  fit " <<<"$out"'
check "--help lists train" 'grep -q "^  train " <<<"$out"'
"$XL" --version | grep -q '^xferlaw [0-9]' || { echo "FAIL: --version"; fail=1; }
err=$("$XL" frobnicate 2>&1); rc=$?
check "unknown command exits 2" '[ $rc -eq 2 ]'
check "unknown command named" 'grep -q "unknown command .frobnicate." <<<"$err"'
[ $(wc -l <<<"$err") -eq 1 ] || { echo "FAIL: error is not one line"; fail=1; }
"$XL" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: no command must exit 2"; fail=1; }
exit $fail
