#!/bin/sh
# tests/node/node_child_replay.sh UVSIM — `uvsim node` writes into its
# reproducer what a real child printed and how it exited, and `uvsim
# replay` hands that back instead of running the child again: exact,
# although the child (echo $$) prints another pid every run (issue 14).
# Skipped (77) where Debian's node 18 is absent.
set -u
uvsim=$1
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
cat >child_pid.js <<'JS'
const { exec } = require('child_process');
exec('echo $$', (err, out) => {
  if (err) throw err;
  throw new Error('child said ' + out.trim());
});
JS
"$uvsim" node --runs 1 --corpus "$tmp/corpus" --out "$tmp/out" --quiet child_pid.js >camp.out 2>&1
rc=$?
[ $rc -eq 1 ] || fail "campaign exit $rc: $(cat camp.out)"
pid=$(sed -n 's/^  error: Error: child said \([0-9]*\)$/\1/p' camp.out | head -1)
[ -n "$pid" ] || fail "no child pid in: $(cat camp.out)"
file=$(sed -n 's/^  replay: uvsim replay //p' camp.out | head -1)
[ -f "$file" ] || fail "no reproducer file '$file': $(cat camp.out)"
hex=$(printf '%s\n' "$pid" | od -An -tx1 | tr -d ' \n')
grep -q "^child 1 out 1 $hex$" "$file" || fail "the reproducer lacks the child's output: $(cat "$file")"
grep -q "^child 1 exit 0 0$" "$file" || fail "the reproducer lacks the child's exit"
for i in 1 2; do
  "$uvsim" replay "$file" >rep.out 2>&1 || fail "replay $i: exit $?: $(cat rep.out)"
  grep -q "^reproduced exactly" rep.out || fail "replay $i: $(cat rep.out)"
  grep -q "^Error: child said $pid$" rep.out ||
    fail "replay $i: not the recorded child's pid $pid: $(cat rep.out)"
done
echo "ok: the child's pid $pid comes back from the reproducer, replayed exactly twice"
