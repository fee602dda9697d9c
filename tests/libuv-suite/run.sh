#!/usr/bin/env bash
# tests/libuv-suite/run.sh BUILD_DIR [NAME...]
#
# Runs libuv's own test suite against libuvsim. The source comes from the
# Debian source package (`apt-get source libuv1`, with a deb-src entry added
# if missing) into BUILD_DIR/libuv-suite — nothing of it is committed. A
# runner is built from upstream's run-tests.c/runner*.c and only the test
# files that define the tests listed in tests.txt (or named on the command
# line), linked against BUILD_DIR/lib/libuvsim.a, and each test is run in
# upstream's own way (the runner forks itself per test). Prints each result
# and "N passed, S skipped, M failed"; exits 1 if any failed. A skip is
# upstream's own TEST_SKIP (the test found this machine cannot run it, as
# it does on real libuv here); a name that is not a test on Linux fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [NAME...]}" && pwd)
shift
lib="$build/lib/libuvsim.a"
[ -f "$lib" ] || { echo "libuv-suite: $lib not built" >&2; exit 1; }
work="$build/libuv-suite"
mkdir -p "$work"

fetch_source() {
  if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    [ "$(id -u)" = 0 ] || { echo "libuv-suite: no deb-src entry and not root: cannot apt-get source libuv1" >&2; exit 1; }
    if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
      # the same URIs and suites as the existing Debian entries, as deb-src
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/*.sources \
        > /etc/apt/sources.list.d/uvsim-deb-src.sources
    else
      sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/uvsim-deb-src.list
    fi
    apt-get update -qq
  fi
  (cd "$work" && apt-get source -qq libuv1 >"$work/apt-source.log" 2>&1) || {
    # the lists may predate the deb-src entry
    [ "$(id -u)" = 0 ] && apt-get update -qq
    (cd "$work" && apt-get source -qq libuv1 >"$work/apt-source.log" 2>&1)
  } || { echo "libuv-suite: apt-get source libuv1 failed (network?), see $work/apt-source.log" >&2; exit 1; }
}

src=$(ls -d "$work"/libuv1-*/ 2>/dev/null | head -n1 || true)
if [ -z "$src" ]; then
  fetch_source
  src=$(ls -d "$work"/libuv1-*/ | head -n1)
fi
src=${src%/}
t="$src/test"

if [ $# -gt 0 ]; then names=("$@"); else
  mapfile -t names < <(grep -v '^\s*#' "$here/tests.txt" | sed 's/\s//g' | grep -v '^$')
fi

# A test-list.h with only our tests (and the helpers they use). run-tests.c
# is copied beside it because it includes "test-list.h" from its own folder.
#
# Helpers (the echo servers most stream tests talk to) do not run as
# processes of their own: a process has a simulated world of its own, where
# nothing listens on the helper's port. Each test that has helpers gets an
# entry that starts them as peer processes in its own world
# (uvsim_peer_start, loop/peer.c) and then runs the test; the runner starts
# no helper process. The helpers' names go to helpers.txt.
gen="$work/gen"
rm -rf "$gen" && mkdir -p "$gen"
printf '%s\n' "${names[@]}" > "$gen/names.txt"
python3 - "$t/test-list.h" "$gen/names.txt" "$gen/helpers.txt" > "$gen/test-list.h" <<'PY'
import re, sys
keep = set(open(sys.argv[2]).read().split())
lines = open(sys.argv[1]).read().splitlines(True)
entry = re.compile(r'\s*(TEST_ENTRY\w*|TEST_HELPER|TEST_OUTPUT_ENTRY)\s*\(\s*(\w+)')
helpers = {}
for line in lines:
    m = re.match(r'\s*TEST_HELPER\s*\(\s*(\w+)\s*,\s*(\w+)', line)
    if m and m.group(1) in keep:
        helpers.setdefault(m.group(1), []).append(m.group(2))
open(sys.argv[3], 'w').write(''.join(h + '\n' for hs in helpers.values() for h in hs))
for line in lines:
    m = entry.match(line)
    if m and m.group(2) not in keep:
        continue
    if line.startswith('TASK_LIST_START') and helpers:
        sys.stdout.write('int uvsim_peer_start(int (*main_fn)(void));\n')
        for test, hs in helpers.items():
            sys.stdout.write('static int uvsim_peer_test_%s(void) {\n' % test)
            for h in hs:
                sys.stdout.write('  if (uvsim_peer_start(run_helper_%s) != 0) return 1;\n' % h)
            sys.stdout.write('  return run_test_%s();\n}\n' % test)
    if m and m.group(2) in helpers:
        if m.group(1) == 'TEST_HELPER':
            continue
        args = re.search(r'\(([^)]*)\)', line).group(1).split(',')[1:]
        rest = ', '.join(a.strip() for a in args) if args else '0, 0, 5000'
        line = '  { "%s", "%s", &uvsim_peer_test_%s, %s },\n' % (
            m.group(2), m.group(2), m.group(2), rest)
    sys.stdout.write(line)
PY
cp "$t/run-tests.c" "$gen/"

# Which files define the tests and helpers we keep.
files=()
helpers=$(sort -u "$gen/helpers.txt")
for n in "${names[@]}" $helpers; do
  f=$(grep -lE "(TEST_IMPL|HELPER_IMPL)\($n\)" "$t"/test-*.c "$t"/echo-server.c 2>/dev/null | head -n1 || true)
  [ -n "$f" ] || { echo "libuv-suite: no upstream test named '$n'" >&2; exit 1; }
  files+=("$f")
done
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)

