/* cli/exec_fuzz.c — `uvsim exec --fuzz`: a coverage-guided loop over
 * decision tapes for an unchanged program.
 *
 * A tape is the run's answers, byte by byte (UVSIM_TAPE; sim_world.c's
 * SIM_SRC_TAPE: one byte per decision, modulo its option count, 0 past the
 * end), so the empty tape is the natural order. Each run fills the
 * ordering-coverage map (sim/sim_ordcov.h: consecutive callback pairs,
 * decisions and their context) in memory shared with this process
 * (UVSIM_ORDCOV_FD); a tape whose map has a counter in a bucket not seen
 * before (AFL's buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+) joins
 * the corpus. The next tape is a corpus tape, mutated: byte flips, small
 * values (most decisions have few options), inserts, deletes, splices
 * with another corpus tape.
 *
 * Runs go one at a time, through the fork server when the program allows
 * one, and every choice comes from one PRNG seeded by --seed: the same
 * seed gives the same tapes, corpus and findings. Each new failure
 * signature is run again as a process to check it replays, and its tape
 * is kept in --out with the line that replays it (UVSIM_TAPE=...), and
 * gets a reproducer of its run, as a seeded campaign's failures do
 * (cli/exec_repro.c: `uvsim replay FILE`).
 *
 * `uvsim node --fuzz` is the same loop with node's runs (o->node: its
 * argv, preloads and settings, cli/node.c), through a fork server too
 * (node's platform threads wait idle at its first uv_run:
 * loop/forkserver.c). Its replay line is `UVSIM_TAPE=FILE uvsim node ...`,
 * and its reproducer node's. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/exec.h"
#include "cli/exec_repro.h"
#include "cli/node.h"
#include "sim/sim.h"
#include "sim/sim_ordcov.h"
#include "sim/sim_util.h"

#define FUZZ_CORPUS_MAX 4096
#define FUZZ_TAPE_MAX 4096

typedef struct tape {
  uint8_t* b;
  size_t len;
} tape;

typedef struct fuzz_state {
  sim_rng rng;
  tape corpus[FUZZ_CORPUS_MAX];
  size_t ncorpus;
  uint8_t* map;                 /* shared with the runs */
  uint8_t seen[SIM_ORDCOV_SIZE];   /* buckets reached so far, as bits */
  size_t features;              /* (counter, bucket) pairs seen */
  char sigs[EXEC_SIGS_MAX][EXEC_SIG_LEN];
  size_t nsigs;
  uint64_t failing, runs;
  uint64_t traces[4096];
  size_t ntraces;
} fuzz_state;

static double mono_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ coverage */

static uint8_t bucket(uint8_t c) {
  return c == 0 ? 0 : c == 1 ? 1 : c == 2 ? 2 : c == 3 ? 4 : c < 8 ? 8
       : c < 16 ? 16 : c < 32 ? 32 : c < 128 ? 64 : 128;
}

/* Merges the run's map into what was seen; the number of new pairs. */
static size_t merge_coverage(fuzz_state* f) {
  size_t fresh = 0;
  for (size_t i = 0; i < SIM_ORDCOV_SIZE; i++) {
    uint8_t b = bucket(f->map[i]);
    if (b & ~f->seen[i]) {
      f->seen[i] |= b;
      fresh++;
    }
  }
  f->features += fresh;
  return fresh;
}

/* The map, in memory the runs write (a memfd each run inherits). */
static int open_map(fuzz_state* f, exec_opts* o) {
  int fd = memfd_create("uvsim-ordcov", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, SIM_ORDCOV_SIZE) != 0) return -errno;
  f->map = mmap(NULL, SIM_ORDCOV_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (f->map == MAP_FAILED) return -errno;
  o->ordcov_fd = fd;
  return 0;
}

/* ------------------------------------------------------------ mutation */

static void keep(fuzz_state* f, const uint8_t* b, size_t len) {
  if (f->ncorpus == FUZZ_CORPUS_MAX) return;
  tape* t = &f->corpus[f->ncorpus++];
  t->b = sim_xmalloc(len);
  if (len) memcpy(t->b, b, len);
  t->len = len;
}

static uint32_t below(fuzz_state* f, size_t n) {
  return n ? sim_rng_below(&f->rng, (uint32_t)n) : 0;
}

