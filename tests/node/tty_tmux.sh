#!/bin/sh
# tests/node/tty_tmux.sh UVSIM PROGRAMS — as a person would: `uvsim node` in
# a tmux terminal. Node sees a terminal (isTTY, 80 columns), and what it
# writes reaches the real terminal through uv_tty. Skipped (77) without
# node 18 or tmux.
uvsim=$1 progs=$2
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node"; exit 77; }
command -v tmux >/dev/null 2>&1 || { echo "skipped: no tmux"; exit 77; }
sock=uvsim-tty-$$
tmp=$(mktemp -d)
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
tmux -L $sock new-session -d -x 100 -y 20 \
  "'$uvsim' node '$progs/tty.js'; echo EXIT=\$?; sleep 30"
for i in $(seq 1 100); do
  tmux -L $sock capture-pane -p >"$tmp/screen" 2>/dev/null
  grep -q '^EXIT=' "$tmp/screen" && break
  sleep 0.2
done
cat "$tmp/screen"
grep -q '^isTTY true columns 80' "$tmp/screen" || { echo "FAIL: node did not see a terminal"; exit 1; }
grep -q '{ answer: 42 }' "$tmp/screen" || { echo "FAIL: inspect output missing"; exit 1; }
grep -q '^bold and done' "$tmp/screen" || { echo "FAIL: raw write missing"; exit 1; }
grep -q '^EXIT=0' "$tmp/screen" || { echo "FAIL: exit status"; exit 1; }
# the colours reached the terminal as escape sequences (tmux keeps them)
tmux -L $sock capture-pane -p -e >"$tmp/esc"
grep -q "$(printf '\033')\[" "$tmp/esc" || { echo "FAIL: no colour reached the terminal"; exit 1; }
echo "ok"