runner="$work/uv_run_tests"
cc=${CC:-cc}
flags=(-g -O1 -w -D_GNU_SOURCE -pthread -I"$gen" -I"$t" -I"$src/src")
if [ -n "${UVSIM_SANITIZE:-}" ]; then flags+=(-fsanitize=address,undefined); fi
echo "libuv-suite: building runner with ${#files[@]} test files against $lib"
# run-tests.c calls helpers that live in other test files (ipc, spawn, ...):
# link, and add the files that define what is still undefined (3 rounds).
for round in 1 2 3; do
  if $cc "${flags[@]}" -o "$runner" "$gen/run-tests.c" "$t/runner.c" "$t/runner-unix.c" \
       "${files[@]}" "$lib" -ldl -lm -lutil -lrt 2>"$gen/link.log"; then
    break
  fi
  missing=$(grep -oE "undefined reference to \`[A-Za-z_0-9]+'" "$gen/link.log" | sed -E "s/.*\`(.*)'/\1/" | sort -u)
  [ -n "$missing" ] && [ $round -lt 3 ] || { cat "$gen/link.log" >&2; echo "libuv-suite: runner does not link" >&2; exit 1; }
  for sym in $missing; do
    f=$(grep -lE "^[a-z].*[ *]$sym\(" "$t"/test-*.c "$t"/echo-server.c 2>/dev/null | head -n1 || true)
    [ -n "$f" ] && files+=("$f")
  done
  mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)
done

pass=0; skip=0; fail=0; failed=()
cd "$src"   # upstream runs its tests from the source root (fixtures)
export UV_RUN_AS_ROOT=1
# Each test runs in a process group of its own, killed when it is over: a
# test that fails or times out leaves its children behind, and some never
# end (closed_fd_events' spawn_helper4 loops on uv_sleep, which moves
# virtual time instead of sleeping: a busy core each, for ever).
run_one() {
  local rc=0
  setsid -w bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$gen/pgid" "$runner" "$1" || rc=$?
  kill -KILL -- "-$(cat "$gen/pgid")" 2>/dev/null || true
  return $rc
}
for n in "${names[@]}"; do
  rc=0; out=$(run_one "$n" 2>&1) || rc=$?
  if grep -q "^# No test with that name" <<<"$out"; then
    # not a Linux test: a name from another platform's part of test-list.h
    echo "FAILED $n"; echo "    not a test on this platform"
    fail=$((fail+1)); failed+=("$n")
  elif [ $rc -eq 0 ]; then
    echo "ok     $n"; pass=$((pass+1))
  elif [ $rc -eq 7 ] && grep -q "# SKIP" <<<"$out"; then
    # upstream's TEST_SKIP (exit 7): the test itself decided this machine
    # cannot run it (no /dev/tty, no multicast, Windows-only); real libuv
    # skips the same ones here, so a skip is not a failure
    echo "skip   $n  ($(grep -o '# SKIP.*' <<<"$out" | head -n1 | cut -c8-))"
    skip=$((skip+1))
  else
    echo "FAILED $n"; echo "$out" | tail -n 15 | sed 's/^/    /'
    fail=$((fail+1)); failed+=("$n")
  fi
done
echo "libuv-suite: $pass passed, $skip skipped, $fail failed"
[ $fail -eq 0 ] || { echo "libuv-suite: failed: ${failed[*]}"; exit 1; }
