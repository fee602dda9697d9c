/* reports/junit.c — JUnit XML and the JSON summary for CI systems (see
 * reports/junit.h). The XML follows the shape Jenkins, GitLab, GitHub
 * Actions' test reporters and Azure read (tests/install/junit.xsd):
 *   <testsuites name tests failures errors time>
 *     <testsuite name tests failures errors skipped time timestamp hostname>
 *       <testcase name classname time>
 *         <failure message type>text</failure>      (at most one)
 *         <system-out>text</system-out>
 * Text is made valid XML 1.0 / UTF-8 whatever a program printed: control
 * characters and invalid UTF-8 bytes become '?'. */
#include "reports/junit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reports/report.h"
#include "sim/sim.h"

static char* dup_or_null(const char* s) {
  if (!s || !*s) return NULL;
  char* d = strdup(s);
  if (!d) abort();
  return d;
}

static void* grow(void* p, size_t n, size_t size) {
  void* q = realloc(p, n * size);
  if (!q) abort();
  return q;
}

report_suite* report_suite_new(const char* command) {
  report_suite* s = calloc(1, sizeof *s);
  if (!s) abort();
  s->command = dup_or_null(command ? command : "uvsim");
  return s;
}

void report_suite_free(report_suite* s) {
  if (!s) return;
  for (size_t i = 0; i < s->ncases; i++) {
    report_case* c = &s->cases[i];
    for (size_t b = 0; b < c->nbugs; b++) {
      free(c->bugs[b].signature);
      free(c->bugs[b].reproducer);
      free(c->bugs[b].replay);
      free(c->bugs[b].detail);
    }
    free(c->bugs);
    free(c->name);
    free(c->classname);
    free(c->message);
  }
  free(s->cases);
  free(s->command);
  free(s);
}

report_case* report_suite_add(report_suite* s, const char* name, const char* classname,
                              double time_s, uint64_t runs) {
  s->cases = grow(s->cases, s->ncases + 1, sizeof *s->cases);
  report_case* c = &s->cases[s->ncases++];
  memset(c, 0, sizeof *c);
  c->name = dup_or_null(name && *name ? name : "?");
  c->classname = dup_or_null(classname && *classname ? classname : "uvsim");
  c->time_s = time_s;
  c->runs = runs;
  return c;
}

void report_case_set(report_case* c, int failed, const char* message) {
  c->failed = failed;
  free(c->message);
  c->message = dup_or_null(message);
}

void report_case_add_bug(report_case* c, const char* signature, const char* reproducer,
                         const char* replay, const char* detail, uint64_t first_run,
                         uint64_t hits) {
  c->bugs = grow(c->bugs, c->nbugs + 1, sizeof *c->bugs);
  report_bug* b = &c->bugs[c->nbugs++];
  b->signature = dup_or_null(signature && *signature ? signature : "?");
  b->reproducer = dup_or_null(reproducer);
  b->replay = dup_or_null(replay);
  b->detail = dup_or_null(detail);
  b->first_run = first_run;
  b->hits = hits;
}

report_case* report_suite_add_campaign(report_suite* s, const fz_campaign* cp, int expect) {
  char name[300];
  snprintf(name, sizeof name, "%s/%s", cp->sc->name, cp->sc->variant);
  report_case* c = report_suite_add(s, name, "uvsim.run", cp->elapsed_s, cp->runs);
  for (size_t i = 0; i < cp->nbugs; i++) {
    const fz_bug* b = &cp->bugs[i];
    char replay[700] = "", detail[400] = "";
    if (b->path[0]) snprintf(replay, sizeof replay, "uvsim replay %s", b->path);
    if (b->outcome.message[0])
      snprintf(detail, sizeof detail, "%s%s%s", b->outcome.message,
               b->outcome.where[0] ? " at " : "", b->outcome.where);
    report_case_add_bug(c, b->signature, b->path, replay, detail, b->first_run + 1, b->hits);
  }
  char msg[400];
  int as_expected = fz_campaign_as_expected(cp);
  if (expect && !as_expected && cp->nbugs == 0)
    snprintf(msg, sizeof msg, "expected a bug, none found in %" PRIu64 " runs", cp->runs);
  else if (cp->nbugs)
    snprintf(msg, sizeof msg, "%zu bug%s in %" PRIu64 " runs%s: %.300s", cp->nbugs,
             cp->nbugs == 1 ? "" : "s", cp->runs,
             expect && as_expected ? " (expected)" : "", cp->bugs[0].signature);
  else
    snprintf(msg, sizeof msg, "no bug in %" PRIu64 " runs", cp->runs);
  report_case_set(c, expect ? !as_expected : cp->nbugs > 0, msg);
  return c;
}

/* ------------------------------------------------------------- XML */

static void xml_text(FILE* f, const char* s, int attr) {
  const unsigned char* p = (const unsigned char*)(s ? s : "");
  while (*p) {
    size_t n = report_utf8_len(p);
    if (n == 0) { fputc('?', f); p++; continue; }
    if (n > 1) { fwrite(p, 1, n, f); p += n; continue; }
    switch (*p) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs(attr ? "&quot;" : "\"", f); break;
    case '\n': fputs(attr ? "&#10;" : "\n", f); break;
    case '\t': fputs(attr ? "&#9;" : "\t", f); break;
    case '\r': fputs("&#13;", f); break;
    default: fputc(*p < 0x20 ? '?' : *p, f);
    }
    p++;
  }
}

