/* cli/ci.c — `--junit FILE` and `--json` (docs/cli.md, "Output for CI"):
 * the flags, the cases of exec and node campaigns, and where the output
 * goes. The XML and JSON are reports/junit.c's.
 *
 * --json makes stdout one JSON object and nothing else: from
 * cli_ci_begin on, stdout is a copy of stderr (so the human-readable lines
 * still show), and the JSON is written to the original stdout at the end. */
#include "cli/ci.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/node.h"

static struct {
  const char* junit;
  int json;
  int saved_stdout;
  report_suite* suite;
} ci = { .saved_stdout = -1 };

int cli_ci_option(const char* a, const char* v) {
  if (!strcmp(a, "--json")) {
    ci.json = 1;
    return 1;
  }
  if (!strcmp(a, "--junit")) {
    if (!v || !*v) return cli_usage_error("--junit needs a file"), -1;
    ci.junit = v;
    return 2;
  }
  return 0;
}

int cli_ci_wanted(void) { return ci.junit || ci.json; }

void cli_ci_begin(const char* command) {
  if (!cli_ci_wanted() || ci.suite) return;
  ci.suite = report_suite_new(command);
  if (ci.json) {
    fflush(stdout);
    ci.saved_stdout = dup(1);
    if (ci.saved_stdout >= 0) dup2(2, 1);
  }
}

report_suite* cli_ci_suite(void) { return ci.suite; }

void cli_ci_add_exec(const exec_opts* o, const exec_summary* sum) {
  if (!ci.suite) return;
  char name[1024] = "";
  if (o->node) {
    snprintf(name, sizeof name, "%.1000s", o->node->script);
  } else {
    size_t len = 0;
    for (char** a = o->argv; *a && len + 2 < sizeof name; a++)
      len += (size_t)snprintf(name + len, sizeof name - len, "%s%s", len ? " " : "", *a);
  }
  report_case* c = report_suite_add(ci.suite, name, o->node ? "uvsim.node" : "uvsim.exec",
                                    sum->elapsed_s, sum->runs);
  for (size_t k = 0; k < sum->nsigs; k++) {
    const uint64_t* seed = sum->first_run[k] ? &sum->seed[k] : NULL;
    char replay[16384];
    if (o->node && sum->path[k][0])
      snprintf(replay, sizeof replay, "uvsim replay %s", sum->path[k]);
    else if (o->node && seed)
      snprintf(replay, sizeof replay, "uvsim node --seed %" PRIu64 " %s", *seed,
               o->node->script);
    else if (o->node)
      snprintf(replay, sizeof replay, "uvsim node %s", o->node->script);
    else
      cli_exec_replay_line(o, seed, replay, sizeof replay);
    report_case_add_bug(c, sum->sigs[k], sum->path[k][0] ? sum->path[k] : NULL, replay, NULL,
                        sum->first_run[k], sum->hits[k]);
  }
  char msg[600];
  if (sum->nsigs)
    snprintf(msg, sizeof msg, "%" PRIu64 " of %" PRIu64 " runs failed, %zu signature%s: %.400s",
             sum->failing, sum->runs, sum->nsigs, sum->nsigs == 1 ? "" : "s", sum->sigs[0]);
  else
    snprintf(msg, sizeof msg, "no failure in %" PRIu64 " runs", sum->runs);
  report_case_set(c, sum->nsigs > 0, msg);
}

int cli_ci_finish(int status) {
  if (!ci.suite) return status;
  fflush(stdout);
  if (ci.junit && ci.suite->ncases > 0) {
    char err[700];
    if (report_junit_write(ci.suite, ci.junit, err, sizeof err) != 0) {
      fprintf(stderr, "uvsim: %s\n", err);
      status = EXIT_USAGE;
    }
  }
  if (ci.json && ci.saved_stdout >= 0) {
    dup2(ci.saved_stdout, 1);
    close(ci.saved_stdout);
    ci.saved_stdout = -1;
    report_json_summary(ci.suite, stdout, status);
    fflush(stdout);
  }
  report_suite_free(ci.suite);
  ci.suite = NULL;
  return status;
}
