/* reports/junit.h — what CI systems read (docs/cli.md, "Output for CI"):
 * JUnit XML (`--junit FILE`, written atomically) and a JSON summary
 * (`--json`), one test case per scenario (uvsim run) or per program
 * (uvsim exec, uvsim node). A failing case carries each bug's signature,
 * reproducer and the one command line that replays it. */
#ifndef UVSIM_REPORTS_JUNIT_H
#define UVSIM_REPORTS_JUNIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/fuzz.h"

typedef struct report_bug {
  char* signature;
  char* reproducer;             /* a file, or NULL */
  char* replay;                 /* the command that replays it */
  char* detail;                 /* e.g. the program's stderr line, or NULL */
  uint64_t first_run;           /* 1-based; 0: the natural order */
  uint64_t hits;
} report_bug;

typedef struct report_case {
  char* name;                   /* "lost_update/buggy", or the program */
  char* classname;              /* "uvsim.run", "uvsim.exec", "uvsim.node" */
  double time_s;
  uint64_t runs;
  int failed;                   /* counts towards a non-zero exit status */
  char* message;                /* why it failed (or passed), one line */
  size_t nbugs;
  report_bug* bugs;
} report_case;

typedef struct report_suite {
  char* command;                /* "run", "exec", "node" */
  size_t ncases;
  report_case* cases;
} report_suite;

report_suite* report_suite_new(const char* command);
void report_suite_free(report_suite* s);
/* A new case (strings are copied). */
report_case* report_suite_add(report_suite* s, const char* name, const char* classname,
                              double time_s, uint64_t runs);
void report_case_set(report_case* c, int failed, const char* message);
void report_case_add_bug(report_case* c, const char* signature, const char* reproducer,
                         const char* replay, const char* detail, uint64_t first_run,
                         uint64_t hits);
/* A `uvsim run` campaign as a case: failed as the exit status counts it
 * (with --expect: not as expected; else: a bug). */
report_case* report_suite_add_campaign(report_suite* s, const fz_campaign* c, int expect);

/* JUnit XML to `path`, atomically. 0, or -1 with `err`. */
int report_junit_write(const report_suite* s, const char* path, char* err, size_t errlen);
/* The JSON summary (one object, then a newline); `exit_status` included. */
void report_json_summary(const report_suite* s, FILE* f, int exit_status);

#endif
