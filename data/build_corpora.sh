#!/usr/bin/env bash
# Builds the bundled corpora text, python and code from files of installed Debian packages
# (see data/README.md), tokenized with the shipped tokenizer.txt beside this script
# (data/ in a checkout; PREFIX/share/xferlaw when installed, run by `xferlaw corpus build`).
#   data/build_corpora.sh [XFERLAW_BINARY]         -> $XL_CORPORA or data/corpora
#   data/build_corpora.sh --train-tokenizer [BIN]  -> retrains data/tokenizer.txt (once;
#                                                     it is shipped, do not do it casually)
# Idempotent: skips the build when every manifest records the same source key (package
# versions + this script + the tokenizer + the binary's corpus format).
set -euo pipefail
TRAIN_TOK=0
SELF=$(realpath "$0")
if [ "${1:-}" = "--train-tokenizer" ]; then TRAIN_TOK=1; shift; fi
# paths given by the caller are relative to where it runs
XL=${1:-}
[ -z "$XL" ] || XL=$(realpath -m "$XL")
[ -z "${XL_CORPORA:-}" ] || XL_CORPORA=$(realpath -m "$XL_CORPORA")
DATA=$(dirname "$SELF")
cd "$DATA/.."
[ -n "$XL" ] || XL=build/xferlaw
[ -x "$XL" ] || [ -n "${1:-}" ] || XL=build/src/cli/xferlaw
ROOT=${XL_CORPORA:-data/corpora}
TOK=$DATA/tokenizer.txt
PY=/usr/lib/python3.11
RST=/usr/share/doc/python3.11-doc/html/_sources
# Documents come from these packages' own file lists (dpkg -L), so the corpora do not
# depend on whatever else is installed.
TEXT_PKGS="bible-kjv-text fortunes fortunes-min python3.11-doc linux-doc-6.1 dict-gcide dict-foldoc
  dict-jargon dict-devil wordnet-base perl-doc gnu-standards debian-reference-en"
PY_PKGS="libpython3.11-stdlib libpython3.11-minimal python3-numpy python3-scipy python3-torch"
C_PKGS="libc6-dev linux-libc-dev libssl-dev libgsl-dev libopenblas-dev libcjson-dev libopenmpi-dev
  libclang-common-14-dev"
PERL_PKGS="perl-modules-5.36 libperl5.36"
SH_PKGS="gzip debianutils dpkg init-system-helpers ca-certificates xz-utils bzip2 bash util-linux man-db debconf gettext-base libtool autoconf automake ucf"
PKGS="bible-kjv $TEXT_PKGS $PY_PKGS $C_PKGS $PERL_PKGS $SH_PKGS"
PROSE=$DATA/prose.pl
# regular files (not symlinks) of the packages, sorted
files_of() { for p in "$@"; do dpkg -L "$p" 2>/dev/null; done | LC_ALL=C sort -u |
  perl -nle 'print if -f && ! -l'; }
[ -x "$XL" ] || { echo "build_corpora: no binary $XL (build first)" >&2; exit 1; }

key=$( { for p in $PKGS; do dpkg-query -W -f='${Package} ${Version}\n' "$p" 2>/dev/null || echo "$p missing"; done
         sha256sum "$SELF" "$PROSE" "$TOK" 2>/dev/null | cut -c1-64; echo "format 1"; } | sha256sum | cut -c1-16)
if [ $TRAIN_TOK -eq 0 ]; then
  ok=1
  for c in text python code; do
    grep -q "\"source_key\":[[:space:]]*\"$key\"" "$ROOT/$c/manifest.json" 2>/dev/null || ok=0
  done
  if [ $ok -eq 1 ]; then echo "build_corpora: $ROOT is up to date ($key)" >&2; exit 0; fi
fi

STAGE=$ROOT/.stage
rm -rf "$STAGE"; mkdir -p "$STAGE/bible" "$STAGE/fortunes" "$STAGE/kernel"
t0=$(date +%s)

# text: the King James Bible, one document per chapter
bible gen1:1-rev22:21 | awk -v d="$STAGE/bible" '
  /^[1-3]? ?[A-Z][A-Za-z ]+ [0-9]+$/ { n++; f = sprintf("%s/%04d.txt", d, n) }
  n { print > f; if (NR % 200 == 0) close(f) }'
# fortunes: every cookie file (not the offensive ones), 20 cookies per document
files_of fortunes fortunes-min | grep '^/usr/share/games/fortunes/[^/]*$' | grep -v '\.\(dat\|u8\)$' |
while read -r f; do
  awk -v d="$STAGE/fortunes" -v b="$(basename "$f")" '
    /^%$/ { k++; if (k % 20 == 0) { close(out); } next }
    { out = sprintf("%s/%s-%04d.txt", d, b, int(k / 20)); print > out }' "$f"
