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
# help and version verbs
out=$("$XL" help); rc=$?
check "help exits 0" '[ $rc -eq 0 ]'
check "help lists the commands as --help does" '[ "$out" = "$("$XL" --help)" ]'
check "help lists help and version" 'grep -q "^  help " <<<"$out" && grep -q "^  version " <<<"$out"'
out=$("$XL" help fit); rc=$?
check "help fit exits 0" '[ $rc -eq 0 ]'
check "help fit = fit --help" '[ "$out" = "$("$XL" fit --help)" ]'
check "help matrix = matrix --help" '[ "$("$XL" help matrix)" = "$("$XL" matrix --help)" ]'
check "version" '[ "$("$XL" version)" = "$("$XL" --version)" ]'
"$XL" version extra >/dev/null 2>&1; rc=$?
check "version with an argument exits 2" '[ $rc -eq 2 ]'
# did you mean
err=$("$XL" fitt 2>&1); rc=$?
check "fitt exits 2" '[ $rc -eq 2 ]'
check "fitt suggests fit" '[ "$err" = "xferlaw: unknown command '"'fitt'"', did you mean '"'fit'"'? (see '"'xferlaw help'"')" ]'
err=$("$XL" help trian 2>&1); rc=$?
check "help trian exits 2" '[ $rc -eq 2 ]'
check "help trian suggests train" 'grep -q "did you mean .train." <<<"$err"'
err=$("$XL" versoin 2>&1)
check "versoin suggests version" 'grep -q "did you mean .version." <<<"$err"'
err=$("$XL" frobnicate 2>&1)
check "no suggestion for a far word" '! grep -q "did you mean" <<<"$err"'
exit $fail
