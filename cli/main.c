/* cli/main.c — the uvsim command line: list, run (campaigns), replay,
 * minimize, selfcheck. Every bad input is one line on stderr naming the
 * problem, and exit status 2. docs/cli.md documents each command. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/ci.h"
#include "cli/cli.h"
#include "cli/exec_repro.h"
#include "sim/sim_fs.h"
#include "sim/sim_util.h"
#include "fuzz/fuzz.h"
#include "cli/node.h"
#include "reports/report.h"
#include "reports/report_read.h"


static const char* usage_main =
  "usage: uvsim COMMAND [ARGS]\n"
  "\n"
  "Deterministic simulation and schedule fuzzing for libuv programs.\n"
  "\n"
  "commands:\n"
  "  list                 the scenarios built into this binary\n"
  "  run SCENARIO...      explore schedules of scenarios, report bugs\n"
  "  merge REPORT...      one report from the shards of a campaign (run --shard)\n"
  "  replay FILE.uvsim    re-run a reproducer bit for bit\n"
  "  minimize FILE.uvsim  shrink a reproducer, explain its decisive decisions\n"
  "  exec -- PROGRAM ...  schedules of an unchanged, dynamically linked libuv program\n"
  "  node SCRIPT.js ...    a Node program on the virtual loop (Debian's node 18)\n"
  "  selfcheck            check that runs are deterministic\n"
  "  help [COMMAND]       this text, or a command's\n"
  "\n"
  "exit status: 0 ok, 1 a bug was found (or did not reproduce), 2 bad usage,\n"
  "3 an output (a reproducer, a report, stdout) could not be written.\n";

static const char* usage_run =
  "usage: uvsim run (SCENARIO... | --all) [options]\n"
  "\n"
  "Runs a campaign per scenario: many schedules under one strategy. Each\n"
  "distinct bug (oracle + place + message, numbers normalised) is written to\n"
  "CORPUS/<name>/<variant>-<hash>.uvsim, minimised and explained; a report\n"
  "goes to OUT/<report>/report.json and report.html.\n"
  "\n"
  "SCENARIO is NAME (every variant) or NAME/VARIANT; see `uvsim list`.\n"
  "\n"
  "options:\n"
  "  --all               every scenario\n"
  "  --runs N            schedules per scenario (default: the scenario's own\n"
  "                      budget, else 1000)\n"
  "  --time S            stop after S seconds per scenario instead (or as well)\n"
  "  --seed S            campaign seed (default 1); run i uses splitmix64(S, i)\n"
  "  --strategy NAME     random (default) | pct | nodefz | dfs\n"
  "  --jobs J            worker processes over disjoint runs (default 1)\n"
  "  --shard I/N         run only shard I of N: the runs i with i % N == I-1\n"
  "                      (run 1, the natural schedule, is in shard 1); the\n"
  "                      report can be merged with the others' (uvsim merge).\n"
  "                      Not with dfs (sequential) nor --time\n"
  "  --map SIM=HOST[,ro|,snapshot]\n"
  "                      map a host directory into every run's filesystem\n"
  "                      (repeatable; docs/world.md); recorded in reproducers\n"
  "                      as `map` lines, which replay maps again\n"
  "  --fault SPEC        a fault rule for every run (repeatable; docs/world.md),\n"
  "                      e.g. --fault 'write path=/data/* nth=3 err=ENOSPC';\n"
  "                      recorded in reproducers as `fault` lines\n"
  "  --no-fork           run schedules in this process (fastest; a crash\n"
  "                      ends the campaign)\n"
  "  --no-minimize       report bugs as found, without minimising them\n"
  "  --expect            exit 0 iff every buggy variant had a bug and every\n"
  "                      fixed one none (the campaign self-test)\n"
  "  --corpus DIR        where reproducers go (default corpus)\n"
  "  --out DIR           where reports go (default reports/out)\n"
  "  --report NAME       report folder name (default: the scenario, or all)\n"
  "  --no-report         write no report\n"
  "  --quiet             no progress line, no bug details (summary only)\n"
  "  --junit FILE        also write JUnit XML: a test case per scenario, a\n"
  "                      failure with each bug's reproducer and replay line\n"
  "  --json              print a JSON summary on stdout (the usual output\n"
  "                      goes to stderr)\n"
  "strategy parameters:\n"
  "  --bias-max B        random: per-run bias bound (default 4; 0 = uniform)\n"
  "  --pct-depth D       pct: bug depth d (default 3)\n"
  "  --pct-k K           pct: decisions per run (default: learned)\n"
  "  --nodefz-pool DOF,PCT  nodefz: pool window and deferral % (default 4,50)\n"
  "  --nodefz-io DOF,PCT    nodefz: I/O window and deferral % (default 8,30)\n"
  "  --nodefz-timer PCT     nodefz: timer lag % (default 20)\n"
  "  --nodefz-other PCT     nodefz: other decisions % (default 10)\n"
  "  --dfs-depth N       dfs: decisions explored per schedule (default 64)\n"
  "  --dfs-branch N      dfs: options tried per decision (default 4)\n"
  "  --dfs-nonzero N     dfs: non-zero decisions per schedule (default no bound)\n"
  "  --slow              slow world: a delay (pool job, timer lag, network) that\n"
  "                      leaves the natural order is uniform over its buckets,\n"
  "                      up to 10 s, instead of each decade half as likely as\n"
  "                      the one before (also UVSIM_SLOW=1)\n"
  "\n"
  "exit status: 0 no bug (with --expect: as expected), 1 bugs, 2 bad usage.\n";

static const char* usage_replay =
  "usage: uvsim replay FILE.uvsim [--strict] [--trace]\n"
  "\n"
  "Re-runs the schedule recorded in FILE and prints the failure, the trace\n"
  "hash and how the run matched the file. Each decision the program asks\n"
  "takes the choice recorded for the same kind and label (the k-th such\n"
  "decision takes the k-th record), wherever it comes now, so that a log\n"
  "line, a timer or a pool job added since the file was written does not\n"
  "shift the schedule; decisions with no record take 0. Where the run and\n"
  "the file disagree (a decision asked that the file lacks, a recorded one\n"
  "never asked, a changed option count) the replay says so.\n"
  "\n"
  "  --strict  answer by position instead (decision i takes record i), and\n"
  "            require the identical trace hash: the exact replay of an\n"
  "            unchanged program\n"
  "  --trace   print every decision and callback of the run\n"
  "\n"
  "Verdicts: \"reproduced exactly\" (same bug, same trace hash, every\n"
  "decision matched),\n"
  "\"reproduced (same failure, different schedule)\" (same bug signature; the\n"
  "program or the schedule changed), \"NOT reproduced\".\n"
  "\n"
  "A reproducer written by `uvsim node` or `uvsim exec` runs its program\n"
  "again, with libuvsim preloaded and the file as UVSIM_REPLAY: what the run\n"
  "saw outside the simulation and its children's output are handed back (a\n"
  "child is not run again). A script or program changed since (SHA-256) is\n"
  "replayed with a note, refused with --strict; exec's replay is exact only\n"
  "with the recorded stdout and stderr too; a missing program is an error.\n"
  "\n"
  "exit status: 0 reproduced (exactly; without --strict also the same\n"
  "failure), 1 not reproduced, 2 bad usage or a malformed reproducer.\n";

static const char* usage_minimize =
  "usage: uvsim minimize FILE.uvsim [-o OUT]\n"
  "\n"
  "Shrinks the schedule in FILE while keeping its bug signature: fewest\n"
  "non-zero decisions (delta debugging), shortest prefix, smallest choices.\n"
  "Prints the decisive decisions: those that, set back to 0 alone, make the\n"
  "bug disappear, with the callbacks they reordered.\n"
  "\n"
  "  -o OUT    write the minimised reproducer to OUT (atomically);\n"
  "            without it the reproducer is printed on stdout\n"
  "\n"
  "exit status: 0 minimised, 1 FILE does not reproduce its bug, 2 bad usage,\n"
  "3 the minimised reproducer could not be written.\n";

static const char* usage_list =
  "usage: uvsim list\n"
  "\n"
  "Lists the scenarios built into this binary: NAME/VARIANT, what the\n"
  "campaign self-test expects (bug or clean), and a description.\n";

static const char* usage_selfcheck =
  "usage: uvsim selfcheck\n"
  "\n"
  "Runs a synthetic decision workload under 10000 seeds twice and requires\n"
  "identical trace hashes.\n";

/* ---------------------------------------------------------------- list */

