#!/bin/sh
# bench/hard/report.sh [OUT_DIR] — writes OUT_DIR/bench-hard.html (default
# reports/out), the hard-bug benchmark's measured tables as an HTML fragment
# that later `uvsim run` reports in the same OUT_DIR include under
# "Benchmarks" (reports/report.c). The tables come from the per-campaign
# results checked in under bench/hard/results/ (run_all.sh's OUTDIR files,
# measured.txt says when, where and how), through table.sh: the same tables
# as bench/hard/README.md. Nothing is measured here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
O=${1:-$here/../../reports/out}
R=$here/results
mkdir -p "$O"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat "$R/seeded.txt" "$R/libfuzzer.txt" "$R/afl.txt" > "$tmp/all"
# a markdown table (table.sh's) as an HTML table
md2html() {
  awk 'function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
       /^\|---/ { next }
       /^\|/ { n = split($0, c, "|"); tag = (row++ == 0) ? "th" : "td"; line = "<tr>"
               for (i = 2; i < n; i++) { v = c[i]; gsub(/^ +| +$/, "", v); line = line "<" tag ">" esc(v) "</" tag ">" }
               print line "</tr>" }
       BEGIN { print "<table>" } END { print "</table>" }'
}
{
  echo "<h3>Hard bugs: campaigns that found the bug within 10,000 schedules (executions), median to the first bug</h3>"
  echo "<p class=muted>Measured $(sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' "$R/measured.txt"). Cell: campaigns that found the bug / campaigns run (seeds 1..20), median over all of them of the schedule (run index) or execution of the first bug; not found counts as more than 10,000. Columns: uvsim's seeded strategies, then libFuzzer and AFL++ with code coverage only and with the ordering coverage map (+ord). bench/hard/README.md says what they show.</p>"
  sh "$here/table.sh" "$tmp/all" 10000 | md2html
  echo "<h3>Hard bugs' fixed variants: 60 s under each fuzzer</h3>"
  echo "<p class=muted>Cell: executions in 60 s (seed 1), then findings (libFuzzer artifacts; AFL++ saved crashes and hangs, stability).</p>"
  {
    echo "| fixed variant | libfuzzer | libfuzzer+ord | afl | afl+ord |"
    echo "|---|---|---|---|---|"
    for n in $(awk '{ print $1 }' "$R/fixed.txt" | sort -u); do
      row="| $n |"
      for c in libfuzzer libfuzzer+ord afl afl+ord; do
        cell=$(awk -v n="$n" -v c="$c" '$1 == n && $2 == c { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$R/fixed.txt")
        row="$row ${cell:-not run} |"
      done
      echo "$row"
    done
  } | md2html
} > "$tmp/frag"
mv "$tmp/frag" "$O/bench-hard.html"
echo "$O/bench-hard.html"
