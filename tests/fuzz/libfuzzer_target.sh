#!/bin/sh
# tests/fuzz/libfuzzer_target.sh FUZZ_OUT — the libFuzzer targets as their
# users expect them (issue 15 item 6): a compiled-in target refuses a
# UVSIM_SCENARIO naming another scenario; a skip list of known signatures
# lets fuzzing go past a known bug; each saved artifact crash-<sha1> has
# its finding crash-<sha1>.uvsim; every target has a .options file.
set -u
OUT=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
T=$OUT/uvsim_fuzz_lost_update_buggy
fail() { echo "FAIL: $*"; exit 1; }

# 1. A compiled-in target is not overridden silently.
UVSIM_SCENARIO=quorum_read/buggy "$T" -runs=1 >log1 2>&1
rc=$?
[ "$rc" = 2 ] || fail "UVSIM_SCENARIO=quorum_read/buggy: exit $rc, not 2"
grep -q "fuzzes lost_update/buggy (compiled in)" log1 || { cat log1; fail "no reason given"; }
UVSIM_SCENARIO=lost_update/buggy "$T" -runs=1 >log2 2>&1 || fail "its own name was refused"

# 2. The bug is found, and its artifact and finding share a name.
mkdir art
"$T" -runs=200000 -seed=2 -artifact_prefix=art/ >log3 2>&1 && fail "lost_update: nothing found"
sig=$(sed -n 's/^uvsim-finding: //p' log3 | head -1)
[ -n "$sig" ] || fail "no uvsim-finding line"
n=0
for a in art/crash-*; do
  case $a in *.uvsim) continue ;; esac
  n=$((n + 1))
  [ -f "$a.uvsim" ] || { ls art; fail "artifact $a has no $a.uvsim"; }
  [ "art/crash-$(sha1sum < "$a" | cut -c1-40)" = "$a" ] || fail "$a is not named by its sha1"
done
[ "$n" = 1 ] || { ls art; fail "$n artifacts, expected 1"; }
[ "$(ls art/*.uvsim | wc -l)" = 1 ] || { ls art; fail "a finding without an artifact"; }

# 3. With the signature in the skip list the same campaign goes on to its end.
printf '# known bugs\n%s\n' "$sig" > skip
mkdir art2
UVSIM_SKIP=$tmp/skip "$T" -runs=20000 -seed=2 -artifact_prefix=art2/ >log4 2>&1 ||
  { tail -20 log4; fail "a skipped signature still stopped the fuzzer"; }
grep -q "^uvsim-known: $sig" log4 || fail "the known bug was not named"
grep -q "^Done 20000 runs" log4 || { tail -3 log4; fail "did not run to the end"; }
[ -z "$(ls art2)" ] || fail "an artifact for a skipped signature"
# A prefix with '*' skips it too.
printf '%s*\n' "$(echo "$sig" | cut -c1-12)" > skip2
UVSIM_SKIP=$tmp/skip2 "$T" -runs=20000 -seed=2 >log5 2>&1 || fail "a '*' entry did not skip"

# 4. .options: length control off, a max_len.
for t in "$OUT"/uvsim_fuzz_*_buggy; do
  case $t in *.options) continue ;; esac
  grep -q '^len_control = 0$' "$t.options" && grep -q '^max_len = [0-9]' "$t.options" ||
    fail "$t.options"
done
echo "ok: compiled-in scenario kept, skip list, artifact-named findings, .options"