static int cmd_list(int argc, char** argv) {
  for (int i = 2; i < argc; i++) {
    if (cli_is_help(argv[i])) return fputs(usage_list, stdout), 0;
    return cli_usage_error("list: unexpected argument '%s'", argv[i]);
  }
  const uvsim_scenario* js;
  size_t njs = cli_node_scenario_entries(&js);
  for (size_t i = 0; i < uvsim_scenario_count() + njs; i++) {
    const uvsim_scenario* s = i < njs ? &js[i] : uvsim_scenario_at(i - njs);
    char nv[160];
    snprintf(nv, sizeof nv, "%s/%s", s->name, s->variant);
    printf("%-32s %-6s %s\n", nv, s->expect == UVSIM_EXPECT_BUG ? "bug" : "clean",
           s->description ? s->description : "");
  }
  return 0;
}

/* ----------------------------------------------------------------- run */

#define SELECT_MAX 1024
/* Runs of a JS scenario when neither --runs nor its file says: each is a
 * node process (about 0.2 s), not a fork. */
#define CLI_NODE_RUNS_DEFAULT 40

/* Every scenario: the JS ones (scenarios/js, run under node mode), then the
 * C ones built into this binary. */
static size_t scenario_total(void) {
  const uvsim_scenario* js;
  return cli_node_scenario_entries(&js) + uvsim_scenario_count();
}

static const uvsim_scenario* scenario_nth(size_t i) {
  const uvsim_scenario* js;
  size_t njs = cli_node_scenario_entries(&js);
  return i < njs ? &js[i] : uvsim_scenario_at(i - njs);
}

