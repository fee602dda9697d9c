#!/bin/sh
# compare.sh REAL SIM — runs both programs and fails with a diff when their
# outputs differ. UVSIM_SEED is cleared: the simulated run uses choice 0.
real=$(env -u UVSIM_SEED "$1" 2>&1); rc1=$?
sim=$(env -u UVSIM_SEED "$2" 2>&1); rc2=$?
if [ "$real" != "$sim" ] || [ $rc1 -ne $rc2 ]; then
  echo "real (rc=$rc1) vs uvsim (rc=$rc2) differ:"
  printf '%s\n' "$real" > /tmp/diffw.real.$$
  printf '%s\n' "$sim" > /tmp/diffw.sim.$$
  diff -u /tmp/diffw.real.$$ /tmp/diffw.sim.$$
  rm -f /tmp/diffw.real.$$ /tmp/diffw.sim.$$
  exit 1
fi
printf '%s\n' "$real" | head -3
exit 0
