#!/usr/bin/env bash
# The report in a real browser (headless Chromium, Debian package `chromium`): every image
# loads, has alt text, and at 800 px the page does not scroll sideways and the verdict and
# sweep tables fit without their own scroll bar.  The page has no script of its own; a
# copy gets one that writes its findings into the DOM, which --dump-dom prints.
# Skipped (exit 77) only when chromium is not installed.
set -u
X=$1
B=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$B" ]; then
  echo "chromium not installed: skipped"
  exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1"; fail=1; fi; }
probe() {  # probe PAGE WIDTH -> the PROBE line
  /usr/bin/python3 - "$1" "$T/probe.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
js = """<script>
window.addEventListener('load', function () {
  var im = document.images, broken = 0, noalt = 0;
  for (var i = 0; i < im.length; i++) {
    if (!(im[i].complete && im[i].naturalWidth > 0)) broken++;
    if (!im[i].alt || im[i].alt.length < 20 || /^fig_/.test(im[i].alt)) noalt++;
  }
  var de = document.documentElement, unfit = [];
  document.querySelectorAll('table.vt, table.kv').forEach(function (t) {
    var w = t.parentElement;
    if (w.scrollWidth > w.clientWidth + 1) unfit.push(t.className);
  });
  var p = document.createElement('pre');
  p.textContent = 'PRO' + 'BE images=' + im.length + ' broken=' + broken + ' noalt=' + noalt +
    ' width=' + window.innerWidth + ' overflow=' + (de.scrollWidth - de.clientWidth) +
    ' unfit=' + (unfit.length ? unfit.join(',') : 'none');
  document.body.appendChild(p);
});
</script>"""
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", js + "</body>"))
PY
  timeout 120 "$B" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$T/profile" --window-size="$2",1200 --virtual-time-budget=10000 \
    --dump-dom "file://$T/probe.html" 2> "$T/chromium.log" | grep -o 'PROBE images=[0-9][^<]*'
}
"$X" report "$XL_SRCDIR/data/small_runs.jsonl" --out "$T/r" --bootstrap 20 --quiet > /dev/null
check '[ $? -eq 0 ] && [ -s "$T/r/report.html" ]'
n_img=7
gnuplot --version > /dev/null 2>&1 || n_img=0
for w in 800 1400; do
  P=$(probe "$T/r/report.html" $w)
  echo "$w px: $P"
  check '[ -n "$P" ]'
  check 'echo "$P" | grep -q "images=$n_img broken=0 noalt=0 width=$w overflow=0 unfit=none"'
done
exit $fail