done
# python documentation sources (reStructuredText; code is stripped by --strip-rst)
files_of python3.11-doc | grep '/_sources/.*\.rst\.txt$' > "$STAGE/rst.list"
# the Linux kernel's documentation (gzip-compressed reStructuredText; no translations)
files_of linux-doc-6.1 | grep '^/usr/share/doc/linux-doc-6.1/Documentation/.*\.rst\.gz$' |
  grep -v '/translations/' | xargs -r -d '\n' cp --parents -t "$STAGE/kernel"
gunzip -r "$STAGE/kernel"
# dictionaries (dictd databases): GCIDE (Webster 1913 + WordNet), FOLDOC, Jargon File,
# The Devil's Dictionary; WordNet's glosses
for d in gcide foldoc jargon devil; do
  f=$(files_of "dict-$d" | grep "/$d\.dict\.dz$")
  gzip -dc "$f" > "$STAGE/$d.dict"
  perl "$PROSE" dict "$STAGE/dict-$d" "$d" "$STAGE/$d.dict"
  rm "$STAGE/$d.dict"
done
perl "$PROSE" wordnet "$STAGE/wordnet" $(files_of wordnet-base | grep '/data\.\(noun\|verb\|adj\|adv\)$')
# Perl's manual (POD: prose paragraphs and headings, code dropped)
perl "$PROSE" pod "$STAGE/perldoc" $(files_of perl-doc | grep '/pod/[^/]*\.pod$')
# the GNU coding standards and maintainer information, the Debian Reference (plain text)
for f in $(files_of gnu-standards debian-reference-en | grep '\.\(text\|en\.txt\)\.gz$'); do
  gzip -dc "$f" > "$STAGE/$(basename "$f" .gz)"
done
perl "$PROSE" split "$STAGE/manuals" "$STAGE"/*.text "$STAGE"/*.en.txt

# python: the standard library, without its test suites
files_of libpython3.11-stdlib libpython3.11-minimal | grep '^/usr/lib/python3.11/.*\.py$' |
  grep -v -e '/test/' -e '/tests/' -e 'idle_test' -e '-packages/' > "$STAGE/python.list"
# numpy, scipy and torch, without their test suites
files_of python3-numpy python3-scipy | grep '^/usr/lib/python3/dist-packages/.*\.py$' |
  grep -v -e '/tests/' -e '/test/' > "$STAGE/pylib.list"
files_of python3-torch | grep '^/usr/lib/python3/dist-packages/.*\.py$' |
  grep -v -e '/tests/' -e '/test/' -e '/testing/_internal/' > "$STAGE/torch.list"

# code: C headers, Perl modules, shell scripts and m4 (python-looking files are dropped)
files_of $C_PKGS | grep -e '^/usr/include/.*\.h$' -e '^/usr/lib/llvm-14/lib/clang/.*\.h$' \
  -e '^/usr/lib/x86_64-linux-gnu/openmpi/include/.*\.h$' > "$STAGE/c.list"
files_of $PERL_PKGS | grep '\.p[ml]$' > "$STAGE/perl.list"
# m4 files and scripts whose first line is a sh/bash/dash shebang (one process, no fork a file)
files_of $SH_PKGS | perl -nle 'if (/\.m4$/) { print; next }
  open(my $h, "<", $_) or next; my $l = <$h> // ""; print if $l =~ m{^#! ?(/usr)?/bin/(env )?(ba|da)?sh}' \
  > "$STAGE/sh.list"

if [ $TRAIN_TOK -eq 1 ]; then
  # a balanced sample: the same number of bytes from each corpus
  "$XL" corpus tokenizer -o "$TOK" --vocab 1024 --sample-bytes 1500000 \
    "nopy:$STAGE/bible,$STAGE/fortunes,@$STAGE/rst.list" "@$STAGE/python.list" \
    "nopy:@$STAGE/c.list,@$STAGE/perl.list,@$STAGE/sh.list"
fi

common=(--root "$ROOT" --tokenizer "$TOK" --source-key "$key")
"$XL" corpus build text "${common[@]}" --no-python --strip-rst \
  "$STAGE/bible" "$STAGE/fortunes" "@$STAGE/rst.list" "$STAGE/kernel" "$STAGE/dict-gcide=20000000" \
  "$STAGE/dict-foldoc" "$STAGE/dict-jargon" "$STAGE/dict-devil" "$STAGE/wordnet" "$STAGE/perldoc" \
  "$STAGE/manuals"
"$XL" corpus build python "${common[@]}" "@$STAGE/python.list" "@$STAGE/pylib.list" \
  "@$STAGE/torch.list=4000000"
"$XL" corpus build code "${common[@]}" --no-python \
  "@$STAGE/c.list=18000000" "@$STAGE/perl.list=14000000" "@$STAGE/sh.list"
[ -n "${XL_KEEP_STAGE:-}" ] || rm -rf "$STAGE"
echo "build_corpora: built text, python, code in $ROOT in $(( $(date +%s) - t0 ))s" >&2
