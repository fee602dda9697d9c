#!/bin/sh
# bench/hard/table.sh RESULTS RUNS — the markdown table of a RESULTS file
# kept by run.sh or run_fuzzers.sh (RESULTS=FILE): a row per bug, a column
# per strategy (run.sh's order, then run_fuzzers.sh's, then others); each cell's
# denominator is the number of campaigns the file holds for it (a run
# stopped early has fewer than asked), its median over those (cell.sh). A
# fifth field on a line (run_js.sh) is that campaign's budget: a cell whose
# lines have one counts a campaign that found nothing as more than the
# largest of them instead of RUNS.
set -u
R=${1:?usage: table.sh RESULTS RUNS}
RUNS=${2:?usage: table.sh RESULTS RUNS}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cell.sh"
names=$(awk '{ print $1 }' "$R" | sort -u)
# the usual columns in the usual order, then any others as they come
cols=$(awk 'BEGIN { n = split("random random-slow pct3 pct4 nodefz dfs fuzz libfuzzer libfuzzer+ord afl afl+ord", o, " ")
                    for (i = 1; i <= n; i++) rank[o[i]] = i }
            !seen[$2]++ { print (($2 in rank) ? rank[$2] : 100 + NR), $2 }' "$R" | sort -n | awk '{ print $2 }')
echo "| hard bug | $(for c in $cols; do printf '%s | ' "$c"; done)"
echo "|---|$(for c in $cols; do printf -- '---|'; done)"
for n in $names; do
  row="| $n |"
  for c in $cols; do
    k=$(awk -v n="$n" -v c="$c" '$1 == n && $2 == c' "$R" | wc -l | tr -d ' ')
    b=$(awk -v n="$n" -v c="$c" '$1 == n && $2 == c && NF >= 5 { print $5 }' "$R" | sort -n | tail -1)
    if [ "$k" -gt 0 ]; then row="$row $(table_cell "$R" "$n" "$c" "${b:-$RUNS}" "$k") |"
    else row="$row not run |"; fi
  done
  echo "$row"
done
