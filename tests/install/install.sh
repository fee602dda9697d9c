#!/usr/bin/env bash
# tests/install/install.sh BUILD SRC — uvsim as another project gets it:
#   1. `cmake --install BUILD --prefix P`, then P moved elsewhere (nothing
#      installed may remember where it was put), and every file the issue
#      names is there: bin/uvsim, lib/libuvsim.{a,so} (with a soname),
#      headers, uvsim.pc, the CMake package, the man page, bash completion;
#   2. no installed text file and no RUNPATH names SRC or BUILD;
#   3. the man page says what `uvsim help` says, command by command;
#   4. the installed uvsim, run from outside both trees, lists the bundled C
#      scenarios and the JS ones from P/share/uvsim, runs a campaign, and
#      `uvsim exec` preloads P/lib/libuvsim.so;
#   5. examples/asyncstore, copied out of SRC, builds against P with
#      find_package(uvsim) and passes its ctest (the buggy build fails under
#      uvsim with its replay line); its compile and link lines name
#      neither SRC nor BUILD;
#   6. the same project through pkg-config, and a bare `cc $(pkg-config ...)`;
#   7. the bash completion completes commands and options.
set -euo pipefail
build=$(cd "${1:?usage: install.sh BUILD SRC}" && pwd)
src=$(cd "${2:?usage: install.sh BUILD SRC}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
unset UVSIM_LIB UVSIM_JS_SCENARIOS UVSIM_SEED UVSIM_REPLAY CMAKE_PREFIX_PATH PKG_CONFIG_PATH

echo "== 1. install into a fresh prefix, then move it"
cmake --install "$build" --prefix "$tmp/staged" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install"; }
mv "$tmp/staged" "$tmp/prefix"
p=$tmp/prefix
for f in bin/uvsim lib/libuvsim.a lib/libuvsim.so lib/libuvsim-det.so lib/libuvsim-real-uv.so.1 \
         include/uvsim.h include/uvsim/explore.h include/uvsim/world.h lib/pkgconfig/uvsim.pc \
         lib/cmake/uvsim/uvsimConfig.cmake lib/cmake/uvsim/uvsimConfigVersion.cmake \
         lib/cmake/uvsim/uvsimTargets.cmake lib/cmake/uvsim/uvsimTest.cmake \
         share/man/man1/uvsim.1 share/bash-completion/completions/uvsim; do
  [ -e "$p/$f" ] || fail "$f is not installed"
done
ls "$p"/share/uvsim/scenarios/js/*.js >/dev/null 2>&1 || fail "no JS scenarios under share/uvsim"
soname=$(readelf -d "$p/lib/libuvsim.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libuvsim.so.0 ] || fail "libuvsim.so's soname is '$soname', want libuvsim.so.0"
[ -L "$p/lib/libuvsim.so" ] || fail "lib/libuvsim.so is not the development symlink"
# (no `| grep -q` under pipefail: grep's early exit would fail the pipeline)
syms=$(nm -D --defined-only "$p/lib/libuvsim.so")
grep -q ' T uvsim_explore$' <<<"$syms" || fail "libuvsim.so lacks uvsim_explore"
echo "ok: $(cd "$p" && find . -type f -o -type l | wc -l) files; soname $soname"

echo "== 2. nothing installed names the source or build tree"
bad=$(grep -rlI -e "$src" -e "$build" "$p/lib/pkgconfig" "$p/lib/cmake" "$p/share" "$p/include" || true)
[ -z "$bad" ] || fail "these name $src or $build: $bad"
for so in "$p"/lib/*.so*; do
  [ -L "$so" ] && continue
  rp=$(readelf -d "$so" | grep -E 'RPATH|RUNPATH' || true)
  case $rp in *"$src"*|*"$build"*) fail "$so: $rp" ;; esac
done
rp=$(readelf -d "$p/bin/uvsim" | grep -E 'RPATH|RUNPATH' || true)
case $rp in *"$build"*) fail "bin/uvsim: $rp" ;; esac
echo "ok"

echo "== 3. the man page is the help text"
python3 - "$p/bin/uvsim" "$p/share/man/man1/uvsim.1" <<'EOF'
import re, subprocess, sys
uvsim, man = sys.argv[1:]
page = open(man).read().replace("\\e", "\\").replace("\\&", "").replace("\\-", "-")
main = subprocess.run([uvsim, "help"], capture_output=True, text=True, check=True).stdout
cmds = [m.group(1) for m in re.finditer(r"^  ([a-z]+)\b", main.split("commands:")[1], re.M)]
assert len(cmds) >= 7, cmds
for c in [None] + [c for c in cmds if c != "help"]:
    text = subprocess.run([uvsim, "help"] + ([c] if c else []), capture_output=True,
                          text=True, check=True).stdout
    if text.rstrip("\n") not in page:
        sys.exit(f"FAIL: `uvsim help {c or ''}` is not in the man page word for word")
    if c and f".SS uvsim {c}" not in page:
        sys.exit(f"FAIL: the man page has no section for {c}")
print(f"ok: the man page holds `uvsim help` and {len(cmds) - 1} commands' help verbatim")
EOF
if command -v man >/dev/null 2>&1; then
  man -l "$p/share/man/man1/uvsim.1" 2>&1 >/dev/null | grep -i warn && fail "man warns about uvsim.1"
fi

echo "== 4. the installed uvsim, from outside both trees"
mkdir "$tmp/work" && cd "$tmp/work"
"$p/bin/uvsim" list > list.txt
grep -q '^lost_update/buggy' list.txt || fail "uvsim list: no lost_update/buggy"
njs=$(grep -c '^js-' list.txt || true)
[ "$njs" -gt 0 ] || fail "uvsim list: no JS scenarios"
# The JS scenarios come from P/share/uvsim, not from the source tree: a
# scenario that exists only there is listed.
cat > "$p/share/uvsim/scenarios/js/zz_install_probe.js" <<'EOF'
// scenario: install_probe
// exists only in the installed tree
EOF
listed=$("$p/bin/uvsim" list)
grep -q '^js-install_probe/buggy' <<<"$listed" || fail "the JS scenarios are not read from $p/share/uvsim"
rm "$p/share/uvsim/scenarios/js/zz_install_probe.js"
"$p/bin/uvsim" run lost_update --runs 300 --expect --quiet --no-report --corpus corpus > run.txt ||
  { cat run.txt; fail "uvsim run lost_update --expect"; }
ls corpus/lost_update/buggy-*.uvsim >/dev/null || fail "no reproducer written"
"$p/bin/uvsim" replay corpus/lost_update/buggy-*.uvsim >/dev/null || fail "replay of the installed campaign's reproducer"
echo "ok: $njs JS scenarios from share/uvsim; a campaign, its reproducer and its replay"

echo "== 5. examples/asyncstore against the prefix: find_package(uvsim)"
cp -r "$src/examples/asyncstore" "$tmp/asyncstore"
cmake -S "$tmp/asyncstore" -B "$tmp/ex" -DCMAKE_PREFIX_PATH="$p" -Duvsim_DIR="$p/lib/cmake/uvsim" \
      -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > "$tmp/ex.log" 2>&1 || { cat "$tmp/ex.log"; fail "configure"; }
cmake --build "$tmp/ex" -j 2 >> "$tmp/ex.log" 2>&1 || { cat "$tmp/ex.log"; fail "build"; }
lines=$(cat "$tmp/ex/compile_commands.json"; find "$tmp/ex" -name link.txt -exec cat {} +)
case $lines in *"$src"*|*"$build"*) fail "the example's compile or link lines name $src or $build" ;; esac
grep -q -- "$p/lib/libuvsim" <<<"$lines" || fail "the example does not link the installed libuvsim"
(cd "$tmp/ex" && ctest --output-on-failure -j 2 > ctest.txt 2>&1) || { cat "$tmp/ex/ctest.txt"; fail "the example's tests"; }
(cd "$tmp/ex" && ctest -R store_buggy_exec -V 2>&1 || true) > buggy.txt
grep -q "replay: UVSIM_SEED=[0-9]* LD_PRELOAD=$p/lib/libuvsim.so " buggy.txt ||
  { cat buggy.txt; fail "the buggy test's output has no replay line preloading $p/lib/libuvsim.so"; }
grep -q '<failure' "$tmp/ex/store_buggy.junit.xml" || fail "uvsim_add_test(JUNIT): no failure in the XML"
echo "ok: $(grep -c 'Passed' "$tmp/ex/ctest.txt") tests pass (the buggy build fails under uvsim, with its replay line)"

echo "== 6. the same through pkg-config"
export PKG_CONFIG_PATH=$p/lib/pkgconfig
[ "$(pkg-config --modversion uvsim)" = "$(sed -n 's/^Version: //p' "$p/lib/pkgconfig/uvsim.pc")" ] || fail "pkg-config --modversion"
cmake -S "$tmp/asyncstore" -B "$tmp/ex-pc" -DASYNCSTORE_PKGCONFIG=ON > "$tmp/ex-pc.log" 2>&1 &&
  cmake --build "$tmp/ex-pc" -j 2 >> "$tmp/ex-pc.log" 2>&1 || { cat "$tmp/ex-pc.log"; fail "pkg-config build"; }
(cd "$tmp/ex-pc" && ctest --output-on-failure -j 2 > ctest.txt 2>&1) || { cat "$tmp/ex-pc/ctest.txt"; fail "pkg-config build's tests"; }
# shellcheck disable=SC2046
cc -std=gnu11 -o "$tmp/bare" "$tmp/asyncstore/tests/test_store_explore.c" "$tmp/asyncstore/src/asyncstore.c" \
   -I"$tmp/asyncstore/include" $(pkg-config --cflags --libs uvsim) -lcmocka \
   -Wl,-rpath,"$(pkg-config --variable=libdir uvsim)" || fail "cc with pkg-config"
"$tmp/bare" > bare.txt 2>&1 || { cat bare.txt; fail "the pkg-config-built explore test"; }
unset PKG_CONFIG_PATH
echo "ok"

echo "== 7. bash completion"
out=$(bash -c 'source "$1"; COMP_WORDS=("$2" ru); COMP_CWORD=1; _uvsim; echo "${COMPREPLY[*]}";
               COMP_WORDS=("$2" exec --ju); COMP_CWORD=2; _uvsim; echo "${COMPREPLY[*]}"' \
      _ "$p/share/bash-completion/completions/uvsim" "$p/bin/uvsim")
[ "$out" = $'run\n--junit' ] || fail "completion gave: $out"
echo "ok"
echo "install: all checks passed"
