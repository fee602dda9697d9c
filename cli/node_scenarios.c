/* cli/node_scenarios.c — the JS scenarios: scenarios/js/NAME.js, each a
 * Node program with a buggy and a fixed variant (its first argument), run
 * by `uvsim run` under node mode beside the C scenarios.
 *
 * A file says what it is in its first lines:
 *   // scenario: NAME
 *   // one line: the bug
 *   // runs: N            (optional: the self-test budget per variant)
 * The folder is $UVSIM_JS_SCENARIOS, else ../share/uvsim/scenarios/js from
 * this binary (installed), else the source tree's scenarios/js (where this
 * uvsim was built from). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fuzz/fuzz.h"
#include "cli/node.h"
#include "sim/sim_util.h"

#define NODE_SCENARIOS_MAX 64

#ifndef UVSIM_SOURCE_DIR
#define UVSIM_SOURCE_DIR "."
#endif

static node_scenario scenarios[NODE_SCENARIOS_MAX];
static size_t nscenarios = (size_t)-1;

static int by_name(const void* a, const void* b) {
  return strcmp(((const node_scenario*)a)->name, ((const node_scenario*)b)->name);
}

/* Reads the header comment; 0 when the file is a scenario. */
static int read_header(const char* path, node_scenario* sc) {
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  char line[512];
  int ok = 0;
  for (int i = 0; i < 12 && fgets(line, sizeof line, f); i++) {
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, "//", 2) != 0) break;
    const char* t = line + 2 + (line[2] == ' ');
    if (!strncmp(t, "scenario: ", 10)) {
      snprintf(sc->name, sizeof sc->name, "js-%.120s", t + 10);
      ok = 1;
    } else if (!strncmp(t, "runs: ", 6)) {
      uint64_t n;
      if (sim_parse_u64(t + 6, &n) != 0 || n == 0 || n > UINT32_MAX) {
        fprintf(stderr, "uvsim: %s: '// runs: %s' is not a number of runs\n", path, t + 6);
        ok = 0;
        break;
      }
      sc->runs = (uint32_t)n;
    } else if (ok && !sc->description[0] && *t) {
      snprintf(sc->description, sizeof sc->description, "%s", t);
    }
  }
  fclose(f);
  return ok ? 0 : -1;
}

size_t cli_node_scenarios(const node_scenario** out) {
  if (nscenarios == (size_t)-1) {
    nscenarios = 0;
    const char* dir = getenv("UVSIM_JS_SCENARIOS");
    char def[4096];
    if (!dir || !*dir) {
      /* Installed: PREFIX/share/uvsim/scenarios/js beside PREFIX/bin/uvsim;
       * else the source tree this uvsim was built from. */
      char self[3000];
      ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
      char* slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
      if (slash) *slash = '\0';
      snprintf(def, sizeof def, "%s/../share/uvsim/scenarios/js", slash ? self : ".");
      if (!slash || access(def, R_OK) != 0)
        snprintf(def, sizeof def, "%s/scenarios/js", UVSIM_SOURCE_DIR);
      dir = def;
    }
    DIR* d = opendir(dir);
    struct dirent* e;
    while (d && (e = readdir(d)) && nscenarios < NODE_SCENARIOS_MAX) {
      size_t len = strlen(e->d_name);
      if (len < 4 || strcmp(e->d_name + len - 3, ".js") != 0) continue;
      node_scenario* sc = &scenarios[nscenarios];
      memset(sc, 0, sizeof *sc);
      snprintf(sc->script, sizeof sc->script, "%.3000s/%.1000s", dir, e->d_name);
      if (read_header(sc->script, sc) == 0) nscenarios++;
    }
    if (d) closedir(d);
    qsort(scenarios, nscenarios, sizeof *scenarios, by_name);
  }
  *out = scenarios;
  return nscenarios;
}

int cli_node_scenario_run(const node_scenario* sc, const char* variant, uint64_t runs,
                          uint64_t seed, uint32_t jobs, const char* corpus, int minimize,
                          exec_summary* sum) {
  static exec_opts o;
  static node_opts n;
  memset(&o, 0, sizeof o);
  memset(&n, 0, sizeof n);
  char r[32], s[32], j[16];
  snprintf(r, sizeof r, "%llu", (unsigned long long)runs);
  snprintf(s, sizeof s, "%llu", (unsigned long long)seed);
  snprintf(j, sizeof j, "%u", jobs);
  char* argv[] = { "uvsim", "node", "--runs", r, "--seed", s, "--jobs", j,
                   "--corpus", (char*)corpus, "--quiet",
                   minimize ? "--quiet" : "--no-minimize", (char*)sc->script,
                   (char*)variant, NULL };
  int p = cli_node_setup((int)(sizeof argv / sizeof *argv) - 1, argv, &o, &n);
  if (p) return EXIT_USAGE;
  return cli_exec_campaign(&o, sum);
}

