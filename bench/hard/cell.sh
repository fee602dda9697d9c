# bench/hard/cell.sh — sourced by run.sh and run_fuzzers.sh: one table cell.
# table_cell RESULTS NAME COLUMN RUNS CAMPAIGNS prints "FOUND/CAMPAIGNS, MEDIAN":
# RESULTS has a line "NAME COLUMN CAMPAIGN FIRST" per campaign, FIRST the
# schedule (or execution) of its first bug or "-" (run_js.sh: "x", stopped
# by another failure); the median is over all campaigns, one that found
# nothing counting as more than RUNS.
table_cell() {
  firsts=$(awk -v n="$2" -v c="$3" '$1 == n && $2 == c { print $4 }' "$1")
  found=$(printf '%s\n' "$firsts" | grep -c '^[0-9]')
  med=$(printf '%s\n' "$firsts" | sed "s/^[-x]\$/$(($4 + 1))/" | sort -n |
        awk -v k="$5" -v r="$4" '{ a[NR] = $1 } END {
          m = (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2;
          if (m > r) printf "> %d", r; else printf "%d", m }')
  printf '%s/%s, %s' "$found" "$5" "$med"
}
