#!/usr/bin/env bash
# tests/lib/layout.sh SRC — the source tree's layering rules (docs/contributing.md),
# checked on every file, so that drift fails a test instead of confusing a
# newcomer:
#   1. layers depend downward only: sim <- loop <- fuzz <- reports <- cli
#      (a file includes project headers of its own layer or lower ones);
#   2. project headers are included with their folder ("sim/sim_fs.h"),
#      never by a bare name that depends on the include path;
#   3. a header's guard is UVSIM_ + its path (include/uvsim/x.h: UVSIM_X_H);
#   4. no two sources of the layers share a basename.
set -u
src=${1:?usage: layout.sh SRC}
cd "$src" || exit 2
fail=0
bad() { echo "layout: $*"; fail=1; }

rank() {
  case $1 in
    sim) echo 1 ;; loop) echo 2 ;; fuzz) echo 3 ;; reports) echo 4 ;; cli) echo 5 ;;
    *) echo 0 ;;
  esac
}

for f in $(git ls-files 'sim/*.[ch]' 'loop/*.[ch]' 'fuzz/*.[ch]' 'reports/*.[ch]' 'cli/*.[ch]'); do
  layer=${f%%/*}
  mine=$(rank "$layer")
  while IFS= read -r inc; do
    case $inc in
      */*)
        top=${inc%%/*}
        theirs=$(rank "$top")
        if [ "$theirs" -gt "$mine" ]; then
          bad "$f includes \"$inc\": $layer may not depend on $top"
        fi
        [ "$theirs" -gt 0 ] && [ ! -f "$inc" ] && bad "$f includes \"$inc\", which does not exist"
        ;;
      *)
        # a bare name is allowed only for a header that is no layer's (tests' own)
        for d in sim loop loop/engine loop/entry fuzz reports cli; do
          [ -f "$d/$inc" ] && bad "$f includes \"$inc\": write \"$d/$inc\""
        done
        ;;
    esac
  done < <(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done

for h in $(git ls-files 'sim/*.h' 'loop/*.h' 'fuzz/*.h' 'reports/*.h' 'cli/*.h' 'include/*.h'); do
  rel=${h#include/}
  want=UVSIM_$(echo "$rel" | tr 'a-z/.-' 'A-Z___')
  want=${want/#UVSIM_UVSIM_/UVSIM_}
  [ "$rel" = uvsim.h ] && want=UVSIM_H
  got=$(sed -n 's/^#ifndef \([A-Z0-9_]*\)$/\1/p' "$h" | head -1)
  [ "$got" = "$want" ] || bad "$h: guard is '$got', want '$want'"
done

dups=$(git ls-files 'sim/*.c' 'loop/*.c' 'fuzz/*.c' 'reports/*.c' 'cli/*.c' |
       xargs -n1 basename | sort | uniq -d)
[ -z "$dups" ] || bad "sources share a basename: $dups"

[ "$fail" = 0 ] && echo "layout: ok"
exit $fail
