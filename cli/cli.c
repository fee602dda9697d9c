/* cli/cli.c — what every uvsim command shares: the one-line usage error
 * and strict parsing of flag values (see cli.h). */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "sim/sim_strategy.h"
#include "sim/sim_replay.h"
#include "sim/sim_util.h"

int cli_usage_error(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("uvsim: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see uvsim help)\n", stderr);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_is_help(const char* a) {
  return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int cli_parse_u64(const char* flag, const char* v, uint64_t* out) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  if (sim_parse_u64(v, out)) return cli_usage_error("%s: '%s' is not a number", flag, v), -1;
  return 0;
}

int cli_parse_u32(const char* flag, const char* v, uint32_t* out) {
  uint64_t x;
  if (cli_parse_u64(flag, v, &x)) return -1;
  if (x > UINT32_MAX) return cli_usage_error("%s: '%s' is too large", flag, v), -1;
  *out = (uint32_t)x;
  return 0;
}

int cli_parse_pair(const char* flag, const char* v, uint32_t* a, uint32_t* b) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  char buf[64];
  snprintf(buf, sizeof buf, "%s", v);
  char* comma = strchr(buf, ',');
  if (!comma) return cli_usage_error("%s: '%s' is not DOF,PCT", flag, v), -1;
  *comma = 0;
  if (cli_parse_u32(flag, buf, a) || cli_parse_u32(flag, comma + 1, b)) return -1;
  if (*b > 100) return cli_usage_error("%s: percentage %u is above 100", flag, *b), -1;
  return 0;
}

int cli_parse_shard(const char* flag, const char* v, uint32_t* index, uint32_t* count) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  char buf[64];
  const char* slash = strchr(v, '/');
  uint64_t i, n;
  if (!slash || strlen(v) >= sizeof buf || slash - v == 0)
    return cli_usage_error("%s: '%s' is not I/N (shard I of N, e.g. 1/4)", flag, v), -1;
  snprintf(buf, sizeof buf, "%.*s", (int)(slash - v), v);
  if (sim_parse_u64(buf, &i) || sim_parse_u64(slash + 1, &n))
    return cli_usage_error("%s: '%s' is not I/N (shard I of N, e.g. 1/4)", flag, v), -1;
  if (n < 1 || n > UINT32_MAX || i < 1 || i > n)
    return cli_usage_error("%s: '%s': I/N needs 1 <= I <= N", flag, v), -1;
  *index = (uint32_t)(i - 1);
  *count = (uint32_t)n;
  return 0;
}

int cli_parse_seconds(const char* flag, const char* v, double* out) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  char* end = NULL;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || !*v || *end || !(x > 0) || x > 1e7)
    return cli_usage_error("%s: '%s' is not a positive number of seconds", flag, v), -1;
  *out = x;
  return 0;
}

/* ------------------------------------------------------------- outputs */

int cli_out_dir(const char* flag, const char* dir) {
  if (!dir || !*dir)
    return cli_usage_error("%s: an empty path (it would write into /)", flag);
  if (sim_mkdir_p(dir, 0777) != 0)
    return cli_usage_error("%s: cannot create '%s': %s", flag, dir, strerror(errno));
  if (access(dir, W_OK | X_OK) != 0)
    return cli_usage_error("%s: cannot write into '%s': %s", flag, dir, strerror(errno));
  return 0;
}

int cli_lock_dir(const char* dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/.uvsim.lock", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return cli_usage_error("cannot lock '%s': %s", dir, strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return cli_usage_error("cannot lock '%s': %s", dir, strerror(errno));
    fprintf(stderr, "uvsim: another campaign is writing into '%s'; waiting for it "
            "(or give this one its own directory)\n", dir);
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {}
  }
  return 0;   /* fd stays open: the lock lasts as long as this process */
}

int cli_finish_stdout(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "uvsim: cannot write to stdout: %s\n", strerror(errno ? errno : EIO));
    return EXIT_WRITE;
  }
  return rc;
}

/* --------------------------------------------------------------- replay */

int cli_replay_verdict(const sim_repro* r, const char* sig, uint64_t hash,
                       const sim_replay* acct, int strict) {
  return cli_replay_verdict_output(r, sig, hash, acct, strict, -1);
}

