#!/bin/sh
# tests/report/render_check.sh UVSIM — a campaign's report.html renders in
# headless chromium without console errors and is not blank; report.json
# parses; the HTML loads nothing from elsewhere. Chromium missing = FAIL
# (scripts/bootstrap installs it).
set -u
UVSIM=$1
HERE=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
die() { echo "FAIL: $*"; exit 1; }

CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
  die "chromium is not installed (run scripts/bootstrap)"

"$UVSIM" run lost_update quorum_read close_race --runs 1500 --quiet --corpus "$tmp/corpus" --out "$tmp/out" \
  --report render >"$tmp/run.log" 2>&1
[ -f "$tmp/out/render/report.html" ] || { cat "$tmp/run.log"; die "no report.html"; }
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
assert d['schema']=='uvsim-report/1' and d['campaigns'], 'empty report'; \
assert any(b['decisive'] and b['timeline'] for c in d['campaigns'] for b in c['bugs']), 'no explained bug'" \
  "$tmp/out/render/report.json" || die "report.json is not a valid report"

# Self-contained: no URL but the SVG namespace.
if grep -Eo '(src|href)=|https?://[^"]*|@import|url\(' "$tmp/out/render/report.html" |
   grep -v '^http://www.w3.org/2000/svg$' | grep -q .; then
  die "report.html references external resources"
fi
grep -q '<svg' "$tmp/out/render/report.html" || die "no SVG timeline"

timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
  --screenshot="$tmp/shot.png" --window-size=1200,900 \
  "file://$tmp/out/render/report.html" >"$tmp/chromium.log" 2>&1
[ -s "$tmp/shot.png" ] || { tail -20 "$tmp/chromium.log"; die "chromium wrote no screenshot"; }
if grep -E 'CONSOLE|Uncaught|Failed to load resource' "$tmp/chromium.log"; then
  die "the page logged console errors"
fi
/usr/bin/python3 "$HERE/png_check.py" "$tmp/shot.png" 8 3 || die "screenshot is blank"
echo "ok: report renders"