static int select_scenarios(const char* arg, const uvsim_scenario** sel, size_t* n) {
  size_t before = *n;
  for (size_t i = 0; i < scenario_total(); i++) {
    const uvsim_scenario* s = scenario_nth(i);
    char nv[300];
    snprintf(nv, sizeof nv, "%s/%s", s->name, s->variant);
    size_t len = strlen(arg);
    int prefix = len > 1 && arg[len - 1] == '*' && !strncmp(s->name, arg, len - 1);
    if ((prefix || !strcmp(s->name, arg) || !strcmp(nv, arg)) && *n < SELECT_MAX)
      sel[(*n)++] = s;
  }
  if (*n == before) return cli_usage_error("unknown scenario '%s' (see uvsim list)", arg), -1;
  return 0;
}

static void print_bug(const fz_bug* b) {
  printf("  bug: %s\n", b->signature);
  printf("    first hit at run %" PRIu64 ", %" PRIu64 " failing run%s\n",
         b->first_run + 1, b->hits, b->hits == 1 ? "" : "s");
  printf("    %s\n", b->outcome.message);
  if (b->path[0]) printf("    reproducer: %s\n    replay: uvsim replay %s\n", b->path, b->path);
  if (b->analysed) fz_analysis_print(&b->an, stdout);
}

static int same_name(const uvsim_scenario* const* sel, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (strcmp(sel[i]->name, sel[0]->name) != 0) return 0;
  return 1;
}

/* What `uvsim run` was asked for. */
typedef struct run_cmd {
  fz_campaign_opts o;
  const uvsim_scenario* sel[SELECT_MAX];
  size_t nsel;
  int all, expect, quiet, report;
  int runs_given;             /* --runs: else each scenario's own budget */
  const char* out_dir;
  const char* report_name;
  char faults[SIM_REPRO_FAULTS_MAX][128];
  size_t nfaults;
} run_cmd;

/* What a parser returns to go on (anything else is the exit status). */
#define RUN_GO (-1)

/* --fault SPEC: validated now, applied at the start of every run. */
static int run_add_fault(run_cmd* r, const char* spec) {
  if (!spec) return cli_usage_error("--fault needs a value");
  if (r->nfaults == SIM_REPRO_FAULTS_MAX)
    return cli_usage_error("--fault: at most %d rules", SIM_REPRO_FAULTS_MAX);
  char ferr[256];
  if (strlen(spec) >= sizeof r->faults[0]) return cli_usage_error("--fault: '%s' is too long", spec);
  if (fz_fault_valid(spec, 0, ferr, sizeof ferr) != 0)
    return cli_usage_error("--fault: '%s': %s", spec, ferr);
  snprintf(r->faults[r->nfaults++], sizeof r->faults[0], "%s", spec);
  return RUN_GO;
}

/* --map SIM=HOST[,...]: mapped into the process's simulated fs at once. */
static int run_add_map(const char* spec) {
  if (!spec) return cli_usage_error("--map needs a value");
  char merr[SIM_REPRO_LINE_MAX + 256];
  if (strlen(spec) >= SIM_REPRO_MAP_MAX) return cli_usage_error("--map: '%s' is too long", spec);
  if (sim_fs_map_spec(sim_fs_current(), spec, merr, sizeof merr) < 0)
    return cli_usage_error("--%s", merr);
  return RUN_GO;
}

