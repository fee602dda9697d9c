#!/usr/bin/env bash
# bench/exec/forkserver.sh BUILDDIR [RUNS] — schedules/s of `uvsim exec`
# with its fork server (the program starts once, a fork per schedule)
# against a process per schedule (--no-fork-server) and against plain
# starts of the same unchanged binary on the real libuv, in one run, with
# the ratios. Programs: tests/fuzz/exec_target (two pool jobs) and
# tests/fuzz/exec_timeout_race (a timer racing a pool job), "fixed" (no
# failure, so no replay check is timed).
#
# Two rates each: per wall second, and per CPU second (user + system of
# everything the phase started, from getrusage): on a shared, loaded machine
# the wall rate mostly measures waiting for a core, the CPU rate what a
# schedule costs. Compare the numbers of one run only.
set -euo pipefail
build=${1:?usage: forkserver.sh BUILDDIR [RUNS]}
runs=${2:-300}
[ -x "$build/uvsim" ] || { echo "forkserver.sh: build $build/uvsim first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/fork_floor" "$(dirname "$0")/fork_floor.c"
python3 - "$build" "$runs" "$tmp/fork_floor" <<'PY'
import os, resource, subprocess, sys, time

build, runs, floor = sys.argv[1], int(sys.argv[2]), sys.argv[3]
uvsim = os.path.join(build, "uvsim")

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def phase(fn):
    w0, c0 = time.monotonic(), cpu()
    fn()
    return runs / (time.monotonic() - w0), runs / max(cpu() - c0, 1e-9)

def plain(prog):
    for _ in range(runs):
        subprocess.run([prog, "fixed"], stdout=subprocess.DEVNULL, check=True)

def exec_(prog, *flags):
    out = subprocess.run([uvsim, "exec", "--quiet", "--runs", str(runs - 1), *flags,
                          "--", prog, "fixed"], capture_output=True, text=True, check=True).stdout
    want = "a process per run)" if flags else "fork server)"
    if want not in out:
        sys.exit("forkserver.sh: %s: the summary does not say '%s'" % (prog, want))

print("%d schedules (or plain starts) each, per wall second and per CPU second" % runs)
print("%-18s %-5s %12s %12s %12s %10s %10s" %
      ("program", "rate", "plain start", "process/run", "fork server", "fork/proc", "fork/plain"))
for name in ("exec_target", "exec_timeout_race"):
    prog = os.path.join(build, "tests", "fuzz", name)
    if not os.access(prog, os.X_OK):
        sys.exit("forkserver.sh: build %s first" % prog)
    p = phase(lambda: plain(prog))
    s = phase(lambda: exec_(prog, "--no-fork-server"))
    f = phase(lambda: exec_(prog))
    for i, what in enumerate(("wall", "cpu")):
        print("%-18s %-5s %12.0f %12.0f %12.0f %9.2fx %9.2fx" %
              (name, what, p[i], s[i], f[i], f[i] / s[i], f[i] / p[i]))
wall, cpu = map(float, subprocess.run([floor, str(runs)], capture_output=True,
                                      text=True, check=True).stdout.split())
print("%-18s %-5s %12s %12s %12.0f   (bare fork + _exit + waitpid: the floor)" %
      ("fork_floor", "wall", "", "", wall))
print("%-18s %-5s %12s %12s %12.0f" % ("fork_floor", "cpu", "", "", cpu))
PY
