#!/usr/bin/env bash
# Provenance with the verification stamp (src/corpus/token_file.c): after a load hashes a
# token file to the manifest's sha256, SPLIT.verified.json spares the hash while the file
# is unchanged; a changed file is hashed again, so a corrupt corpus is still refused and a
# rebuilt one is recorded by its new hash in run.json.
set -u
XL=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
py=/usr/bin/python3
sha() { $py -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["train_sha256"])' "$1"; }
mkdir -p "$tmp/docs"
for i in $(seq 1 120); do
  for j in $(seq 1 30); do printf 'the cat %d sat on mat %d and the dog ran\n' $i $((i * j % 17)); done > "$tmp/docs/d$i.txt"
done
"$XL" corpus build tiny "$tmp/docs" --root "$tmp/c" --tokenizer "$XL_SRCDIR/data/tokenizer.txt" \
  --val 0.1 --test 0.05 --threads 1 > /dev/null 2>&1
C=$tmp/c/tiny
check "corpus built" '[ -f "$C/manifest.json" ]'
manifest_sha=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["splits"]["train"]["sha256"])' "$C/manifest.json")
T=(--corpora "$tmp/c" --data tiny --n-layer 1 --d-model 16 --n-head 2 --ctx 16 --batch 4
   --eval-tokens 128 --threads 1 --max-steps 1 --eval-every 1 --quiet)
# files changed less than 2 s ago are not stamped (their ctime could still hide a write)
sleep 2.2
"$XL" train --out "$tmp/r1" "${T[@]}" > /dev/null
check "train.verified.json written" '[ -s "$C/train.verified.json" ] && [ -s "$C/val.verified.json" ]'
check "it names the manifest hash" 'grep -q "$manifest_sha" "$C/train.verified.json"'
check "all of it: the manifest hash" '[ "$(sha "$tmp/r1/run.json")" = "$manifest_sha" ]'
"$XL" train --out "$tmp/r2" "${T[@]}" > /dev/null
check "stamped: same hash" '[ "$(sha "$tmp/r2/run.json")" = "$manifest_sha" ]'
"$XL" train --out "$tmp/r3" "${T[@]}" --data-size 3000 > /dev/null
slice=$(sha "$tmp/r3/run.json")
check "a slice: its own hash" '[ -n "$slice" ] && [ "$slice" != "$manifest_sha" ]'

# a byte changed in place, mtime put back: ctime tells, the file is hashed and refused
touch -r "$C/train.bin" "$tmp/ref"
$py -c '
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 1]))' "$C/train.bin"
touch -r "$tmp/ref" "$C/train.bin"
err=$("$XL" train --out "$tmp/r4" "${T[@]}" 2>&1 >/dev/null); rc=$?
check "corrupt train.bin refused (exit 1)" '[ $rc -eq 1 ]'
check "one line naming the file" '[ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "train.bin: sha256 differs from manifest.json (rebuild the corpus)" <<<"$err"'
check "no run.json" '[ ! -e "$tmp/r4/run.json" ]'
# the same file, replaced by a copy with the old mtime (a new inode): refused too
cp "$C/train.bin" "$tmp/t.bin" && touch -r "$tmp/ref" "$tmp/t.bin" && mv "$tmp/t.bin" "$C/train.bin"
"$XL" train --out "$tmp/r5" "${T[@]}" > /dev/null 2>&1
check "replaced train.bin refused" '[ $? -eq 1 ] && [ ! -e "$tmp/r5/run.json" ]'

# a rebuild (the manifest names the changed file): run.json records the new hash
new_sha=$(sha256sum "$C/train.bin" | cut -c1-64)
$py -c '
import json, sys
m = json.load(open(sys.argv[1])); m["splits"]["train"]["sha256"] = sys.argv[2]
json.dump(m, open(sys.argv[1], "w"))' "$C/manifest.json" "$new_sha"
"$XL" train --out "$tmp/r6" "${T[@]}" > /dev/null
check "rebuilt corpus trains" '[ $? -eq 0 ]'
check "run.json records the new hash" '[ "$(sha "$tmp/r6/run.json")" = "$new_sha" ] && [ "$new_sha" != "$manifest_sha" ]'
sleep 2.2
"$XL" train --out "$tmp/r7" "${T[@]}" > /dev/null
check "restamped with the new hash" 'grep -q "$new_sha" "$C/train.verified.json"'

# a stamp that does not parse, or vouches for another file, only costs a hash
echo '{"sha256": [' > "$C/val.verified.json"
"$XL" train --out "$tmp/r9" "${T[@]}" > /dev/null
check "garbage stamp: still trains" '[ $? -eq 0 ] && [ -s "$tmp/r9/run.json" ]'
check "garbage stamp replaced" 'grep -q "\"ino\"" "$C/val.verified.json"'
[ $fail -eq 0 ] && echo "all corpus stamp checks passed"
exit $fail