/* The command line of `uvsim run` into r (its defaults set first). */
static int run_parse(int argc, char** argv, run_cmd* r) {
  fz_campaign_opts* o = &r->o;
  sim_strategy_defaults(&o->params);
  o->seed = 1;
  o->jobs = 1;
  o->isolate = 1;
  o->analyse = 1;
  o->corpus_dir = "corpus";
  r->report = 1;
  r->out_dir = "reports/out";
  for (int i = 2; i < argc; i++) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    int rc = RUN_GO, took = 0, kind = (int)o->strategy;
#define TAKE() (i++, v)
    if (cli_is_help(a)) return fputs(usage_run, stdout), 0;
    else if (!strcmp(a, "--all")) r->all = 1;
    else if (!strcmp(a, "--runs")) { if (cli_parse_u64(a, TAKE(), &o->runs)) return 2;
      r->runs_given = 1;
      if (o->runs == 0) return cli_usage_error("--runs: must be at least 1"); }
    else if (!strcmp(a, "--time")) { if (cli_parse_seconds(a, TAKE(), &o->time_s)) return 2; }
    else if (!strcmp(a, "--seed")) { if (cli_parse_u64(a, TAKE(), &o->seed)) return 2; }
    else if (!strcmp(a, "--shard")) {
      if (cli_parse_shard(a, TAKE(), &o->shard_index, &o->shard_count)) return 2; }
    else if (!strcmp(a, "--jobs")) { uint32_t j; if (cli_parse_u32(a, TAKE(), &j)) return 2;
      if (j < 1 || j > 64) return cli_usage_error("--jobs: %u is not in 1..64", j);
      o->jobs = j; }
    else if (!strcmp(a, "--fault")) rc = run_add_fault(r, TAKE());
    else if (!strcmp(a, "--map")) rc = run_add_map(TAKE());
    else if (!strcmp(a, "--no-fork")) o->isolate = 0;
    else if (!strcmp(a, "--no-minimize")) o->analyse = 0;
    else if (!strcmp(a, "--expect")) r->expect = 1;
    else if (!strcmp(a, "--quiet")) r->quiet = 1;
    else if (!strcmp(a, "--no-report")) r->report = 0;
    else if (!strcmp(a, "--corpus")) { if (!(o->corpus_dir = TAKE())) return cli_usage_error("--corpus needs a value"); }
    else if (!strcmp(a, "--out")) { if (!(r->out_dir = TAKE())) return cli_usage_error("--out needs a value"); }
    else if (!strcmp(a, "--report")) {
      const char* n = r->report_name = TAKE();
      if (!n) return cli_usage_error("--report needs a value");
      if (!*n || strchr(n, '/') || n[0] == '.')
        return cli_usage_error("--report: '%s' is not a plain folder name", n);
    }
    else if ((took = cli_strategy_option(a, v, &kind, &o->params)) != 0) {
      if (took < 0) return 2;
      o->strategy = (sim_strategy_kind)kind;
      i += took - 1;
    }
    else if ((took = cli_ci_option(a, v)) != 0) { if (took < 0) return 2; i += took - 1; }
    else if (a[0] == '-') return cli_usage_error("run: unknown option '%s'", a);
    else if (select_scenarios(a, r->sel, &r->nsel)) return 2;
#undef TAKE
    if (rc != RUN_GO) return rc;
  }
  if (r->all) {
    r->nsel = 0;
    for (size_t i = 0; i < scenario_total() && r->nsel < SELECT_MAX; i++)
      if (!(scenario_nth(i)->flags & UVSIM_SCN_HARD))   /* bench/hard/ runs those */
        r->sel[r->nsel++] = scenario_nth(i);
  }
  if (r->nsel == 0) return cli_usage_error("run: name a scenario or --all (see uvsim list)");
  if (o->shard_count) {
    if (o->strategy == SIM_STRAT_DFS)
      return cli_usage_error("--shard: dfs is sequential (each schedule follows from the "
                             "previous one) and does not shard; use random, pct or nodefz");
    if (o->time_s > 0)
      return cli_usage_error("--shard: a shard needs a run budget (--runs), not --time");
    for (size_t i = 0; i < r->nsel; i++)
      if (r->sel[i]->run == NULL)
        return cli_usage_error("--shard: %s/%s is a JS scenario (node mode), which does not "
                               "shard", r->sel[i]->name, r->sel[i]->variant);
  }
  return RUN_GO;
}

/* One scenario's campaign into c: real node for a JS scenario, else the
 * campaign runner. Returns 0, or -1 (errno says why) when it could not run. */
static int run_campaign(const run_cmd* r, const uvsim_scenario* sc, fz_campaign* c) {
  fz_campaign_opts o = r->o;
  o.sc = sc;
  if (!r->runs_given)
    o.runs = sc->runs && o.time_s <= 0 ? sc->runs : (o.time_s > 0 ? 0 : 1000);
  if (sc->run != NULL) return fz_campaign_run(&o, c);
  uint64_t runs = r->runs_given ? o.runs : sc->runs ? sc->runs : CLI_NODE_RUNS_DEFAULT;
  printf("%s/%s: node mode (real node 18), %" PRIu64 " runs\n", sc->name, sc->variant, runs);
  fflush(stdout);
  return cli_node_scenario_campaign(sc, runs, o.seed, o.jobs, o.corpus_dir, o.analyse, c);
}

/* The campaign's summary line, then (unless --quiet) its bugs. */
static void run_print(const run_cmd* r, const uvsim_scenario* sc, const fz_campaign* c) {
  printf("%s/%s: %s, %" PRIu64 " runs in %.2f s (%.0f/s), %" PRIu64
         " distinct traces, %zu bug%s",
         c->sc->name, c->sc->variant, sim_strategy_name(c->strategy), c->runs,
         c->elapsed_s, c->elapsed_s > 0 ? (double)c->runs / c->elapsed_s : 0.0,
         c->distinct, c->nbugs, c->nbugs == 1 ? "" : "s");
  if (c->nbugs) printf(" (first at run %" PRIu64 ")", c->first_bug_run);
  if (c->strategy == SIM_STRAT_DFS)
    printf(c->dfs_exhausted ? "; dfs: all %" PRIu64 " schedules within the bounds covered"
                            : "; dfs: %" PRIu64 " schedules covered, bounds not exhausted",
           c->runs);
  if (r->expect) printf(" [%s]", fz_campaign_as_expected(c) ? "as expected" : "UNEXPECTED");
  printf("\n");
  if (!r->quiet && sc->run != NULL)    /* node mode printed its own */
    for (size_t b = 0; b < c->nbugs; b++) print_bug(&c->bugs[b]);
  fflush(stdout);
}