static void bug_text(FILE* f, const report_bug* b) {
  fputs("bug: ", f);
  xml_text(f, b->signature, 0);
  if (b->first_run) fprintf(f, "\n  first at run %" PRIu64 ", %" PRIu64 " failing run%s",
                            b->first_run, b->hits, b->hits == 1 ? "" : "s");
  else fprintf(f, "\n  in the natural order, %" PRIu64 " failing run%s", b->hits,
               b->hits == 1 ? "" : "s");
  if (b->detail) { fputs("\n  ", f); xml_text(f, b->detail, 0); }
  if (b->reproducer) { fputs("\n  reproducer: ", f); xml_text(f, b->reproducer, 0); }
  if (b->replay) { fputs("\n  replay: ", f); xml_text(f, b->replay, 0); }
  fputc('\n', f);
}

static double total_time(const report_suite* s) {
  double t = 0;
  for (size_t i = 0; i < s->ncases; i++) t += s->cases[i].time_s;
  return t;
}

static size_t total_failed(const report_suite* s) {
  size_t n = 0;
  for (size_t i = 0; i < s->ncases; i++) n += s->cases[i].failed != 0;
  return n;
}

static void junit_fprint(const report_suite* s, FILE* f) {
  char name[64];
  snprintf(name, sizeof name, "uvsim %s", s->command);
  size_t failed = total_failed(s);
  double t = total_time(s);
  char stamp[32] = "1970-01-01T00:00:00";
  time_t now = time(NULL);
  struct tm tm;
  if (gmtime_r(&now, &tm)) strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  char host[256] = "localhost";
  if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "localhost");
  host[sizeof host - 1] = '\0';
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(f, "<testsuites name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
          "time=\"%.3f\">\n", name, s->ncases, failed, t);
  fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
          "skipped=\"0\" time=\"%.3f\" timestamp=\"%s\" hostname=\"", name, s->ncases,
          failed, t, stamp);
  xml_text(f, host, 1);
  fputs("\">\n", f);
  for (size_t i = 0; i < s->ncases; i++) {
    const report_case* c = &s->cases[i];
    fputs("    <testcase name=\"", f);
    xml_text(f, c->name, 1);
    fputs("\" classname=\"", f);
    xml_text(f, c->classname, 1);
    fprintf(f, "\" time=\"%.3f\">\n", c->time_s);
    if (c->failed) {
      fputs("      <failure type=\"uvsim.bug\" message=\"", f);
      xml_text(f, c->message ? c->message : "failed", 1);
      fputs("\">", f);
      for (size_t b = 0; b < c->nbugs; b++) bug_text(f, &c->bugs[b]);
      if (c->nbugs == 0) xml_text(f, c->message, 0);
      fputs("</failure>\n", f);
    }
    fputs("      <system-out>", f);
    xml_text(f, c->message ? c->message : "", 0);
    fputc('\n', f);
    if (!c->failed)
      for (size_t b = 0; b < c->nbugs; b++) bug_text(f, &c->bugs[b]);
    fputs("</system-out>\n    </testcase>\n", f);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
}

int report_junit_write(const report_suite* s, const char* path, char* err, size_t errlen) {
  char* buf = NULL;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  if (!f) {
    snprintf(err, errlen, "--junit: out of memory");
    return -1;
  }
  junit_fprint(s, f);
  fclose(f);
  char why[512];
  int rc = sim_write_atomic(path, buf, len, why, sizeof why);
  free(buf);
  if (rc != 0) {
    snprintf(err, errlen, "--junit: %s", why);
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------ JSON */


void report_json_summary(const report_suite* s, FILE* f, int exit_status) {
  fputs("{\"command\":", f);
  report_json_str(f, s->command);
  fprintf(f, ",\"exit_status\":%d,\"tests\":%zu,\"failures\":%zu,\"time\":%.3f,\"cases\":[",
          exit_status, s->ncases, total_failed(s), total_time(s));
  for (size_t i = 0; i < s->ncases; i++) {
    const report_case* c = &s->cases[i];
    fputs(i ? ",{\"name\":" : "{\"name\":", f);
    report_json_str(f, c->name);
    fputs(",\"classname\":", f);
    report_json_str(f, c->classname);
    fprintf(f, ",\"status\":\"%s\",\"runs\":%" PRIu64 ",\"time\":%.3f,\"message\":",
            c->failed ? "failed" : "passed", c->runs, c->time_s);
    report_json_str(f, c->message);
    fputs(",\"bugs\":[", f);
    for (size_t b = 0; b < c->nbugs; b++) {
      const report_bug* g = &c->bugs[b];
      fputs(b ? ",{\"signature\":" : "{\"signature\":", f);
      report_json_str(f, g->signature);
      fprintf(f, ",\"first_run\":%" PRIu64 ",\"hits\":%" PRIu64 ",\"reproducer\":",
              g->first_run, g->hits);
      if (g->reproducer) report_json_str(f, g->reproducer); else fputs("null", f);
      fputs(",\"replay\":", f);
      if (g->replay) report_json_str(f, g->replay); else fputs("null", f);
      fputs(",\"detail\":", f);
      if (g->detail) report_json_str(f, g->detail); else fputs("null", f);
      fputc('}', f);
    }
    fputs("]}", f);
  }
  fputs("]}\n", f);
}