/* One mutation of buf (len in *len, room for FUZZ_TAPE_MAX). */
static void mutate_once(fuzz_state* f, uint8_t* buf, size_t* len) {
  uint32_t op = below(f, 5);
  if (*len == 0 && op != 4) op = 2;           /* nothing to flip yet */
  size_t at = below(f, *len);
  switch (op) {
  case 0: buf[at] = (uint8_t)sim_rng_next(&f->rng); break;
  case 1: buf[at] = (uint8_t)below(f, 4); break;   /* a small choice */
  case 2:
    if (*len == FUZZ_TAPE_MAX) break;
    at = below(f, *len + 1);
    memmove(buf + at + 1, buf + at, *len - at);
    buf[at] = (uint8_t)(below(f, 2) ? below(f, 4) : sim_rng_next(&f->rng));
    (*len)++;
    break;
  case 3:
    if (*len == 0) break;
    memmove(buf + at, buf + at + 1, *len - at - 1);
    (*len)--;
    break;
  case 4: {                                   /* splice: our head, its tail */
    const tape* o = &f->corpus[below(f, f->ncorpus)];
    size_t cut = below(f, *len + 1), from = below(f, o->len + 1);
    size_t n = o->len - from;
    if (cut + n > FUZZ_TAPE_MAX) n = FUZZ_TAPE_MAX - cut;
    if (n) memcpy(buf + cut, o->b + from, n);
    *len = cut + n;
    break;
  }
  }
}

static void next_tape(fuzz_state* f, uint8_t* buf, size_t* len) {
  const tape* p = &f->corpus[below(f, f->ncorpus)];
  *len = p->len;
  if (p->len) memcpy(buf, p->b, p->len);
  for (uint32_t k = 1 + below(f, 4); k > 0; k--) mutate_once(f, buf, len);
}

/* ------------------------------------------------------------ findings */

static int seen_sig(fuzz_state* f, const char* sig) {
  for (size_t i = 0; i < f->nsigs; i++)
    if (!strcmp(f->sigs[i], sig)) return 1;
  return 0;
}

static void note_trace(fuzz_state* f, const exec_result* r) {
  if (!r->traced) return;
  for (size_t i = 0; i < f->ntraces; i++)
    if (f->traces[i] == r->trace_hash) return;
  if (f->ntraces < sizeof f->traces / sizeof *f->traces) f->traces[f->ntraces++] = r->trace_hash;
}

/* A new signature: keep its tape, check it replays, say how. */
static void report(const exec_opts* o, fuzz_state* f, const char* sig, uint64_t run,
                   const exec_result* r, const exec_result* base) {
  size_t k = f->nsigs++;
  snprintf(f->sigs[k], sizeof f->sigs[k], "%s", sig);
  char path[4200], err[512];
  snprintf(path, sizeof path, "%s/finding-%zu.tape", o->fuzz_out, k + 1);
  printf("failure: %s\n", sig);
  printf("  first at run %" PRIu64 " (tape of %zu byte%s)\n", run, o->tape_len,
         o->tape_len == 1 ? "" : "s");
  if (o->node && r->js_error[0]) printf("  error: %s\n", r->js_error);
  else if (r->line[0]) printf("  stderr: %s\n", r->line);
  if (sim_write_atomic(path, o->tape, o->tape_len, err, sizeof err) != 0) {
    printf("  tape not kept: %s\n", err);
    return;
  }
  int same = cli_exec_check_replay(o, NULL, r, base);
  static char line[16384];
  if (o->node) cli_node_command_line(o, line, sizeof line);
  else cli_exec_replay_line(o, NULL, line, sizeof line);
  printf("  replay: UVSIM_TAPE=%s %s\n", path, line);
  char repro[512];    /* the reproducer too: the run's decisions */
  if (o->node) cli_node_report_failure(o, sig, NULL, r, same, repro, sizeof repro);
  else cli_exec_report_repro(o, sig, NULL, r, same, repro, sizeof repro);
  fflush(stdout);
}

static void log_run(const exec_opts* o, uint64_t run, const exec_result* r) {
  char what[256] = "natural";
  if (o->tape_on) {
    int n = snprintf(what, sizeof what, "tape ");
    for (size_t i = 0; i < o->tape_len && n < (int)sizeof what - 3; i++)
      n += snprintf(what + n, sizeof what - (size_t)n, "%02x", o->tape[i]);
  }
  cli_exec_log_run(run, what, r);
}

static void judge(const exec_opts* o, fuzz_state* f, uint64_t run, exec_result* r,
                  const exec_result* base) {
  log_run(o, run, r);
  note_trace(f, r);
  if (r->kind == X_PASS && o->same_output && r->out_hash != base->out_hash)
    r->kind = X_OUTPUT;
  if (r->kind == X_PASS) return;
  f->failing++;
  char sig[EXEC_SIG_LEN];
  cli_exec_signature(o, r, sig, sizeof sig);
  if (!seen_sig(f, sig) && f->nsigs < EXEC_SIGS_MAX) report(o, f, sig, run, r, base);
}