/* report.json + HTML under OUT/NAME: --report's name, else the scenarios'
 * common name, else "all". */
static void run_report(const run_cmd* r, const fz_campaign* cs) {
  char name[160];
  if (r->report_name) snprintf(name, sizeof name, "%s", r->report_name);
  else if (r->all || !same_name(r->sel, r->nsel)) snprintf(name, sizeof name, "all");
  else snprintf(name, sizeof name, "%s", r->sel[0]->name);
  char err[512], path[600];
  if (report_write(r->out_dir, name, cs, r->nsel, path, sizeof path, err, sizeof err) != 0)
    fprintf(stderr, "uvsim: report: %s\n", err);
  else if (!r->quiet)
    printf("report: %s\n", path);
}

static int cmd_run(int argc, char** argv) {
  static run_cmd r;           /* large (the selection): not on the stack */
  memset(&r, 0, sizeof r);
  int rc = run_parse(argc, argv, &r);
  if (rc != RUN_GO) return rc;
  /* Where results go is checked, and held, before any work. */
  if ((r.o.corpus_dir && (cli_out_dir("--corpus", r.o.corpus_dir) ||
                          cli_lock_dir(r.o.corpus_dir))) ||
      (r.report && (cli_out_dir("--out", r.out_dir) || cli_lock_dir(r.out_dir))))
    return EXIT_USAGE;
  r.o.progress = !r.quiet && isatty(2);
  fz_set_faults((const char (*)[128])r.faults, r.nfaults);
  fz_campaign* cs = calloc(r.nsel, sizeof *cs);
  if (!cs) abort();
  cli_ci_begin("run");
  int bugs = 0, unexpected = 0;
  for (size_t i = 0; i < r.nsel; i++) {
    if (run_campaign(&r, r.sel[i], &cs[i]) != 0) {
      fprintf(stderr, "uvsim: %s/%s: campaign failed: %s\n", r.sel[i]->name,
              r.sel[i]->variant, strerror(errno));
      return cli_ci_finish(EXIT_BUG);
    }
    run_print(&r, r.sel[i], &cs[i]);
    if (cli_ci_suite()) report_suite_add_campaign(cli_ci_suite(), &cs[i], r.expect);
    bugs += cs[i].nbugs > 0;
    unexpected += !fz_campaign_as_expected(&cs[i]);
  }
  if (r.report) run_report(&r, cs);
  for (size_t i = 0; i < r.nsel; i++) fz_campaign_free(&cs[i]);
  free(cs);
  if (r.expect) return cli_ci_finish(unexpected ? EXIT_BUG : 0);
  return cli_ci_finish(bugs ? EXIT_BUG : 0);
}

/* --------------------------------------------------------------- merge */

static const char* usage_merge =
  "usage: uvsim merge REPORT... [--out DIR] [--report NAME] [--corpus DIR]\n"
  "                   [--expect] [--quiet]\n"
  "\n"
  "Combines the reports of the shards of one campaign (`uvsim run --shard I/N`;\n"
  "REPORT is a report.json or its folder, with the `traces` file the shard\n"
  "wrote next to it) into the report the unsharded run writes: runs, failing\n"
  "runs and hits add up, distinct traces are the union of the shards', each\n"
  "bug keeps the reproducer of its earliest failing run, elapsed time is the\n"
  "sum. Shards 1/N..N/N must each be given once, all of the same scenarios,\n"
  "strategy, seed, run budget, options and uvsim version.\n"
  "\n"
  "  --out DIR      where the merged report goes (default reports/out)\n"
  "  --report NAME  its folder name (default: the shards' report name)\n"
  "  --corpus DIR   write each bug's reproducer (from the reports) to\n"
  "                 DIR/<name>/<variant>-<hash>.uvsim, atomically, and point\n"
  "                 the report there; without it the report points at the\n"
  "                 file the chosen shard wrote\n"
  "  --expect       exit 0 iff every buggy variant had a bug and every fixed\n"
  "                 one none\n"
  "  --quiet        summary lines only\n"
  "\n"
  "exit status: 0 no bug (with --expect: as expected), 1 bugs, 2 bad usage or\n"
  "inconsistent shards, 3 the report or a reproducer could not be written.\n";

/* Writes bug b's reproducer where `uvsim run --corpus DIR` puts it, with the
 * content run leaves there: the minimised schedule, else the one found. */
