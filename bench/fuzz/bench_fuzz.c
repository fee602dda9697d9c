/* bench/fuzz/bench_fuzz.c — exploration speed and strength.
 *
 *   bench_fuzz [--out OUT_DIR] [--quick] [SCENARIO...]
 *
 * SCENARIO is NAME or NAME/VARIANT (default: every scenario).
 * 1. Schedules per second per scenario on the in-process fast path (one
 *    core, random strategy, reset + run + outcome + trace-hash set; no
 *    fork). Goal: >= 20,000/s/core for small scenarios.
 * 2. Time to bug: for each buggy scenario x strategy, 20 campaigns (seeds
 *    1..20, one worker each, stop at the first bug, at most 20,000 runs):
 *    the median number of schedules to the first bug, and how many of the 20
 *    found it.
 * Writes OUT_DIR/bench-fuzz.json (atomic) and bench-fuzz.html (a fragment
 * that `uvsim run` reports include); OUT_DIR defaults to reports/out.
 * Wall-clock timings: compare numbers from one machine and one run only. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "reports/report.h"
#include "sim/sim_util.h"

#define TTB_CAMPAIGNS 20
#define TTB_RUNS_MAX 20000u

typedef struct tput {
  const uvsim_scenario* sc;
  int forked;
  double per_s;
  uint64_t runs;
} tput;

typedef struct ttb {
  const uvsim_scenario* sc;
  sim_strategy_kind k;
  int found;
  uint64_t median;     /* 0 when fewer than half found it */
  uint64_t runs[TTB_CAMPAIGNS];
} ttb;

static double throughput(const uvsim_scenario* sc, double seconds, uint64_t* runs_out) {
  sim_strategy st;
  sim_strategy_init(&st, SIM_STRAT_RANDOM, NULL);
  fz_scenario_prepare(sc);
  uint64_t runs = 0, sink = 0;
  double t0 = fz_wall_s(), t;
  do {
    for (int b = 0; b < 256; b++, runs++) {
      sim_config cfg;
      sim_strategy_begin(&st, fz_run_seed(1, runs), runs == 0, &cfg);
      sim* s = fz_world_begin(&cfg);
      sc->run();
      fz_outcome out;
      fz_outcome_from_sim(&out, s);
      sim_strategy_end(&st, s->log, s->log_len);
      sink ^= out.hash;
      fz_world_end();
    }
    t = fz_wall_s();
  } while (t - t0 < seconds);
  sim_strategy_free(&st);
  *runs_out = runs + (sink & 0);   /* keep the hash computed */
  return (double)runs / (t - t0);
}

/* Does the scenario crash within its first schedules? (Probed in a fork.) */
static int aborts(const uvsim_scenario* sc) {
  fz_campaign_opts o;
  memset(&o, 0, sizeof o);
  sim_strategy_defaults(&o.params);
  o.sc = sc;
  o.runs = 200;
  o.jobs = 1;
  o.isolate = 1;
  fz_campaign c;
  fz_campaign_run(&o, &c);
  int crashed = c.worker_crashes > 0;
  fz_campaign_free(&c);
  return crashed;
}

/* A scenario that crashes runs in forked workers; measure that path. */
static double forked_throughput(const uvsim_scenario* sc, uint64_t* runs_out) {
  fz_campaign_opts o;
  memset(&o, 0, sizeof o);
  sim_strategy_defaults(&o.params);
  o.sc = sc;
  o.runs = 500;
  o.jobs = 1;
  o.isolate = 1;
  fz_campaign c;
  fz_campaign_run(&o, &c);
  double r = c.elapsed_s > 0 ? (double)c.runs / c.elapsed_s : 0;
  *runs_out = c.runs;
  fz_campaign_free(&c);
  return r;
}