/* ------------------------------------------------------------ the loop */

/* One tape: run, judge, keep when it reached new coverage. */
static int fuzz_one(exec_opts* o, fuzz_state* f, uint64_t run, const exec_result* base) {
  exec_result r;
  memset(f->map, 0, SIM_ORDCOV_SIZE);
  int rc = cli_exec_run_tape(o, &r);
  if (rc < 0) return rc;
  if (merge_coverage(f) > 0) keep(f, o->tape, o->tape_len);
  judge(o, f, run, &r, base);
  cli_exec_result_free(&r);
  f->runs++;
  return 0;
}

static int fuzz_loop(exec_opts* o, fuzz_state* f, const exec_result* base, int* stopped) {
  static uint8_t buf[FUZZ_TAPE_MAX];
  double t0 = mono_s();
  int progress = !o->quiet && isatty(2);
  for (uint64_t i = 0; i < o->runs; i++) {
    if (o->time_s > 0 && mono_s() - t0 >= o->time_s) return *stopped = 1, 0;
    if (o->stop_at_first && f->failing) return *stopped = 2, 0;
    size_t len;
    next_tape(f, buf, &len);
    o->tape = buf, o->tape_len = len, o->tape_on = 1;
    int rc = fuzz_one(o, f, i + 1, base);
    if (rc < 0) {
      fprintf(stderr, "uvsim: %s: run %" PRIu64 ": %s\n", o->node ? "node" : "exec", i + 1,
              strerror(-rc));
      return EXIT_USAGE;
    }
    if (progress && i % 16 == 15)
      fprintf(stderr, "\rfuzz: %" PRIu64 "/%" PRIu64 " runs, corpus %zu, %zu features, %zu signatures",
              i + 1, o->runs, f->ncorpus, f->features, f->nsigs);
  }
  if (progress) fputc('\n', stderr);
  return 0;
}

/* The natural order first (the empty tape, the corpus' first entry). */
static int fuzz_start(exec_opts* o, fuzz_state* f, exec_result* base) {
  const char* what = o->node ? "node" : "exec";
  memset(f->map, 0, SIM_ORDCOV_SIZE);
  int rc = cli_exec_start(o, base);
  if (rc < 0) return cli_usage_error("%s: cannot run '%s': %s", what, o->argv[0], strerror(-rc));
  if (!base->traced && (base->kind == X_PASS || base->kind == X_EXIT))
    return cli_usage_error("%s: '%s' exited without starting uvsim's simulated world "
                           "(is it dynamically linked against libuv.so.1?); nothing to fuzz",
                           what, o->argv[0]);
  merge_coverage(f);
  if (o->node) cli_node_check_natural(o, base);   /* (its map is not merged) */
  keep(f, NULL, 0);
  judge(o, f, 0, base, base);
  f->runs = 1;
  return 0;
}

int cli_exec_fuzz(exec_opts* o) {
  static fuzz_state f;
  memset(&f, 0, sizeof f);
  if (cli_out_dir("--out", o->fuzz_out)) return EXIT_USAGE;
  sim_rng_seed(&f.rng, o->seed);
  int rc = open_map(&f, o);
  if (rc < 0)
    return cli_usage_error("%s: --fuzz: no shared coverage map: %s", o->node ? "node" : "exec",
                           strerror(-rc));
  double t0 = mono_s();
  exec_result base = {0};
  rc = fuzz_start(o, &f, &base);
  int stopped = 0;
  if (rc == 0) rc = fuzz_loop(o, &f, &base, &stopped);
  int served = cli_exec_served();
  cli_exec_stop();
  if (rc == 0) {
    double dt = mono_s() - t0;
    printf("fuzz: %" PRIu64 " runs (natural order + %" PRIu64 " tapes%s) in %.2f s (%.0f/s, %s), "
           "corpus %zu tapes, %zu coverage features, %zu distinct schedules, %" PRIu64
           " failing, %zu signature%s\n", f.runs, f.runs - 1,
           stopped == 1 ? ", stopped by --time" : stopped ? ", stopped at the first failure" : "",
           dt, (double)f.runs / (dt > 0 ? dt : 1),
           served ? "fork server" : "a process per run",
           f.ncorpus, f.features, f.ntraces, f.failing, f.nsigs, f.nsigs == 1 ? "" : "s");
    rc = f.nsigs ? EXIT_BUG : 0;
  }
  cli_exec_result_free(&base);
  for (size_t i = 0; i < f.ncorpus; i++) free(f.corpus[i].b);
  return rc;
}