int cli_replay_verdict_output(const sim_repro* r, const char* sig, uint64_t hash,
                              const sim_replay* acct, int strict, int out_same) {
  /* The same failure modulo numbers: a line added above the failing one
   * moves its line number (node's frames), not the bug. */
  char now[512], then[512];
  fz_normalise(sig, now, sizeof now);
  fz_normalise(r->signature, then, sizeof then);
  int same_sig = !r->signature[0] || strcmp(now, then) == 0;
  if (!same_sig) printf("signature differs from the recorded one: %s\n", r->signature);
  else if (r->signature[0] && strcmp(sig, r->signature) != 0)
    printf("the failure moved: recorded %s\n", r->signature);
  int same_hash = r->has_hash && hash == r->hash;
  if (r->has_hash)
    printf("hash %016" PRIx64 " (recorded %016" PRIx64 "): %s\n", hash, r->hash,
           same_hash ? "identical" : "DIFFERENT");
  else
    printf("hash %016" PRIx64 " (none recorded)\n", hash);
  sim_replay_fprint(acct, stdout, "");
  int diverged = sim_replay_diverged(acct);
  if (!diverged) printf("every decision matched the reproducer\n");
  if (same_sig && (same_hash || !r->has_hash) && !diverged && out_same != 0) {
    printf("reproduced exactly\n");
    return 0;
  }
  if (same_sig && !strict && r->signature[0]) {
    printf(out_same == 0 && same_hash && !diverged
               ? "reproduced (same failure and schedule, other output: the program "
                 "depends on something uvsim does not control)\n" :
           same_hash ? "reproduced (same failure and trace; the file does not match what "
                       "the program asked, see above)\n"
                     : "reproduced (same failure, different schedule)\n");
    return 0;
  }
  printf("NOT reproduced%s\n", strict && same_sig ? " (strict: the run must match the "
                                                    "file decision for decision)" : "");
  return EXIT_BUG;
}

/* A strategy setting's value v into p (a flag that takes one value). 0, or
 * EXIT_USAGE after the one-line error. */
static int strategy_value(const char* a, const char* v, sim_strategy_params* p) {
  if (!strcmp(a, "--bias-max")) return cli_parse_u32(a, v, &p->random_bias_max);
  if (!strcmp(a, "--pct-k")) return cli_parse_u32(a, v, &p->pct_k);
  if (!strcmp(a, "--dfs-nonzero")) return cli_parse_u32(a, v, &p->dfs_nonzero);
  if (!strcmp(a, "--nodefz-pool")) return cli_parse_pair(a, v, &p->nodefz_pool_dof, &p->nodefz_pool_pct);
  if (!strcmp(a, "--nodefz-io")) return cli_parse_pair(a, v, &p->nodefz_io_dof, &p->nodefz_io_pct);
  uint32_t* pct = !strcmp(a, "--nodefz-timer") ? &p->nodefz_timer_pct
                : !strcmp(a, "--nodefz-other") ? &p->nodefz_other_pct : NULL;
  if (pct) {
    if (cli_parse_u32(a, v, pct)) return EXIT_USAGE;
    return *pct > 100 ? cli_usage_error("%s: %u is not a percentage (0..100)", a, *pct) : 0;
  }
  if (!strcmp(a, "--pct-depth")) {
    if (cli_parse_u32(a, v, &p->pct_depth)) return EXIT_USAGE;
    if (p->pct_depth < 1 || p->pct_depth > SIM_PCT_DEPTH_MAX)
      return cli_usage_error("--pct-depth: %u is not in 1..%u", p->pct_depth, SIM_PCT_DEPTH_MAX);
    return 0;
  }
  if (!strcmp(a, "--dfs-depth")) {
    if (cli_parse_u32(a, v, &p->dfs_depth)) return EXIT_USAGE;
    if (p->dfs_depth < 1 || p->dfs_depth > SIM_DFS_DEPTH_MAX)
      return cli_usage_error("--dfs-depth: %u is not in 1..%u", p->dfs_depth, SIM_DFS_DEPTH_MAX);
    return 0;
  }
  /* --dfs-branch */
  if (cli_parse_u32(a, v, &p->dfs_branch)) return EXIT_USAGE;
  return p->dfs_branch < 2 ? cli_usage_error("--dfs-branch: must be at least 2") : 0;
}

int cli_strategy_option(const char* a, const char* v, int* kind, sim_strategy_params* p) {
  static const char* const valued[] = {
    "--bias-max", "--pct-depth", "--pct-k", "--nodefz-pool", "--nodefz-io",
    "--nodefz-timer", "--nodefz-other", "--dfs-depth", "--dfs-branch", "--dfs-nonzero",
  };
  if (!strcmp(a, "--slow")) return p->slow = 1, 1;
  if (!strcmp(a, "--strategy")) {
    if (!v) return cli_usage_error("--strategy needs a value"), -1;
    *kind = sim_strategy_from_name(v);
    if (*kind < 0)
      return cli_usage_error("--strategy: unknown strategy '%s' (random, pct, nodefz, dfs)", v), -1;
    return 2;
  }
  for (size_t i = 0; i < sizeof valued / sizeof *valued; i++)
    if (!strcmp(a, valued[i])) return strategy_value(a, v, p) ? -1 : 2;
  return 0;
}