/* ------------------------------------------------- as `uvsim run` sees them */

static uvsim_scenario entries[2 * NODE_SCENARIOS_MAX];
static size_t nentries = (size_t)-1;

size_t cli_node_scenario_entries(const uvsim_scenario** out) {
  if (nentries == (size_t)-1) {
    const node_scenario* js;
    size_t n = cli_node_scenarios(&js);
    nentries = 0;
    for (size_t i = 0; i < n; i++)
      for (int v = 0; v < 2; v++)
        entries[nentries++] = (uvsim_scenario){
          .name = js[i].name, .variant = v ? "fixed" : "buggy",
          .description = js[i].description,
          .invariant = "the Node program exits 0: no uncaught exception, no "
                       "unhandled rejection, no crash",
          .expect = v ? UVSIM_EXPECT_CLEAN : UVSIM_EXPECT_BUG,
          .runs = js[i].runs, .run = NULL };
  }
  *out = entries;
  return nentries;
}

static const node_scenario* js_of(const uvsim_scenario* sc) {
  const node_scenario* js;
  size_t n = cli_node_scenarios(&js);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(js[i].name, sc->name)) return &js[i];
  return NULL;
}

static sim_oracle oracle_of(const char* sig) {
  if (!strncmp(sig, "uncaught", 8)) return SIM_BUG_UNCAUGHT;
  if (!strncmp(sig, "crash", 5) || !strncmp(sig, "signal", 6)) return SIM_BUG_CRASH;
  if (!strncmp(sig, "timeout", 7)) return SIM_BUG_HANG;
  return SIM_BUG_INVARIANT;
}

/* One variant's campaign, told as a C campaign is (for the report). */
int cli_node_scenario_campaign(const uvsim_scenario* sc, uint64_t runs, uint64_t seed,
                               uint32_t jobs, const char* corpus, int minimize,
                               fz_campaign* c) {
  const node_scenario* js = js_of(sc);
  if (!js) return -1;
  static exec_summary sum;
  memset(&sum, 0, sizeof sum);
  int rc = cli_node_scenario_run(js, sc->variant, runs, seed, jobs, corpus, minimize, &sum);
  if (rc == EXIT_USAGE) return -1;
  return cli_node_campaign_of(sc, &sum, seed, c);
}

int cli_node_campaign_of(const uvsim_scenario* sc, const exec_summary* sum_, uint64_t seed,
                         fz_campaign* c) {
  const exec_summary sum = *sum_;
  memset(c, 0, sizeof *c);
  c->sc = sc;
  c->strategy = SIM_STRAT_RANDOM;
  c->seed = seed;
  c->runs = sum.runs;
  c->failing_runs = sum.failing;
  c->distinct = sum.ntraces;
  c->first_bug_run = sum.first_fail;
  c->elapsed_s = sum.elapsed_s;
  c->bugs = calloc(sum.nsigs ? sum.nsigs : 1, sizeof *c->bugs);
  if (!c->bugs) return -1;
  c->bugs_cap = sum.nsigs;
  for (size_t i = 0; i < sum.nsigs; i++) {
    fz_bug* b = &c->bugs[c->nbugs++];
    snprintf(b->signature, sizeof b->signature, "%s", sum.sigs[i]);
    b->sig_hash = fz_sig_hash(b->signature);
    b->outcome.oracle = oracle_of(sum.sigs[i]);
    snprintf(b->outcome.where, sizeof b->outcome.where, "%s", sc->name);
    snprintf(b->outcome.message, sizeof b->outcome.message, "%s", sum.sigs[i]);
    b->first_run = sum.first_run[i];
    b->hits = sum.hits[i];
    snprintf(b->path, sizeof b->path, "%s", sum.path[i]);
    sim_repro_init(&b->repro);
    if (b->path[0]) sim_repro_read(&b->repro, b->path, NULL, 0);
  }
  return 0;
}
