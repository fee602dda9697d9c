#!/bin/sh
# tests/corpus/replay_all.sh UVSIM CORPUS_DIR
# Every checked-in reproducer must still reproduce its bug with the identical
# trace hash (`uvsim replay --strict` exits 0 only then). A reproducer that stops
# replaying means the simulator's decisions or a scenario changed: either a
# regression, or the corpus must be regenerated (`uvsim run --all`) on purpose.
set -u
uvsim=$1 dir=$2
n=0 bad=0
for f in "$dir"/*/*.uvsim; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  if ! out=$("$uvsim" replay --strict "$f" 2>&1); then
    echo "corpus: $f no longer replays:"; echo "$out" | tail -n 5 | sed 's/^/    /'
    bad=$((bad + 1))
  fi
done
echo "corpus: $((n - bad)) of $n reproducers replay with their recorded hash"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
