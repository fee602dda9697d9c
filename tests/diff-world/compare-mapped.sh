#!/bin/sh
# compare-mapped.sh REAL SIM — compare.sh with the simulated /tmp mapped to
# a fresh host directory (UVSIM_FS_MAP passthrough, docs/world.md): every
# file operation of the uvsim run is then done by the host kernel, and the
# output must still equal real libuv's. A second uvsim run with the mapping
# read-only must hit EROFS, which shows the mapping was really in effect.
dir=$(mktemp -d /tmp/uvsim-mapped-XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT
UVSIM_FS_MAP="/tmp=$dir" sh "$(dirname "$0")/compare.sh" "$1" "$2" || exit 1
if ! UVSIM_FS_MAP="/tmp=$dir,ro" "$2" 2>&1 | grep -q EROFS; then
  echo "the read-only mapping of /tmp was not in effect (no EROFS)"
  exit 1
fi
exit 0
