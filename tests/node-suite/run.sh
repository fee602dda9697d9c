#!/usr/bin/env bash
# tests/node-suite/run.sh UVSIM_BIN [--update] [NAME...]
#
# Node's own tests for timers, nextTick, promises and microtasks, run under
# plain node 18 and under `UVSIM_BIN node` (one natural run each).
#
# The tests come from Debian's source package of the node 18 that
# scripts/node18 put in /opt/uvsim/node18 (`apt-get source nodejs=VERSION`,
# with a deb-src entry added if missing, as tests/libuv-suite/run.sh does),
# cached under tests/node-suite/work/ (git-ignored): the download and the
# tree's test/ directory; nothing of it is committed.
#
# Selected: test/parallel/test-{timers,next-tick,promise,microtask,
# queue-microtask,dgram,signal,process-kill,fs-watch}*.js. Each runs from test/parallel with the flags of its
# `// Flags:` line and a timeout, under plain node and under uvsim node.
# A test passes when it exits 0 (Node's "1..0 # Skipped" tests exit 0 too;
# they are counted as passes and named in the summary).
#
# expected-pass.txt is the ratchet: tests that pass under uvsim node (and
# under plain node). The script exits 1 if a listed test fails under uvsim
# node; --update rewrites the list with every test that passes under both.
# NAMEs (test file names, with or without .js) restrict the run to those;
# --update is refused with NAMEs. Logs: tests/node-suite/work/logs/.
# Exit status: 0 ok, 1 a listed test failed (or setup failed), 77 when
# there is no node 18 at /opt/uvsim/node18/usr/bin/node (or $UVSIM_NODE).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
uvsim=${1:?usage: run.sh UVSIM_BIN [--update] [NAME...]}
shift
update=0
only=()
for a in "$@"; do
  case $a in
    --update) update=1 ;;
    *) only+=("${a%.js}.js") ;;
  esac
