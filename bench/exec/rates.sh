# bench/exec/rates.sh — sourced by forkserver.sh and node.sh: schedules/s of
# a phase per wall second and per CPU second. Needs $tmp (a scratch
# directory) and $runs (how many runs a phase makes); RATE_FMT is printf's
# format of one rate (default %.1f).

# CPU seconds (user + system) of all children waited for so far: the second
# line of `times`, run in this shell (a subshell's children are not ours)
cpu_of() { awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); s += a[1] * 60 + a[2] }
                          print s }' "$1"; }
# phase FUNCTION ARGS...: sets wall_rate and cpu_rate for $runs of them
phase() {
  local w0 w1
  w0=$EPOCHREALTIME; times > "$tmp/t0"
  "$@"
  w1=$EPOCHREALTIME; times > "$tmp/t1"
  read -r wall_rate cpu_rate < <(awk -v n="$runs" -v w0="$w0" -v w1="$w1" -v f="${RATE_FMT:-%.1f}" \
    -v c0="$(cpu_of "$tmp/t0")" -v c1="$(cpu_of "$tmp/t1")" \
    'BEGIN { c = c1 - c0; if (c < 1e-9) c = 1e-9; printf f " " f "\n", n / (w1 - w0), n / c }')
}
