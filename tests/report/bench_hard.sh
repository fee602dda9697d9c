#!/bin/sh
# tests/report/bench_hard.sh UVSIM SRC — the hard-bug benchmark's measured
# tables reach the campaign report: bench/hard/report.sh writes
# OUT/bench-hard.html from bench/hard/results/, and a later `uvsim run
# --out OUT` report.html holds it under "Benchmarks", with a row for every
# hard scenario and table.sh's cells.
set -u
UVSIM=$1; SRC=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
die() { echo "FAIL: $*"; exit 1; }
sh "$SRC/bench/hard/report.sh" "$tmp/out" >/dev/null || die "report.sh failed"
"$UVSIM" run lost_update --runs 200 --quiet --corpus "$tmp/corpus" --out "$tmp/out" \
  --report t >"$tmp/run.log" 2>&1
h=$tmp/out/t/report.html
[ -f "$h" ] || { cat "$tmp/run.log"; die "no report.html"; }
grep -q '<h2>Benchmarks</h2>' "$h" || die "no Benchmarks section"
grep -q 'Hard bugs: campaigns that found the bug' "$h" || die "no hard-bug table"
grep -q "fixed variants: 60 s under each fuzzer" "$h" || die "no fixed-variant table"
for n in $(sed -n 's/^UVSIM_SCENARIO(\([a-z0-9_]*\), buggy,.*/\1/p' "$SRC"/scenarios/hard/*.c | sort -u); do
  [ "$(grep -c "<tr><td>$n</td>" "$h")" = 2 ] || die "$n: not one row in each table"
done
# a cell as table.sh computes it from the checked-in results
cell=$(sh "$SRC/bench/hard/table.sh" "$SRC/bench/hard/results/seeded.txt" 10000 |
       awk -F' [|] ' '$1 == "| hard_failover" { print $2 }')
[ -n "$cell" ] || die "table.sh gave no hard_failover random cell"
grep -q "<tr><td>hard_failover</td><td>$cell</td>" "$h" || die "hard_failover random: not '$cell'"
echo "PASS"
