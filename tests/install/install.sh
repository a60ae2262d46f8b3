#!/usr/bin/env bash
# install.sh [corpora]: meson install into a temporary destdir (a moved prefix: nothing
# may rely on the configured one), then from a directory that is not a checkout:
#   - a C program compiled with pkg-config against the installed headers and library,
#     linked with the documented rpath step, runs and recovers a planted law;
#   - the installed binary finds its library (install_rpath), a named spec and the
#     installed tokenizer, and trains a tiny model on raw text;
#   - the installed Python package finds the installed library by itself and fits;
#   corpora (slow): `xferlaw corpus build` builds the bundled corpora into
#     $XDG_DATA_HOME/xferlaw/corpora and `train --data python` uses them.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
"$MESON" install -C "$XL_BUILDDIR" --destdir "$dest" --no-rebuild --quiet >/dev/null 2>"$tmp/install.err" \
  || { echo "FAIL: meson install"; cat "$tmp/install.err"; exit 1; }
XL=$(find "$dest" -path '*/bin/xferlaw' -type f)
[ -x "$XL" ] || { echo "FAIL: no installed binary"; exit 1; }
P=$(dirname "$(dirname "$XL")")           # the installed prefix, inside the destdir
pc=$(find "$dest" -name xferlaw.pc)
pydir=$(dirname "$(dirname "$(find "$dest" -path '*/xferlaw/__init__.py')")")
# run everything from outside the checkout, with nothing pointing back into it
work=$tmp/work
mkdir -p "$work" "$tmp/home"
cd "$work" || exit 1
unset XL_CORPORA XL_TOKENIZER XL_SPECS XL_DATADIR XFERLAW_LIB PYTHONPATH LD_LIBRARY_PATH
export HOME=$tmp/home XDG_DATA_HOME=$tmp/xdg
uses_lib() {  # BINARY: its libxferlaw is the installed one
  local got
  got=$(ldd "$1" | awk '/libxferlaw/ {print $3}')
  [ -n "$got" ] && [ "$(readlink -f "$got")" = "$(readlink -f "$libdir/libxferlaw.so.0")" ]
}
check() {  # NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; fail=1; fi
}

if [ "${1:-}" != corpora ]; then
  # --- C program through pkg-config (the sysroot maps the configured prefix to $dest) --
  export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest
  libdir=$(pkg-config --variable=libdir xferlaw)     # pkgconf applies the sysroot here too
  case $libdir in "$dest"/*) ;; *) libdir=$dest$libdir;; esac
  cat > prog.c <<'C'
#include <stdio.h>
#include <math.h>
#include <xferlaw/api.h>
int main(void)
{
    double N[20], L[20];
    for (int i = 0; i < 20; i++) {
        N[i] = pow(10, 6 + i * 0.15);
        L[i] = 1.5 + 300 / pow(N[i], 0.25);
    }
    const char *names[2] = {"N", "loss"};
    const double *cols[2] = {N, L};
    xl_error *e = xl_error_alloc();
    xl_fit_options *o = xl_fit_options_alloc(e);
    xl_fit_options_set(o, "law", "E + A/N^alpha", e);
    xl_fit_result *r = NULL;
    if (xl_fit_arrays(20, 2, names, cols, o, &r, e)) {
        fprintf(stderr, "%s\n", xl_error_message(e));
        return 1;
    }
    printf("xferlaw %s", xl_version());
    for (size_t i = 0; i < xl_fit_result_nparams(r); i++)
        printf(" %s=%.6g", xl_fit_result_param_name(r, i), xl_fit_result_param_value(r, i));
    printf("\n");
    xl_fit_result_free(r);
    xl_fit_options_free(o);
    xl_error_free(e);
    return 0;
}
C
  # shellcheck disable=SC2046
  if cc -o prog prog.c $(pkg-config --cflags --libs xferlaw) -lm -Wl,-rpath,"$libdir" 2>"$tmp/cc.err"; then
    out=$(./prog 2>&1)
    check "C program via pkg-config: $out" [ "$out" = "xferlaw $(pkg-config --modversion xferlaw) E=1.5 A=300 alpha=0.25" ]
    check "it uses the installed library" uses_lib ./prog
  else
    echo "FAIL: cc with pkg-config"; cat "$tmp/cc.err"; fail=1
  fi

  # --- the installed binary -----------------------------------------------------------
  check "binary finds its library by rpath" uses_lib "$XL"
  "$XL" sweep tiny --dry-run --out "$work/s" > sweep.out 2>&1
  check "named spec 'tiny' found under share/xferlaw" grep -q "FLOPs" sweep.out
  # raw text: tokenized in memory with the installed tokenizer (no corpora needed)
  mkdir -p text
  for i in $(seq 1 60); do
    printf 'Document %d of a small corpus.\nIt repeats words so that a tiny model learns them: the cat sat on the mat, %d times.\n' "$i" "$i" > "text/d$i.txt"
  done
  "$XL" train --data "$work/text" --out run --n-layer 1 --d-model 16 --n-head 2 --ctx 32 \
    --batch 4 --max-steps 20 --eval-every 10 --eval-tokens 512 --quiet > train.out 2>&1
  check "train on raw text with the installed tokenizer" [ -f run/run.json ]
  tok_id=$(sha256sum "$P/share/xferlaw/tokenizer.txt" | cut -c1-64)
  check "run.json records the installed tokenizer's id" grep -q "$tok_id" run/run.json
  "$XL" train --data python --out run2 --max-steps 2 --quiet > nocorpus.out 2>&1
  check "without corpora: points at 'xferlaw corpus build' and the user data dir" \
    grep -q "$XDG_DATA_HOME/xferlaw/corpora/python/manifest.json; build it with 'xferlaw corpus build'" nocorpus.out

  # --- the installed Python package -----------------------------------------------------
  PYTHONPATH=$pydir /usr/bin/python3 - "$libdir" "$XL_SRCDIR/data/chinchilla.csv" > py.out 2>&1 <<'PY'
import sys, xferlaw
lib = xferlaw._core.lib._name
assert lib == sys.argv[1] + "/libxferlaw.so.0", lib
r = xferlaw.fit(sys.argv[2], law="chinchilla", loss="huber:1e-3", define="D=C/(6*N)",
                where="loss < 3.44")
print(f"alpha {r.params['alpha']:.6f} beta {r.params['beta']:.6f}")
PY
  check "python finds the installed library and fits: $(tail -1 py.out)" grep -qE "alpha 0.34731[01] beta 0.36717[12]" py.out
else
  # --- the bundled corpora, built by the installed binary into the user's data dir ------
  "$XL" corpus build > corpus.out 2>&1
  check "corpus build writes to \$XDG_DATA_HOME/xferlaw/corpora" \
    [ -f "$XDG_DATA_HOME/xferlaw/corpora/python/manifest.json" ]
  "$XL" train --data python --out run --n-layer 1 --d-model 16 --n-head 2 --ctx 32 \
    --batch 4 --max-steps 20 --eval-every 10 --eval-tokens 2048 --quiet > train.out 2>&1
  check "train --data python on them" grep -q '"best_val_loss"' run/run.json
  check "nothing written in the working directory but the run" [ "$(ls)" = "$(printf 'corpus.out\nrun\ntrain.out')" ]
fi
[ $fail -eq 0 ] || { for f in "$work"/*.out; do echo "== $f"; cat "$f"; done; }
exit $fail
