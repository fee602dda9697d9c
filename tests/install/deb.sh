#!/usr/bin/env bash
# tests/install/deb.sh BUILD — the Debian package: CPack builds
# uvsim_<version>_amd64.deb from BUILD; its control fields are checked;
# `apt-get install ./uvsim_*.deb` puts a working uvsim on PATH (list, a
# campaign, the man page, pkg-config); `apt-get purge` leaves none of its
# files behind. Needs root and apt-get (CI runs as root on Debian 12):
# otherwise it is skipped (exit 77), saying why. A uvsim package already
# installed is left alone (skipped too).
set -euo pipefail
build=$(cd "${1:?usage: deb.sh BUILD}" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "installing a .deb needs root (CI runs this as root)"
for t in apt-get dpkg dpkg-deb cpack; do
  command -v "$t" >/dev/null 2>&1 || skip "$t is not available"
done
if dpkg -s uvsim >/dev/null 2>&1; then skip "a uvsim package is installed already; not replacing it"; fi
tmp=$(mktemp -d)
installed=0
cleanup() {
  [ "$installed" = 1 ] && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq uvsim >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== cpack -G DEB"
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg") > "$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack"; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
deb=$tmp/pkg/uvsim_${version}_amd64.deb
[ -f "$deb" ] || { ls "$tmp/pkg"; fail "no uvsim_${version}_amd64.deb"; }
dpkg-deb -f "$deb" Package Version Architecture Depends
[ "$(dpkg-deb -f "$deb" Package)" = uvsim ] || fail "Package"
[ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "Architecture"
deps=$(dpkg-deb -f "$deb" Depends)
case $deps in *libc6*) ;; *) fail "Depends has no libc6 (shlibdeps): $deps" ;; esac
case $deps in *libuv1-dev*) ;; *) fail "Depends has no libuv1-dev: $deps" ;; esac
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's,^\.,,' > "$tmp/contents"
for f in /usr/bin/uvsim /usr/lib/libuvsim.so /usr/lib/libuvsim.a /usr/lib/libuvsim-det.so \
         /usr/lib/libuvsim-real-uv.so.1 /usr/include/uvsim.h /usr/lib/pkgconfig/uvsim.pc \
         /usr/lib/cmake/uvsim/uvsimConfig.cmake /usr/share/man/man1/uvsim.1 \
         /usr/share/bash-completion/completions/uvsim; do
  grep -qx -- "$f" "$tmp/contents" || fail "the package lacks $f"
done

echo "== apt-get install ./$(basename "$deb")"
cp "$deb" "$tmp/work.deb"
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tmp/work.deb" > "$tmp/apt.log" 2>&1 ||
  { cat "$tmp/apt.log"; fail "apt-get install"; }
[ "$(command -v uvsim)" = /usr/bin/uvsim ] || fail "uvsim on PATH is '$(command -v uvsim)', not /usr/bin/uvsim"
mkdir "$tmp/w" && cd "$tmp/w"
env -u UVSIM_LIB -u UVSIM_JS_SCENARIOS uvsim list > list.txt
grep -q '^lost_update/buggy' list.txt || fail "uvsim list"
grep -q '^js-' list.txt || fail "uvsim list: no JS scenarios from /usr/share/uvsim"
env -u UVSIM_LIB uvsim run lost_update --runs 300 --expect --quiet --no-report --corpus corpus \
  --junit run.xml > run.txt || { cat run.txt; fail "uvsim run lost_update --expect"; }
grep -q 'testcase name="lost_update/buggy"' run.xml || fail "--junit from the installed uvsim"
[ "$(pkg-config --modversion uvsim)" = "$version" ] || fail "pkg-config finds no uvsim $version"
grep -q 'libuvsim.so.0 ' <<<"$(ldconfig -p)" || echo "note: ldconfig has no libuvsim.so.0 (it is in /usr/lib, on the default path)"
echo "ok: uvsim $version installed, list and a campaign run from /usr/bin/uvsim"

echo "== apt-get purge uvsim"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq uvsim > "$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get purge"; }
installed=0
dpkg -s uvsim >/dev/null 2>&1 && fail "dpkg still knows uvsim"
left=$(while read -r f; do [ -n "$f" ] && [ -f "$f" ] && echo "$f"; done < "$tmp/contents" || true)
[ -z "$left" ] || fail "left behind: $left"
hash -r
command -v uvsim >/dev/null 2>&1 && [ "$(command -v uvsim)" = /usr/bin/uvsim ] && fail "/usr/bin/uvsim remains"
echo "deb: built, installed, used and removed cleanly"