static int cmp_u64(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

static void time_to_bug(ttb* r, int campaigns) {
  uint64_t sorted[TTB_CAMPAIGNS];
  int n = 0;
  r->found = 0;
  for (int i = 0; i < campaigns; i++) {
    fz_campaign_opts o;
    memset(&o, 0, sizeof o);
    sim_strategy_defaults(&o.params);
    o.sc = r->sc;
    o.strategy = r->k;
    o.seed = (uint64_t)i + 1;
    o.runs = TTB_RUNS_MAX;
    o.jobs = 1;
    o.isolate = 1;
    o.stop_on_bug = 1;
    fz_campaign c;
    fz_campaign_run(&o, &c);
    r->runs[i] = c.first_bug_run;
    if (c.first_bug_run) {
      r->found++;
      sorted[n++] = c.first_bug_run;
    }
    fz_campaign_free(&c);
  }
  qsort(sorted, (size_t)n, sizeof sorted[0], cmp_u64);
  /* The median over all campaigns; a campaign that found nothing counts as
   * "more than TTB_RUNS_MAX", so a median exists only when half found it. */
  r->median = 2 * r->found >= campaigns ? sorted[campaigns / 2 - (campaigns % 2 == 0)] : 0;
}

int main(int argc, char** argv) {
  const char* out_dir = "reports/out";
  int quick = 0;
  setvbuf(stdout, NULL, _IOLBF, 0);   /* progress, also into a file */
  const uvsim_scenario** sel = calloc(uvsim_scenario_count() + 1, sizeof *sel);
  size_t ns = 0;
  if (!sel) abort();
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) {
      quick = 1;
    } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
      out_dir = argv[++i];
    } else {
      size_t before = ns;
      for (size_t k = 0; k < uvsim_scenario_count(); k++) {
        const uvsim_scenario* sc = uvsim_scenario_at(k);
        char nv[160];
        snprintf(nv, sizeof nv, "%s/%s", sc->name, sc->variant);
        if (!strcmp(argv[i], sc->name) || !strcmp(argv[i], nv)) sel[ns++] = sc;
      }
      if (ns == before) {
        fprintf(stderr, "bench_fuzz: unknown scenario '%s'\n", argv[i]);
        return 2;
      }
    }
  }
  if (ns == 0)
    for (size_t k = 0; k < uvsim_scenario_count(); k++) sel[ns++] = uvsim_scenario_at(k);
  tput* tp = calloc(ns, sizeof *tp);
  ttb* tb = calloc(ns * SIM_STRAT_COUNT, sizeof *tb);
  size_t ntb = 0;
  if (!tp || !tb) abort();
  int campaigns = quick ? 5 : TTB_CAMPAIGNS;
  for (size_t i = 0; i < ns; i++) {
    const uvsim_scenario* sc = sel[i];
    tp[i].sc = sc;
    /* crash scenarios abort in process: their speed is the forked path's */
    tp[i].forked = sc->expect == UVSIM_EXPECT_BUG && aborts(sc);
    if (tp[i].forked) tp[i].per_s = forked_throughput(sc, &tp[i].runs);
    else tp[i].per_s = throughput(sc, quick ? 0.1 : 0.5, &tp[i].runs);
    printf("%s/%s: %.0f schedules/s (%s)\n", sc->name, sc->variant, tp[i].per_s,
           tp[i].forked ? "forked workers: it crashes" : "in process");
    if (sc->expect != UVSIM_EXPECT_BUG) continue;
    for (int k = 0; k < SIM_STRAT_COUNT; k++) {
      ttb* r = &tb[ntb++];
      r->sc = sc;
      r->k = (sim_strategy_kind)k;
      time_to_bug(r, campaigns);
      printf("  %-8s found %2d/%d, median %" PRIu64 " schedules to first bug\n",
             sim_strategy_name(r->k), r->found, campaigns, r->median);
    }
  }
  /* JSON */
  char* jb = NULL;
  size_t jl = 0;
  FILE* f = open_memstream(&jb, &jl);
  fprintf(f, "{\"schema\":\"uvsim-bench-fuzz/1\",\"campaigns_per_cell\":%d,"
          "\"runs_max\":%u,\"throughput\":[", campaigns, TTB_RUNS_MAX);
  for (size_t i = 0; i < ns; i++) {
    fprintf(f, "%s{\"scenario\":\"%s/%s\",\"schedules_per_s\":%.0f,\"runs\":%" PRIu64
            ",\"path\":\"%s\"}", i ? "," : "", tp[i].sc->name, tp[i].sc->variant, tp[i].per_s,
            tp[i].runs, tp[i].forked ? "fork" : "inproc");
  }
  fprintf(f, "],\"time_to_bug\":[");
  for (size_t i = 0; i < ntb; i++) {
    fprintf(f, "%s{\"scenario\":\"%s/%s\",\"strategy\":\"%s\",\"found\":%d,\"median_runs\":",
            i ? "," : "", tb[i].sc->name, tb[i].sc->variant, sim_strategy_name(tb[i].k),
            tb[i].found);
    if (tb[i].median) fprintf(f, "%" PRIu64 "}", tb[i].median);
    else fprintf(f, "null}");
  }
  fprintf(f, "]}\n");
  fclose(f);
  /* HTML fragment */
  char* hb = NULL;
  size_t hl = 0;
  FILE* h = open_memstream(&hb, &hl);
  fprintf(h, "<h3>Schedules per second (in process, one core)</h3>\n<table><tr><th>scenario"
          "</th><th>schedules/s</th><th>path</th></tr>\n");
  for (size_t i = 0; i < ns; i++)
    fprintf(h, "<tr><td>%s/%s</td><td class=num>%.0f</td><td>%s</td></tr>\n", tp[i].sc->name,
            tp[i].sc->variant, tp[i].per_s, tp[i].forked ? "forked (crashes)" : "in process");
  fprintf(h, "</table>\n<h3>Median schedules to first bug (%d campaigns, at most %u runs)"
          "</h3>\n<table><tr><th>scenario</th>", campaigns, TTB_RUNS_MAX);
  for (int k = 0; k < SIM_STRAT_COUNT; k++) fprintf(h, "<th>%s</th>", sim_strategy_name(k));
  fprintf(h, "</tr>\n");
  for (size_t i = 0; i < ntb; i += SIM_STRAT_COUNT) {
    fprintf(h, "<tr><td>%s/%s</td>", tb[i].sc->name, tb[i].sc->variant);
    for (int k = 0; k < SIM_STRAT_COUNT; k++) {
      if (tb[i + k].median)
        fprintf(h, "<td class=num>%" PRIu64 " (%d/%d)</td>", tb[i + k].median, tb[i + k].found,
                campaigns);
      else
        fprintf(h, "<td class=num>&gt;%u (%d/%d)</td>", TTB_RUNS_MAX, tb[i + k].found, campaigns);
    }
    fprintf(h, "</tr>\n");
  }
  fprintf(h, "</table>\n");
  fclose(h);
  char path[600], err[256];
  if (sim_mkdir_p(out_dir, 0777) != 0) {
    fprintf(stderr, "bench_fuzz: cannot create %s\n", out_dir);
    return 1;
  }
  snprintf(path, sizeof path, "%s/bench-fuzz.json", out_dir);
  if (sim_write_atomic(path, jb, jl, err, sizeof err) != 0) {
    fprintf(stderr, "bench_fuzz: %s\n", err);
    return 1;
  }
  snprintf(path, sizeof path, "%s/bench-fuzz.html", out_dir);
  if (sim_write_atomic(path, hb, hl, err, sizeof err) != 0) {
    fprintf(stderr, "bench_fuzz: %s\n", err);
    return 1;
  }
  printf("wrote %s/bench-fuzz.json and bench-fuzz.html\n", out_dir);
  free(jb);
  free(hb);
  free(tp);
  free(tb);
  free(sel);
  return 0;
}