static int merge_write_repro(const char* dir, const fz_campaign* c, fz_bug* b) {
  char sub[600], path[1024], err[1200];
  snprintf(sub, sizeof sub, "%s/%s", dir, c->sc->name);
  if (sim_mkdir_p(sub, 0777) != 0) {
    fprintf(stderr, "uvsim: merge: cannot create %s: %s\n", sub, strerror(errno));
    return -1;
  }
  snprintf(path, sizeof path, "%s/%s-%012" PRIx64 ".uvsim", sub, c->sc->variant,
           (uint64_t)(b->sig_hash & 0xffffffffffffull));
  if (strlen(path) >= sizeof b->path) {
    fprintf(stderr, "uvsim: merge: %s: path too long\n", path);
    return -1;
  }
  if (sim_repro_write(b->analysed ? &b->an.min : &b->repro, path, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: merge: %s\n", err);
    return -1;
  }
  memcpy(b->path, path, strlen(path) + 1);   /* fits: checked above */
  return 0;
}

static int cmd_merge(int argc, char** argv) {
  const char* out_dir = "reports/out";
  const char* name = NULL;
  const char* corpus = NULL;
  int expect = 0, quiet = 0;
  size_t n = 0;
  report_doc* docs = calloc((size_t)argc, sizeof *docs);
  char (*paths)[600] = calloc((size_t)argc, sizeof *paths);
  if (!docs || !paths) abort();
  int rc = EXIT_USAGE;
  for (int i = 2; i < argc; i++) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (cli_is_help(a)) {
      fputs(usage_merge, stdout);
      rc = 0;
      goto out;
    } else if (!strcmp(a, "--out") || !strcmp(a, "--corpus") || !strcmp(a, "--report")) {
      if (!v || !*v) {
        cli_usage_error("%s needs a value", a);
        goto out;
      }
      i++;
      if (a[2] == 'o') out_dir = v;
      else if (a[2] == 'c') corpus = v;
      else if (strchr(v, '/') || v[0] == '.') {
        cli_usage_error("--report: '%s' is not a plain folder name", v);
        goto out;
      } else {
        name = v;
      }
    } else if (!strcmp(a, "--expect")) {
      expect = 1;
    } else if (!strcmp(a, "--quiet")) {
      quiet = 1;
    } else if (a[0] == '-') {
      cli_usage_error("merge: unknown option '%s'", a);
      goto out;
    } else {
      struct stat st;
      if (stat(a, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(paths[n], sizeof paths[n], "%s%sreport.json", a,
                 a[strlen(a) - 1] == '/' ? "" : "/");
      else
        snprintf(paths[n], sizeof paths[n], "%s", a);
      n++;
    }
  }
  if (n == 0) {
    cli_usage_error("merge: name the shards' reports (report.json or its folder)");
    goto out;
  }
  char err[1200];
  for (size_t k = 0; k < n; k++)
    if (report_read(paths[k], &docs[k], err, sizeof err) != 0) {
      fprintf(stderr, "uvsim: merge: %s\n", err);
      goto out;
    }
  report_doc m;
  if (report_merge(docs, n, &m, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: merge: %s\n", err);
    goto out;
  }
  rc = 0;
  int bugs = 0, unexpected = 0;
  for (size_t i = 0; i < m.n && rc == 0; i++)
    for (size_t b = 0; b < m.cs[i].nbugs && rc == 0; b++)
      if (corpus && merge_write_repro(corpus, &m.cs[i], &m.cs[i].bugs[b]) != 0) rc = 3;
  for (size_t i = 0; i < m.n && rc == 0; i++) {
    const fz_campaign* c = &m.cs[i];
    printf("%s/%s: %s, %" PRIu64 " runs in %.2f s (%.0f/s), %" PRIu64
           " distinct traces, %zu bug%s", c->sc->name, c->sc->variant,
           sim_strategy_name(c->strategy), c->runs, c->elapsed_s,
           c->elapsed_s > 0 ? (double)c->runs / c->elapsed_s : 0.0, c->distinct, c->nbugs,
           c->nbugs == 1 ? "" : "s");
    if (c->nbugs) printf(" (first at run %" PRIu64 ")", c->first_bug_run);
    if (expect) printf(" [%s]", fz_campaign_as_expected(c) ? "as expected" : "UNEXPECTED");
    printf("\n");
    if (!quiet)
      for (size_t b = 0; b < c->nbugs; b++) print_bug(&c->bugs[b]);
    bugs += c->nbugs > 0;
    unexpected += !fz_campaign_as_expected(c);
  }
  if (rc == 0) {
    char path[600];
    if (report_write(out_dir, name ? name : m.name, m.cs, m.n, path, sizeof path, err,
                     sizeof err) != 0) {
      fprintf(stderr, "uvsim: merge: report: %s\n", err);
      rc = 3;
    } else if (!quiet) {
      printf("merged %zu shards; report: %s\n", n, path);
    }
  }
  if (rc == 0) rc = expect ? (unexpected ? EXIT_BUG : 0) : (bugs ? EXIT_BUG : 0);
  report_doc_free(&m);
out:
  for (size_t k = 0; k < n; k++) report_doc_free(&docs[k]);
  free(docs);
  free(paths);
  fflush(stdout);
  return rc;
}

/* ------------------------------------------------------ replay/minimize */

static int load_repro(const char* path, sim_repro* r, const uvsim_scenario** sc) {
  char err[512];
  sim_repro_init(r);
  if (sim_repro_read(r, path, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: %s\n", err);
    return EXIT_USAGE;
  }
  *sc = uvsim_scenario_find(r->scenario);
  if (!*sc) {
    fprintf(stderr, "uvsim: %s: unknown scenario '%s' (see uvsim list)\n", path, r->scenario);
    sim_repro_free(r);
    return EXIT_USAGE;
  }
  char merr[SIM_REPRO_LINE_MAX + 256];
  if (fz_apply_maps(r, merr, sizeof merr) != 0) {
    fprintf(stderr, "uvsim: %s: %s\n", path, merr);
    sim_repro_free(r);
    return EXIT_USAGE;
  }
  if (strcmp(r->version, SIM_VERSION) != 0)
    fprintf(stderr, "uvsim: note: %s was written by uvsim %s (this is %s); "
            "the trace hash tells whether it still replays\n", path, r->version, SIM_VERSION);
  return 0;
}

static void print_outcome(const fz_outcome* out) {
  if (out->oracle == SIM_BUG_NONE) {
    printf("result: no failure\n");
    return;
  }
  char sig[256];
  fz_signature(out, sig, sizeof sig);
  printf("failure: %s: %s%s%s\n", sim_oracle_name(out->oracle), out->where,
         out->where[0] ? ": " : "", out->message);
  printf("signature: %s\n", sig);
  if (!fz_oracle_needs_fork(out->oracle))
    printf("at virtual time %.3f ms\n", (double)out->time_ns / 1e6);
}

static int cmd_replay(int argc, char** argv) {
  const char* file = NULL;
  int trace = 0, strict = 0;
  for (int i = 2; i < argc; i++) {
    if (cli_is_help(argv[i])) return fputs(usage_replay, stdout), 0;
    if (!strcmp(argv[i], "--trace")) trace = 1;
    else if (!strcmp(argv[i], "--strict")) strict = 1;
    else if (argv[i][0] == '-') return cli_usage_error("replay: unknown option '%s'", argv[i]);
    else if (file) return cli_usage_error("replay: one reproducer at a time ('%s')", argv[i]);
    else file = argv[i];
  }
  if (!file) return cli_usage_error("replay: name a reproducer file");
  int kind = cli_repro_program_kind(file);
  if (kind == 'n') return cli_node_replay(file, argc, argv);
  if (kind == 'e') return cli_exec_replay(file, argc, argv);
  sim_repro r;
  const uvsim_scenario* sc;
  int rc = load_repro(file, &r, &sc);
  if (rc) return rc;
  fz_outcome out;
  fz_trace t = {0};
  sim_replay acct;
  if (fz_replay_matched(sc, &r, strict, &out, trace ? &t : NULL, &acct) != 0) {
    fprintf(stderr, "uvsim: replay: cannot run the schedule: %s\n", strerror(errno));
    sim_repro_free(&r);
    return EXIT_BUG;
  }
  if (trace) fz_trace_fprint(&t, stdout);
  size_t nz = 0;
  for (size_t i = 0; i < r.ndecisions; i++) nz += r.decisions[i].choice != 0;
  printf("scenario: %s (%zu decisions, %zu non-zero)\n", r.scenario, r.ndecisions, nz);
  print_outcome(&out);
  char sig[256] = "";
  if (out.oracle != SIM_BUG_NONE) fz_signature(&out, sig, sizeof sig);
  rc = cli_replay_verdict(&r, sig, out.hash, &acct, strict);
  sim_replay_free(&acct);
  fz_trace_free(&t);
  sim_repro_free(&r);
  return rc;
}

static int cmd_minimize(int argc, char** argv) {
  const char* file = NULL;
  const char* out_path = NULL;
  for (int i = 2; i < argc; i++) {
    if (cli_is_help(argv[i])) return fputs(usage_minimize, stdout), 0;
    if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
      if (i + 1 >= argc) return cli_usage_error("%s needs a value", argv[i]);
      out_path = argv[++i];
      struct stat st;
      if (!*out_path) return cli_usage_error("%s: an empty path", argv[i - 1]);
      if (stat(out_path, &st) == 0 && !S_ISREG(st.st_mode))
        return cli_usage_error("%s: '%s' exists and is not a regular file", argv[i - 1],
                               out_path);
    } else if (argv[i][0] == '-') {
      return cli_usage_error("minimize: unknown option '%s'", argv[i]);
    } else if (file) {
      return cli_usage_error("minimize: one reproducer at a time ('%s')", argv[i]);
    } else {
      file = argv[i];
    }
  }
  if (!file) return cli_usage_error("minimize: name a reproducer file");
  int kind = cli_repro_program_kind(file);
  if (kind == 'n')
    return cli_usage_error("minimize: %s is a node reproducer; `uvsim node --runs` minimises "
                       "those as it finds them", file);
  if (kind == 'e')
    return cli_usage_error("minimize: %s is an exec reproducer; `uvsim exec` minimises "
                       "those as it finds them", file);
  sim_repro r;
  const uvsim_scenario* sc;
  int rc = load_repro(file, &r, &sc);
  if (rc) return rc;
  if (!r.signature[0]) {
    /* No recorded bug: minimise whatever this schedule fails with. */
    fz_outcome out;
    fz_replay(sc, &r, &out, NULL);
    if (out.oracle == SIM_BUG_NONE) {
      fprintf(stderr, "uvsim: %s: the schedule does not fail; nothing to minimise\n", file);
      sim_repro_free(&r);
      return EXIT_BUG;
    }
    fz_signature(&out, r.signature, sizeof r.signature);
  }
  fz_analysis a;
  fz_analysis_init(&a);
  char err[512];
  if (fz_analyse_isolated(sc, &r, &a, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: %s: %s\n", file, err);
    sim_repro_free(&r);
    return EXIT_BUG;
  }
  FILE* info = out_path ? stdout : stderr;
  fprintf(info, "bug: %s\n", r.signature);
  fz_analysis_print(&a, info);
  if (out_path) {
    if (sim_repro_write(&a.min, out_path, err, sizeof err) != 0) {
      fprintf(stderr, "uvsim: %s\n", err);
      rc = EXIT_WRITE;
    } else {
      printf("wrote %s\nreplay: uvsim replay %s\n", out_path, out_path);
    }
  } else {
    sim_repro_fprint(&a.min, stdout);
  }
  fz_analysis_free(&a);
  sim_repro_free(&r);
  return rc;
}

/* ----------------------------------------------------------- selfcheck */

/* Run a synthetic decision workload under many seeds, twice, and require
 * identical trace hashes: the determinism the product rests on. */
static int selfcheck(int argc, char** argv) {
  for (int i = 2; i < argc; i++) {
    if (cli_is_help(argv[i])) return fputs(usage_selfcheck, stdout), 0;
    return cli_usage_error("selfcheck: unexpected argument '%s'", argv[i]);
  }
  sim a, b;
  sim_init(&a, NULL);
  sim_init(&b, NULL);
  uint64_t combined = 0;
  for (uint64_t seed = 0; seed < 10000; seed++) {
    uint64_t h[2];
    sim* w[2] = { &a, &b };
    for (int i = 0; i < 2; i++) {
      sim_config cfg = { .source = SIM_SRC_SEED, .seed = seed };
      sim_reset(w[i], &cfg);
      for (uint32_t k = 0; k < 32; k++) {
        uint32_t c = sim_choose(w[i], SIM_POOL_FINISH, 2 + k % 5, "job");
        sim_advance_to(w[i], sim_now(w[i]) + c + 1);
        sim_trace_callback(w[i], "cb");
      }
      h[i] = sim_trace_hash(w[i]);
    }
    if (h[0] != h[1]) {
      fprintf(stderr, "uvsim selfcheck: seed %" PRIu64 " not deterministic\n", seed);
      return 1;
    }
    combined ^= h[0] + seed;
  }
  printf("uvsim selfcheck: 10000 seeds deterministic, combined hash %016" PRIx64 "\n",
         combined);
  sim_free(&a);
  sim_free(&b);
  return 0;
}

static int dispatch(int argc, char** argv);

int main(int argc, char** argv) {
  /* Output nobody could read is a failure too (a full disk, a closed pipe). */
  return cli_finish_stdout(dispatch(argc, argv));
}

static int dispatch(int argc, char** argv) {
  if (argc < 2) {
    fputs(usage_main, stderr);
    return EXIT_USAGE;
  }
  const char* cmd = argv[1];
  if (!strcmp(cmd, "list")) return cmd_list(argc, argv);
  if (!strcmp(cmd, "run")) return cmd_run(argc, argv);
  if (!strcmp(cmd, "merge")) return cmd_merge(argc, argv);
  if (!strcmp(cmd, "replay")) return cmd_replay(argc, argv);
  if (!strcmp(cmd, "minimize") || !strcmp(cmd, "minimise")) return cmd_minimize(argc, argv);
  if (!strcmp(cmd, "selfcheck")) return selfcheck(argc, argv);
  if (!strcmp(cmd, "exec")) return cli_cmd_exec(argc, argv);
  if (!strcmp(cmd, "node")) return cli_cmd_node(argc, argv);
  if (!strcmp(cmd, "help") || cli_is_help(cmd)) {
    const char* t = argc > 2 ? argv[2] : NULL;
    if (!t) return fputs(usage_main, stdout), 0;
    if (!strcmp(t, "run")) return fputs(usage_run, stdout), 0;
    if (!strcmp(t, "merge")) return fputs(usage_merge, stdout), 0;
    if (!strcmp(t, "replay")) return fputs(usage_replay, stdout), 0;
    if (!strcmp(t, "minimize")) return fputs(usage_minimize, stdout), 0;
    if (!strcmp(t, "list")) return fputs(usage_list, stdout), 0;
    if (!strcmp(t, "selfcheck")) return fputs(usage_selfcheck, stdout), 0;
    if (!strcmp(t, "exec")) return fputs(cli_exec_usage(), stdout), 0;
    if (!strcmp(t, "node")) return fputs(cli_node_usage(), stdout), 0;
    return cli_usage_error("help: unknown command '%s'", t);
  }
  return cli_usage_error("unknown command '%s'", cmd);
}
