#!/usr/bin/env bash
# corpus and sweep parse with the shared option table: unknown options and subcommands get a
# "did you mean" and exit 2, a bad value is named with its option, nothing is created.
set -u
XL=$(realpath "$1")
fail=0
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
# usage NAME EXPECTED-STDERR ARGS...: exit 2, exactly that one line, no file created
usage() {
  local name=$1 want=$2; shift 2
  local err; err=$("$XL" "$@" 2>&1 >/dev/null); local rc=$?
  check "$name: exit 2 (got $rc)" '[ $rc -eq 2 ]'
  check "$name: message" '[ "$err" = "$want" ]'
  [ "$err" = "$want" ] || echo "  got:  $err"
  check "$name: nothing created" '[ -z "$(ls -A)" ]'
}
see_c="(see 'xferlaw corpus --help')"
see_s="(see 'xferlaw sweep --help')"
usage "corpus build misspelt option" \
  "xferlaw corpus: unknown option '--treads', did you mean '--threads'? $see_c" \
  corpus build tiny docs --treads 2
usage "corpus build bad --threads" \
  "xferlaw corpus: --threads: expected an integer in [0, 1000000], got 'abc' $see_c" \
  corpus build tiny docs --threads abc
usage "corpus build bad --max-bytes" \
  "xferlaw corpus: --max-bytes: expected an integer >= 0, got '-1' $see_c" \
  corpus build tiny docs --max-bytes=-1
usage "corpus build bad --val" \
  "xferlaw corpus: --val: expected a number in [0, 0.5), got '0.5' $see_c" \
  corpus build tiny docs --val 0.5
usage "corpus build --root without a value" \
  "xferlaw corpus: --root needs a value $see_c" corpus build tiny docs --root
usage "corpus tokenizer bad --vocab" \
  "xferlaw corpus: --vocab: expected an integer in [257, 4096], got '100' $see_c" \
  corpus tokenizer -o tok.txt --vocab 100 docs
usage "corpus tokenizer misspelt option" \
  "xferlaw corpus: unknown option '--sample-byte', did you mean '--sample-bytes'? $see_c" \
  corpus tokenizer -o tok.txt --sample-byte 10 docs
usage "corpus encode misspelt option" \
  "xferlaw corpus: unknown option '--tokenzer', did you mean '--tokenizer'? $see_c" \
  corpus encode --tokenzer tok.txt
usage "corpus info misspelt option" \
  "xferlaw corpus: unknown option '--rot', did you mean '--root'? $see_c" corpus info --rot x
usage "corpus misspelt subcommand" \
  "xferlaw corpus: unknown subcommand 'biuld', did you mean 'build'? $see_c" corpus biuld
usage "tasks misspelt subcommand" \
  "xferlaw tasks: unknown subcommand 'gne', did you mean 'gen'? (see 'xferlaw tasks --help')" tasks gne
usage "matrix misspelt subcommand" \
  "xferlaw matrix: unknown subcommand 'analyse', did you mean 'analyze'? (see 'xferlaw matrix --help')" \
  matrix analyse x.csv
usage "sweep misspelt option" \
  "xferlaw sweep: unknown option '--dryrun', did you mean '--dry-run'? $see_s" sweep ci --dryrun
usage "sweep misspelt --threads" \
  "xferlaw sweep: unknown option '--treads', did you mean '--threads'? $see_s" sweep ci --treads 1
usage "sweep bad --jobs" \
  "xferlaw sweep: --jobs: expected an integer in [1, 4096], got '0' $see_s" sweep ci --jobs 0
usage "sweep bad --threads" \
  "xferlaw sweep: --threads: expected an integer in [0, 1000000], got '1.5' $see_s" \
  sweep ci --threads=1.5
usage "sweep bad --flops-per-s" \
  "xferlaw sweep: --flops-per-s: expected a number > 0, got '-1' $see_s" sweep ci --flops-per-s=-1
usage "sweep --out without a value" "xferlaw sweep: --out needs a value $see_s" sweep ci --out
usage "sweep misspelt spec" \
  "xferlaw sweep: no spec file 'tinyy' and no bundled spec of that name (bundled: tiny, small, medium, ci, protocol, bases), did you mean 'tiny'? $see_s" \
  sweep tinyy
usage "predict misspelt option" \
  "xferlaw predict: unknown option '--levl', did you mean '--level'? (see 'xferlaw predict --help')" \
  predict fit.json --at N=1 --levl 0.9
usage "predict bad --level" \
  "xferlaw predict: --level: expected a number in (0, 1), got '1' (see 'xferlaw predict --help')" \
  predict fit.json --at N=1 --level=1
usage "reproduce bad --jobs (checked before the sweep starts)" \
  "xferlaw reproduce: --jobs: expected an integer in [1, 4096], got 'two' (see 'xferlaw reproduce --help')" \
  reproduce ci --jobs two -o r

# -o is --out, and --name=value works; a directory named like a bundled spec is not a spec
mkdir ci
out=$("$XL" sweep ci -o plan --dry-run 2>&1); rc=$?
check "sweep -o DIR --dry-run" '[ $rc -eq 0 ] && grep -q "^24 runs" <<<"$out" && [ ! -e plan ]'
check "sweep --out=DIR is -o DIR" '[ "$("$XL" sweep ci --out=plan --dry-run 2>&1)" = "$out" ]'
rmdir ci
# corpus encode: FILE, - and standard input are the same text
printf 'def f(x):\n    return x\n' > in.txt
a=$("$XL" corpus encode in.txt); rc=$?
check "corpus encode FILE" '[ $rc -eq 0 ] && [ -n "$a" ]'
check "corpus encode - = FILE" '[ "$("$XL" corpus encode - < in.txt)" = "$a" ]'
check "corpus encode < FILE = FILE" '[ "$("$XL" corpus encode < in.txt)" = "$a" ]'
# corpus build: a start line on stderr unless --quiet; the table on stdout either way
mkdir docs
for i in $(seq 200); do printf 'document %s\nsome words of text %s\n' "$i" "$i" > docs/$i.txt; done
"$XL" corpus build tiny docs --root c >out.txt 2>err.txt; rc=$?
check "corpus build exits 0" '[ $rc -eq 0 ] && grep -q "^train " out.txt'
check "corpus build start line" '[ "$(cat err.txt)" = "xferlaw corpus: building c/tiny from 1 source" ]'
"$XL" corpus build tiny docs --root c --quiet >out.txt 2>err.txt; rc=$?
check "corpus build --quiet: no stderr" '[ $rc -eq 0 ] && [ ! -s err.txt ] && grep -q "^train " out.txt'
out=$("$XL" corpus info --root c tiny 2>&1); rc=$?
check "corpus info --root" '[ $rc -eq 0 ] && grep -q "^tiny  *train" <<<"$out"'
exit $fail
