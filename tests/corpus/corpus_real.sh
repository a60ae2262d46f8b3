#!/usr/bin/env bash
# The bundled corpora: manifests match the files, a rebuild is bitwise identical,
# text/code hold no python and text no reStructuredText markup (checked by an
# independent decoder in python), and each corpus is as large as data/README.md says
# pre-training and the from-scratch grids need.
set -u
XL=$1
export XL_CORPORA=${XL_CORPORA:-$XL_SRCDIR/data/corpora}; ROOT=$XL_CORPORA
fail=0
[ -f "$ROOT/python/manifest.json" ] || { echo "no corpora in $ROOT (run data/build_corpora.sh)"; exit 77; }
out=$("$XL" corpus info 2>&1) || { echo "FAIL: corpus info: $out"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# rebuild into a fresh root: same sha256 for every split
XL_CORPORA=$tmp/c bash "$XL_SRCDIR/data/build_corpora.sh" "$XL" >/dev/null 2>&1 || { echo "FAIL: rebuild"; fail=1; }
for c in text python code; do
  for s in train val test; do
    a=$(sha256sum < "$ROOT/$c/$s.bin"); b=$(sha256sum < "$tmp/c/$c/$s.bin" 2>/dev/null)
    [ "$a" = "$b" ] || { echo "FAIL: $c/$s differs on rebuild"; fail=1; }
  done
done
/usr/bin/python3 - "$ROOT" "$XL_SRCDIR/data/tokenizer.txt" <<'PY' || fail=1
import hashlib, json, re, sys, array
root, tokf = sys.argv[1], sys.argv[2]
lines = open(tokf).read().split("\n")
V = int(lines[1].split()[1]); tb = [bytes([i]) for i in range(256)]
for l in lines[3:3 + V - 257]:
    a, b = map(int, l.split()); tb.append(tb[a] + tb[b])
tb.append(b"")
pat = re.compile(rb"^\s*(def \w+\(.*\):|from [\w.]+ import \w|import \w+$|>>> )", re.M)
# a directive line (name and at most one argument: prose that mentions a directive has
# more words after it) or a role
rst = re.compile(rb"^\s*\.\. [\w:-]+::([ \t]+\S+)?[ \t]*$|:(ref|doc|c:func|func|class|meth):`", re.M)
# minimum tokens per split (data/README.md): text pre-trains N up to ~1.5M parameters at
# 20 tokens a parameter; python holds the from-scratch D grid and a meaningful val split
minimum = {("text", "train"): 30_000_000, ("code", "train"): 15_000_000,
           ("python", "train"): 8_000_000, ("python", "val"): 100_000, ("text", "val"): 1_000_000}
bad = 0
for c in ("text", "python", "code"):
    m = json.load(open(f"{root}/{c}/manifest.json"))
    for s in ("train", "val", "test"):
        raw = open(f"{root}/{c}/{s}.bin", "rb").read()
        if hashlib.sha256(raw).hexdigest() != m["splits"][s]["sha256"] or len(raw) // 2 != m["splits"][s]["tokens"]:
            print(f"FAIL: {c}/{s} does not match its manifest"); bad = 1
        need = minimum.get((c, s), 0)
        if m["splits"][s]["tokens"] < need:
            print(f"FAIL: {c}/{s} has {m['splits'][s]['tokens']} tokens, want >= {need}"); bad = 1
        ids = array.array("H"); ids.frombytes(raw)
        text = b"".join(tb[i] for i in ids)
        if len(text) != m["splits"][s]["bytes"]:
            print(f"FAIL: {c}/{s}: decoded {len(text)} bytes, manifest says {m['splits'][s]['bytes']}"); bad = 1
        hits = len(pat.findall(text))
        if c == "python" and s == "train" and hits < 1000:
            print(f"FAIL: python/train has only {hits} python lines"); bad = 1
        if c != "python" and hits > 0:
            print(f"FAIL: {c}/{s} has {hits} python-looking lines, e.g. {pat.search(text).group(0)!r}"); bad = 1
        if c == "text" and rst.search(text):
            print(f"FAIL: text/{s} has reStructuredText markup, e.g. {rst.search(text).group(0)!r}"); bad = 1
sys.exit(bad)
PY
exit $fail
