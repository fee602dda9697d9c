#!/usr/bin/env bash
# tests/fuzz/jobs_determinism.sh UVSIM — a campaign's result is a function of
# its flags and seed, not of --jobs: for every strategy, --jobs 1 and
# --jobs 2 print the same summaries (timings aside), write byte-identical
# reproducers and the same report.json (elapsed time and rate aside).
set -euo pipefail
uvsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scenarios=(close_race/buggy lost_update/buggy write_after_close/buggy retry_timeout/buggy
           message_framing/buggy quorum_read/buggy)
fail=0
for strategy in random pct nodefz dfs; do
  for j in 1 2; do
    d=$tmp/$strategy-j$j
    mkdir -p "$d"
    (cd "$d" && "$uvsim" run "${scenarios[@]}" --strategy "$strategy" --runs 300 --jobs "$j" \
       --corpus corpus --out out --report r --quiet) > "$d/summary.raw" 2>&1 || true
    sed -E 's/ in [0-9.]+ s \([0-9]+\/s\)//' "$d/summary.raw" > "$d/summary"
    python3 "$(dirname "$0")/../lib/strip_report.py" "$d/out/r/report.json" > "$d/report"
  done
  a=$tmp/$strategy-j1 b=$tmp/$strategy-j2
  [ -s "$a/summary" ] || { echo "$strategy: no summary"; fail=1; continue; }
  if ! diff "$a/summary" "$b/summary" > "$tmp/d"; then
    echo "$strategy: summaries differ between --jobs 1 and --jobs 2:"; cat "$tmp/d"; fail=1
  fi
  if ! diff -r "$a/corpus" "$b/corpus" > "$tmp/d"; then
    echo "$strategy: reproducers differ:"; head -20 "$tmp/d"; fail=1
  fi
  if ! diff "$a/report" "$b/report" > "$tmp/d"; then
    echo "$strategy: report.json differs:"; head -20 "$tmp/d"; fail=1
  fi
  [ "$fail" = 0 ] && echo "$strategy: --jobs 1 and --jobs 2 identical ($(grep -c . "$a/summary") campaigns)"
done
exit $fail
