/* reports/report_read.h — reading a report.json back (a strict reader for
 * the JSON report.c writes) and merging shard reports (`uvsim run --shard
 * I/N`, `uvsim merge`) into the campaigns the unsharded run would have
 * reported, to go through report_write again. */
#ifndef UVSIM_REPORTS_REPORT_READ_H
#define UVSIM_REPORTS_REPORT_READ_H

#include <stddef.h>

#include "fuzz/fuzz.h"

/* A report read back. Each campaign's `sc` points at scs[i], a scenario
 * description rebuilt from the report (no body: run is NULL), so that a
 * report merges without the binary that ran it having the scenario. */
typedef struct report_doc {
  char path[512];
  char version[32];           /* uvsim_version                          */
  char name[160];             /* the report folder name                 */
  size_t n;
  fz_campaign* cs;
  uvsim_scenario* scs;        /* strings owned                          */
} report_doc;

/* Reads PATH (a report.json) and, when its campaigns are shards, the
 * `traces` file next to it. Everything is checked: the JSON's syntax, each
 * field's type and range, the reproducers' texts against their counts.
 * Returns 0, or -1 with a one-line reason in err ("PATH: what"). */
int report_read(const char* path, report_doc* d, char* err, size_t errlen);
void report_doc_free(report_doc* d);

/* Merges the shard reports docs[0..n) into out: they must be the n shards
 * 1/n..n/n of the same campaigns (same uvsim version, scenarios, strategy,
 * seed, run budget, configuration), each shard's run count complete. Counts
 * add up, trace hashes are unioned, each bug keeps the shard whose first run
 * is earliest (its reproducer, minimisation and explanation are moved out of
 * that doc), elapsed_s is the sum (the work done, as one machine would have
 * taken). Returns 0, or -1 with a one-line reason in err. */
int report_merge(report_doc* docs, size_t n, report_doc* out, char* err, size_t errlen);

#endif