done
[ $update = 0 ] || [ ${#only[@]} = 0 ] || { echo "node-suite: --update runs every test; no NAMEs with it" >&2; exit 2; }
[ -x "$uvsim" ] || { echo "node-suite: $uvsim is not executable" >&2; exit 1; }
uvsim=$(cd "$(dirname "$uvsim")" && pwd)/$(basename "$uvsim")

node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
if [ ! -x "$node" ]; then
  echo "node-suite: skipped: no node 18 at $node (scripts/node18 fetches it, as root)"
  exit 77
fi
prefix=$(cd "$(dirname "$node")/../.." && pwd)     # PREFIX/usr/bin/node
[ -d "$prefix/usr/lib/x86_64-linux-gnu" ] &&
  export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
timeout_s=${NODE_SUITE_TIMEOUT:-30}
work="$here/work"
mkdir -p "$work"

# ------------------------------------------------------------ the source
# The Debian version of the node in $prefix, from its changelog
# ("nodejs (18.20.4+dfsg-1~deb12u3) bookworm-security; ...").
version=$(zcat "$prefix/usr/share/doc/nodejs/changelog.Debian.gz" 2>/dev/null |
          sed -n '1s/^nodejs (\([^)]*\)).*/\1/p' || true)
if [ -z "$version" ]; then
  v=$("$node" --version)            # v18.20.4: then any Debian 18.20.4
  version="${v#v}+dfsg-"
fi
upstream=${version%%+*}; upstream=${upstream%%-*}

add_deb_src() {
  grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  [ "$(id -u)" = 0 ] || { echo "node-suite: no deb-src entry and not root: cannot apt-get source nodejs" >&2; return 1; }
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/*.sources \
      > /etc/apt/sources.list.d/uvsim-deb-src.sources
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/uvsim-deb-src.list
  fi
  apt-get update -qq
}

# The Debian source versions of nodejs with the same upstream version, the
# exact one first: a security update's .dsc may be gone from the mirror
# while the older revision of the same upstream release is still there.
candidates() {
  { case $version in *-) ;; *) echo "$version" ;; esac
    apt-cache madison nodejs 2>/dev/null | awk -F'|' '$3 ~ /Sources/ {gsub(/ /,"",$2); print $2}' |
      grep "^$upstream+" || true; } | awk '!seen[$0]++'
}

fetch_source() {   # into $work/dl; sets $dsc
  add_deb_src || return 1
  mkdir -p "$work/dl"; chmod 755 "$work/dl"
  local try
  for round in 1 2; do
    for try in $(candidates); do
      if (cd "$work/dl" && apt-get source -qq --download-only "nodejs=$try" >"$work/apt-source.log" 2>&1); then
        dsc="$work/dl/nodejs_${try#*:}.dsc"
        [ -f "$dsc" ] && { echo "node-suite: fetched Debian's nodejs $try source"; return 0; }
      fi
    done
    # the lists may predate the deb-src entry
    [ $round = 1 ] && [ "$(id -u)" = 0 ] && apt-get update -qq || break
  done
  echo "node-suite: apt-get source nodejs=$version failed (network?), see $work/apt-source.log" >&2
  return 1
}

# $work/node-UPSTREAM/test: only the test/ directory of the unpacked source
# (with Debian's patches applied when dpkg-source is there).
tree="$work/node-$upstream"
if [ ! -f "$tree/.complete" ]; then
  dsc=$(ls "$work"/dl/nodejs_"$upstream"+*.dsc 2>/dev/null | head -n1 || true)
  [ -n "$dsc" ] || fetch_source || exit 1
  rm -rf "$tree" "$work/unpack"
  mkdir -p "$tree"
  if command -v dpkg-source >/dev/null; then
    # (dpkg-source copies the orig tarballs beside the tree it makes)
    mkdir -p "$work/unpack"
    dpkg-source -x "$dsc" "$work/unpack/src" >"$work/unpack.log" 2>&1 ||
      { echo "node-suite: dpkg-source -x failed, see $work/unpack.log" >&2; exit 1; }
  else
    orig=$(ls "$work"/dl/nodejs_"$upstream"+*.orig.tar.* | head -n1)
    mkdir -p "$work/unpack/src"
    tar -xf "$orig" -C "$work/unpack/src" --strip-components=1 --wildcards '*/test/*'
  fi
  mv "$work/unpack/src/test" "$tree/test"
  rm -rf "$work/unpack"
  touch "$tree/.complete"
fi
t="$tree/test"
par="$t/parallel"

# ------------------------------------------------------------- the tests
mapfile -t tests < <(cd "$par" && ls | grep -E '^test-(timers|next-tick|promise|microtask|queue-microtask|dgram|signal|process-kill|fs-watch).*\.js$' | sort)
# Child processes (loop/spawn.c): only the test-child-process-*.js that
# expected-pass.txt lists (all 104 take about 25 minutes; these 30 s).
mapfile -t -O "${#tests[@]}" tests < <(grep -h '^test-child-process-.*\.js$' "$here/expected-pass.txt" 2>/dev/null | sort)
if [ ${#only[@]} -gt 0 ]; then
  for n in "${only[@]}"; do [ -f "$par/$n" ] || { echo "node-suite: no test $n" >&2; exit 2; }; done
  tests=("${only[@]}")
fi

flags_of() {   # as test/common's parseTestFlags: a `// Flags: --...` line in the first 1500 bytes
  head -c 1500 "$1" | sed -n 's#.*// Flags:[[:space:]]*\(--.*\)#\1#p' | head -n1 | tr -d '\r'
}

mapfile -t expected < <(grep -v '^\s*#' "$here/expected-pass.txt" 2>/dev/null | sed 's/\s//g' | grep -v '^$' || true)
is_expected() { local e; for e in "${expected[@]}"; do [ "$e" = "$1" ] && return 0; done; return 1; }

logs="$work/logs"
rm -rf "$logs"; mkdir -p "$logs/plain" "$logs/uvsim"
# The tests dir has no package.json, so uvsim maps only test/parallel (the
# script's own dir): test/common and test/fixtures are mapped read-only
# beside it (mapping test/ itself overlaps the automatic map of test/parallel).
maps=(--map "$t/common=$t/common,ro" --map "$t/fixtures=$t/fixtures,ro")

plain_pass=(); both_pass=(); skipped=(); regress=(); new=(); uvsim_only=()
cd "$par"
for f in "${tests[@]}"; do
  read -r -a fl <<<"$(flags_of "$f")" || true
  name=${f%.js}
  # (the outer timeout for uvsim too: its --timeout applies to --runs
  # campaigns, not to a single natural run)
  rc_p=0; timeout -k 5 "$timeout_s" "$node" "${fl[@]}" "$f" >"$logs/plain/$name.log" 2>&1 </dev/null || rc_p=$?
  for try in 1 2; do
    rc_u=0; timeout -k 5 "$timeout_s" "$uvsim" node --node "$node" --timeout "$timeout_s" "${maps[@]}" -- "${fl[@]}" "$f" \
      >"$logs/uvsim/$name.log" 2>&1 </dev/null || rc_u=$?
    # 126/127: the binary was being relinked by a concurrent build
    case $rc_u in 126|127) sleep 5 ;; *) break ;; esac
  done
  mark=""
  if [ $rc_p = 0 ]; then
    plain_pass+=("$f")
    grep -q '^1\.\.0 # Skipped' "$logs/plain/$name.log" && skipped+=("$f")
  fi
  if [ $rc_u = 0 ]; then
    if [ $rc_p = 0 ]; then both_pass+=("$f"); else uvsim_only+=("$f"); fi
    is_expected "$f" || { new+=("$f"); mark=" (new: not in expected-pass.txt)"; }
    printf 'ok       %-60s plain=%d uvsim=0%s\n' "$f" $rc_p "$mark"
  else
    if is_expected "$f"; then regress+=("$f"); mark=" (LISTED in expected-pass.txt)"; fi
    printf 'FAILED   %-60s plain=%d uvsim=%d%s\n' "$f" $rc_p $rc_u "$mark"
    if [ -n "$mark" ] || [ -n "${NODE_SUITE_VERBOSE:-}" ]; then
      tail -n 15 "$logs/uvsim/$name.log" | sed 's/^/    /'
    fi
  fi
done

echo "node-suite: ${#plain_pass[@]} of ${#tests[@]} pass under plain node 18 ($("$node" --version)), ${#both_pass[@]} of those pass under uvsim node"
[ ${#skipped[@]} = 0 ] || echo "node-suite: skipped by the test itself (exit 0, counted as passes): ${skipped[*]}"
[ ${#uvsim_only[@]} = 0 ] || echo "node-suite: pass under uvsim node only (fail under plain node): ${uvsim_only[*]}"
echo "node-suite: logs in $logs"

if [ $update = 1 ]; then
  { echo "# Node's own tests (test/parallel of Debian's nodejs 18 source) that pass"
    echo "# under uvsim node and under plain node 18. Written by run.sh --update;"
    echo "# run.sh fails if one of these fails under uvsim node."
    printf '%s\n' "${both_pass[@]}"; } > "$here/expected-pass.txt"
  echo "node-suite: wrote expected-pass.txt (${#both_pass[@]} tests)"
  exit 0
fi
[ ${#new[@]} = 0 ] || echo "node-suite: pass but not listed (run.sh --update to ratchet): ${new[*]}"
if [ ${#regress[@]} -gt 0 ]; then
  echo "node-suite: listed in expected-pass.txt but fail under uvsim node: ${regress[*]}"
  exit 1
fi
exit 0
