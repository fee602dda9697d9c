/* reports/report.c — writes a campaign's report.json and report.html.
 *
 * The HTML is one file a browser opens offline: inline CSS, no scripts, no
 * fonts or images from elsewhere. Each bug shows its minimised reproducer,
 * the replay command, its decisive decisions and an SVG timeline of the
 * failing schedule: one lane per handle or pool job (the first word of a
 * callback label: "timer#1", "fs.read", "replica"), records left to right in
 * virtual-time order with the time written where it changes, decisions as
 * vertical marks (red when decisive).
 */
#include "reports/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sim/sim_util.h"

size_t report_utf8_len(const unsigned char* p) {
  size_t n;
  uint32_t cp;
  if (p[0] < 0x80) return 1;
  else if ((p[0] & 0xe0) == 0xc0) { n = 2; cp = p[0] & 0x1f; }
  else if ((p[0] & 0xf0) == 0xe0) { n = 3; cp = p[0] & 0x0f; }
  else if ((p[0] & 0xf8) == 0xf0) { n = 4; cp = p[0] & 0x07; }
  else return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
  if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
      cp == 0xfffe || cp == 0xffff)
    return 0;
  return n;
}

void report_json_str(FILE* f, const char* s) {
  const unsigned char* p = (const unsigned char*)(s ? s : "");
  fputc('"', f);
  while (*p) {
    size_t n = report_utf8_len(p);
    if (n == 0) { fputc('?', f); p++; continue; }
    if (n > 1) { fwrite(p, 1, n, f); p += n; continue; }
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (*p < 0x20) fprintf(f, "\\u%04x", *p);
      else fputc(*p, f);
    }
    p++;
  }
  fputc('"', f);
}

void report_html_text(FILE* f, const char* s) {
  for (const char* p = s ? s : ""; *p; p++) {
    switch (*p) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(*p, f);
    }
  }
}

static char* repro_text(const sim_repro* r) {
  char* t = NULL;
  size_t len = 0;
  FILE* f = open_memstream(&t, &len);
  if (!f) abort();
  sim_repro_fprint(r, f);
  fclose(f);
  return t;
}

static size_t nonzero(const sim_repro* r) {
  size_t n = 0;
  for (size_t i = 0; i < r->ndecisions; i++) n += r->decisions[i].choice != 0;
  return n;
}

static const char* rec_type(uint8_t t) {
  return t == SIM_TR_DECISION ? "decision" : t == SIM_TR_CALLBACK ? "callback" : "note";
}

#define TIMELINE_MAX 400

/* ----------------------------------------------------------------- JSON */

static void json_bug(FILE* f, const fz_campaign* c, const fz_bug* b) {
  fprintf(f, "{\"signature\":");
  report_json_str(f, b->signature);
  fprintf(f, ",\"oracle\":");
  report_json_str(f, sim_oracle_name(b->outcome.oracle));
  fprintf(f, ",\"where\":");
  report_json_str(f, b->outcome.where);
  fprintf(f, ",\"message\":");
  report_json_str(f, b->outcome.message);
  fprintf(f, ",\"first_run\":%" PRIu64 ",\"hits\":%" PRIu64, b->first_run + 1, b->hits);
  fprintf(f, ",\"reproducer_path\":");
  report_json_str(f, b->path);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "uvsim replay %s", b->path[0] ? b->path : "FILE.uvsim");
  fprintf(f, ",\"replay_command\":");
  report_json_str(f, cmd);
  fprintf(f, ",\"found\":{\"decisions\":%zu,\"nonzero\":%zu,\"hash\":\"%016" PRIx64 "\"",
          b->repro.ndecisions, nonzero(&b->repro), b->repro.hash);
  if (c->shard_count) {
    /* A shard's report carries the schedule as found, so that `uvsim merge`
     * rebuilds the bug (and its reproducer) from the report alone. */
    char* found = repro_text(&b->repro);
    fprintf(f, ",\"text\":");
    report_json_str(f, found);
    free(found);
  }
  fputc('}', f);
  if (!b->analysed) {
    fprintf(f, ",\"minimised\":null,\"decisive\":[],\"timeline\":[]}");
    return;
  }
  const fz_analysis* a = &b->an;
  char* text = repro_text(&a->min);
  fprintf(f, ",\"minimised\":{\"decisions\":%zu,\"nonzero\":%zu,\"attempts\":%u,"
          "\"hash\":\"%016" PRIx64 "\",\"text\":",
          a->min.ndecisions, nonzero(&a->min), a->attempts, a->min.hash);
  report_json_str(f, text);
  free(text);
  fprintf(f, "},\"decisive\":[");
  for (size_t i = 0; i < a->ndecisive; i++) {
    const fz_decisive* d = &a->decisive[i];
    fprintf(f, "%s{\"index\":%zu,\"kind\":", i ? "," : "", d->index);
    report_json_str(f, sim_kind_name((sim_kind)d->kind));
    fprintf(f, ",\"choice\":%u,\"n\":%u,\"label\":", d->choice, d->n);
    report_json_str(f, d->label);
    fprintf(f, ",\"then\":");
    report_json_str(f, d->failing);
    fprintf(f, ",\"instead_of\":");
    report_json_str(f, d->natural);
    fprintf(f, "}");
  }
  fprintf(f, "],\"timeline\":[");
  size_t shown = a->trace.len < TIMELINE_MAX ? a->trace.len : TIMELINE_MAX;
  for (size_t i = 0; i < shown; i++) {
    const sim_trace_rec* r = &a->trace.recs[i];
    fprintf(f, "%s{\"t_ns\":%" PRIu64 ",\"type\":\"%s\",\"label\":", i ? "," : "",
            r->time_ns, rec_type(r->type));
    report_json_str(f, r->label);
    if (r->type == SIM_TR_DECISION)
      fprintf(f, ",\"kind\":\"%s\",\"choice\":%u,\"n\":%u", sim_kind_name((sim_kind)r->kind),
              r->choice, r->n);
    fprintf(f, "}");
  }
  fprintf(f, "],\"timeline_truncated\":%s,\"timeline_records\":%zu}",
          a->trace.len > TIMELINE_MAX ? "true" : "false", a->trace.len);
}

static char* slurp(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf) {
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = 0;
  }
  fclose(f);
  return buf;
}

static void json_report(FILE* f, const char* name, const fz_campaign* cs, size_t n,
                        const char* bench) {
  fprintf(f, "{\"schema\":\"uvsim-report/1\",\"uvsim_version\":\"%s\",\"name\":", SIM_VERSION);
  report_json_str(f, name);
  fprintf(f, ",\"campaigns\":[");
  for (size_t i = 0; i < n; i++) {
    const fz_campaign* c = &cs[i];
    fprintf(f, "%s\n{\"scenario\":", i ? "," : "");
    report_json_str(f, c->sc->name);
    fprintf(f, ",\"variant\":");
    report_json_str(f, c->sc->variant);
    fprintf(f, ",\"description\":");
    report_json_str(f, c->sc->description);
    fprintf(f, ",\"invariant\":");
    report_json_str(f, c->sc->invariant);
    fprintf(f, ",\"expect\":\"%s\",\"as_expected\":%s",
            c->sc->expect == UVSIM_EXPECT_BUG ? "bug" : "clean",
            fz_campaign_as_expected(c) ? "true" : "false");
    fprintf(f, ",\"strategy\":\"%s\",\"seed\":%" PRIu64 ",\"runs\":%" PRIu64
            ",\"failing_runs\":%" PRIu64 ",\"distinct_traces\":%" PRIu64
            ",\"elapsed_s\":%.6f,\"runs_per_s\":%.1f,\"worker_crashes\":%" PRIu64,
            sim_strategy_name(c->strategy), c->seed, c->runs, c->failing_runs, c->distinct,
            c->elapsed_s, c->elapsed_s > 0 ? (double)c->runs / c->elapsed_s : 0.0,
            c->worker_crashes);
    if (c->first_bug_run) fprintf(f, ",\"time_to_first_bug_runs\":%" PRIu64, c->first_bug_run);
    else fprintf(f, ",\"time_to_first_bug_runs\":null");
    if (c->strategy == SIM_STRAT_DFS)
      fprintf(f, ",\"dfs_exhausted\":%s", c->dfs_exhausted ? "true" : "false");
    if (c->shard_count)
      fprintf(f, ",\"shard\":{\"index\":%u,\"count\":%u,\"runs_budget\":%" PRIu64
              ",\"config\":\"%016" PRIx64 "\"}",
              c->shard_index + 1, c->shard_count, c->runs_budget, c->config);
    fprintf(f, ",\"bugs\":[");
    for (size_t b = 0; b < c->nbugs; b++) {
      if (b) fputc(',', f);
      json_bug(f, c, &c->bugs[b]);
    }
    fprintf(f, "]}");
  }
  fprintf(f, "\n],\"bench\":%s}\n", bench ? bench : "null");
}

/* ----------------------------------------------------------------- HTML */

static const char* css =
  "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}"
  "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}"
  "h3{font-size:15px;margin:18px 0 6px}"
  "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #c8ceda;padding:4px 8px;"
  "text-align:left}th{background:#eef1f7}td.num{text-align:right}"
  ".bad{color:#b3261e;font-weight:600}.ok{color:#1b7a3d;font-weight:600}"
  "pre{background:#f5f6f9;border:1px solid #dde2ea;padding:8px;overflow-x:auto;font-size:12px}"
  "code{background:#f0f2f6;padding:1px 4px}.bug{border-left:4px solid #b3261e;padding-left:12px;"
  "margin:16px 0}.muted{color:#5b6476}svg{border:1px solid #dde2ea;background:#fcfcfe}";

static void html_summary(FILE* f, const fz_campaign* cs, size_t n) {
  fprintf(f, "<table><tr><th>scenario</th><th>variant</th><th>strategy</th><th>runs</th>"
          "<th>bugs</th><th>time to first bug (runs)</th><th>distinct traces</th>"
          "<th>runs/s</th><th>expected</th></tr>\n");
  for (size_t i = 0; i < n; i++) {
    const fz_campaign* c = &cs[i];
    fprintf(f, "<tr><td>");
    report_html_text(f, c->sc->name);
    fprintf(f, "</td><td>");
    report_html_text(f, c->sc->variant);
    fprintf(f, "</td><td>%s</td><td class=num>%" PRIu64 "</td><td class=\"num %s\">%zu</td>",
            sim_strategy_name(c->strategy), c->runs, c->nbugs ? "bad" : "", c->nbugs);
    if (c->first_bug_run) fprintf(f, "<td class=num>%" PRIu64 "</td>", c->first_bug_run);
    else fprintf(f, "<td class=num>&ndash;</td>");
    fprintf(f, "<td class=num>%" PRIu64 "</td><td class=num>%.0f</td><td class=%s>%s %s</td></tr>\n",
            c->distinct, c->elapsed_s > 0 ? (double)c->runs / c->elapsed_s : 0.0,
            fz_campaign_as_expected(c) ? "ok" : "bad",
            c->sc->expect == UVSIM_EXPECT_BUG ? "bug" : "clean",
            fz_campaign_as_expected(c) ? "&#10003;" : "&#10007;");
  }
  fprintf(f, "</table>\n");
}

/* Lane of a record: the first word of its label. */
static void lane_key(const char* label, char* out, size_t outlen) {
  size_t i = 0;
  while (label[i] && label[i] != ' ' && i + 1 < outlen) {
    out[i] = label[i];
    i++;
  }
  out[i] = 0;
  if (!i) snprintf(out, outlen, "-");
}

#define LANES_MAX 24

static int is_decisive(const fz_analysis* a, size_t decision_index) {
  for (size_t i = 0; i < a->ndecisive; i++)
    if (a->decisive[i].index == decision_index) return 1;
  return 0;
}

static void html_timeline(FILE* f, const fz_analysis* a) {
  const fz_trace* t = &a->trace;
  size_t shown = t->len < TIMELINE_MAX ? t->len : TIMELINE_MAX;
  char lanes[LANES_MAX][48];
  size_t nl = 0;
  int* lane_of = calloc(shown ? shown : 1, sizeof *lane_of);
  if (!lane_of) abort();
  for (size_t i = 0; i < shown; i++) {
    char key[48];
    if (t->recs[i].type == SIM_TR_NOTE) snprintf(key, sizeof key, "notes");
    else lane_key(t->recs[i].label, key, sizeof key);
    size_t l = 0;
    while (l < nl && strcmp(lanes[l], key) != 0) l++;
    if (l == nl) {
      if (nl < LANES_MAX) snprintf(lanes[nl++], sizeof lanes[0], "%s", key);
      else l = LANES_MAX - 1;
    }
    lane_of[i] = (int)l;
  }
  const int left = 130, step = 26, lane_h = 28, top = 34;
  int width = left + (int)shown * step + 40;
  int height = top + (int)nl * lane_h + 20;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\" role=\"img\"><title>timeline</title>\n",
          width, height, width, height);
  for (size_t l = 0; l < nl; l++) {
    int y = top + (int)l * lane_h + lane_h / 2;
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e1e5ee\"/>"
            "<text x=\"6\" y=\"%d\" font-size=\"12\" fill=\"#39404f\">", left - 10, y,
            width - 10, y, y + 4);
    report_html_text(f, lanes[l]);
    fprintf(f, "</text>\n");
  }
  uint64_t last_t = UINT64_MAX;
  int last_label_x = -1000;
  size_t dec = 0;
  for (size_t i = 0; i < shown; i++) {
    const sim_trace_rec* r = &t->recs[i];
    int x = left + (int)i * step;
    int y = top + lane_of[i] * lane_h + lane_h / 2;
    if (r->time_ns != last_t) {
      fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c9cfdb\" "
              "stroke-dasharray=\"2,3\"/>", x - step / 2, 18, x - step / 2, height - 6);
      /* a label only where it does not overlap the previous one */
      if (x - last_label_x >= 52) {
        fprintf(f, "<text x=\"%d\" y=\"14\" font-size=\"10\" fill=\"#5b6476\">%.3gms"
                "</text>", x - step / 2 + 2, (double)r->time_ns / 1e6);
        last_label_x = x;
      }
      fprintf(f, "\n");
      last_t = r->time_ns;
    }
    fprintf(f, "<g><title>t=%.3f ms %s ", (double)r->time_ns / 1e6, rec_type(r->type));
    if (r->type == SIM_TR_DECISION)
      fprintf(f, "%s %u/%u ", sim_kind_name((sim_kind)r->kind), r->choice, r->n);
    report_html_text(f, r->label);
    fprintf(f, "</title>");
    if (r->type == SIM_TR_DECISION) {
      int decisive = is_decisive(a, dec);
      const char* col = decisive ? "#c62828" : r->choice ? "#e09b2d" : "#9aa3b5";
      fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
              "stroke-width=\"%d\"/><path d=\"M%d %d l5 6 l-5 6 l-5 -6 z\" fill=\"%s\"/>",
              x, top - 4, x, height - 8, col, decisive ? 2 : 1, x, y - 6, col);
      if (r->choice) fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"9\" fill=\"%s\">%u</text>",
                             x + 5, y - 6, col, r->choice);
      dec++;
    } else if (r->type == SIM_TR_CALLBACK) {
      fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"6\" fill=\"#2f6fd6\"/>", x, y);
    } else {
      fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#7b4fd0\"/>",
              x - 5, y - 5);
    }
    fprintf(f, "</g>\n");
  }
  fprintf(f, "</svg>\n");
  if (t->len > shown)
    fprintf(f, "<p class=muted>first %zu of %zu records shown</p>\n", shown, t->len);
  fprintf(f, "<p class=muted>circles: callbacks; diamonds and vertical marks: decisions "
          "(grey 0, amber non-zero, red decisive); squares: notes. Hover for details.</p>\n");
  free(lane_of);
}

static void html_bug(FILE* f, const fz_campaign* c, const fz_bug* b) {
  fprintf(f, "<div class=bug><h3>");
  report_html_text(f, b->signature);
  fprintf(f, "</h3><p>");
  report_html_text(f, b->outcome.message);
  fprintf(f, "<br><span class=muted>scenario %s/%s &middot; first at run %" PRIu64
          " &middot; %" PRIu64 " failing runs &middot; invariant: ",
          c->sc->name, c->sc->variant, b->first_run + 1, b->hits);
  report_html_text(f, c->sc->invariant);
  fprintf(f, "</span></p>\n<p>replay: <code>uvsim replay ");
  report_html_text(f, b->path[0] ? b->path : "FILE.uvsim");
  fprintf(f, "</code></p>\n");
  if (!b->analysed) {
    fprintf(f, "<p class=muted>not minimised</p></div>\n");
    return;
  }
  const fz_analysis* a = &b->an;
  fprintf(f, "<p>minimised from %zu decisions (%zu non-zero) to %zu (%zu non-zero) "
          "in %u runs.</p>\n", b->repro.ndecisions, nonzero(&b->repro), a->min.ndecisions,
          nonzero(&a->min), a->attempts);
  if (a->ndecisive) {
    fprintf(f, "<table><tr><th>#</th><th>decision</th><th>label</th><th>then</th>"
            "<th>instead of (set to 0)</th></tr>\n");
    for (size_t i = 0; i < a->ndecisive; i++) {
      const fz_decisive* d = &a->decisive[i];
      fprintf(f, "<tr><td class=num>%zu</td><td>%s %u/%u</td><td>", d->index,
              sim_kind_name((sim_kind)d->kind), d->choice, d->n);
      report_html_text(f, d->label);
      fprintf(f, "</td><td>");
      report_html_text(f, d->failing);
      fprintf(f, "</td><td>");
      report_html_text(f, d->natural);
      fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table>\n");
  } else {
    fprintf(f, "<p>No decisive decision: the bug happens in the natural order.</p>\n");
  }
  char* text = repro_text(&a->min);
  fprintf(f, "<pre>");
  report_html_text(f, text);
  fprintf(f, "</pre>\n");
  free(text);
  html_timeline(f, a);
  fprintf(f, "</div>\n");
}

static void html_report(FILE* f, const char* name, const fz_campaign* cs, size_t n,
                        const char* bench_html, const char* hard_html) {
  size_t bugs = 0;
  for (size_t i = 0; i < n; i++) bugs += cs[i].nbugs;
  fprintf(f, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
          "<meta name=viewport content=\"width=device-width\"><title>uvsim report: ");
  report_html_text(f, name);
  fprintf(f, "</title><style>%s</style></head><body>\n<h1>uvsim report: ", css);
  report_html_text(f, name);
  fprintf(f, "</h1><p class=muted>uvsim %s &middot; %zu campaign%s &middot; %zu bug%s</p>\n",
          SIM_VERSION, n, n == 1 ? "" : "s", bugs, bugs == 1 ? "" : "s");
  fprintf(f, "<h2>Summary</h2>\n");
  html_summary(f, cs, n);
  for (size_t i = 0; i < n; i++) {
    const fz_campaign* c = &cs[i];
    if (!c->nbugs) continue;
    fprintf(f, "<h2>%s/%s</h2>\n<p>", c->sc->name, c->sc->variant);
    report_html_text(f, c->sc->description);
    fprintf(f, "</p>\n");
    for (size_t b = 0; b < c->nbugs; b++) html_bug(f, c, &c->bugs[b]);
  }
  if (bench_html || hard_html) {
    fprintf(f, "<h2>Benchmarks</h2>\n%s\n%s\n", bench_html ? bench_html : "",
            hard_html ? hard_html : "");
  }
  fprintf(f, "</body></html>\n");
}

static int write_mem(const char* path, void (*fill)(FILE*, void*), void* arg, char* err,
                     size_t errlen) {
  char* buf = NULL;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  if (!f) {
    snprintf(err, errlen, "open_memstream: %s", strerror(errno));
    return -1;
  }
  fill(f, arg);
  fclose(f);
  int rc = sim_write_atomic(path, buf, len, err, errlen);
  free(buf);
  return rc ? -1 : 0;
}

typedef struct rargs {
  const char* name;
  const fz_campaign* cs;
  size_t n;
  const char* bench_json;
  const char* bench_html;
  const char* hard_html;
} rargs;

static void fill_json(FILE* f, void* p) {
  rargs* r = p;
  json_report(f, r->name, r->cs, r->n, r->bench_json);
}

static void fill_html(FILE* f, void* p) {
  rargs* r = p;
  html_report(f, r->name, r->cs, r->n, r->bench_html, r->hard_html);
}

/* The `traces` file next to a shard's report.json (docs/report-schema.md):
 * each campaign's distinct trace hashes, for `uvsim merge` to union. */
static void fill_traces(FILE* f, void* p) {
  rargs* r = p;
  fprintf(f, "uvsim-traces 1\n");
  for (size_t i = 0; i < r->n; i++) {
    const fz_campaign* c = &r->cs[i];
    uint64_t n = c->traces ? c->distinct : 0;
    fprintf(f, "campaign %s/%s %" PRIu64 "\n", c->sc->name, c->sc->variant, n);
    for (uint64_t k = 0; k < n; k++) fprintf(f, "%016" PRIx64 "\n", c->traces[k]);
  }
  fprintf(f, "end\n");
}

int report_write(const char* out_dir, const char* name, const fz_campaign* cs,
                     size_t n, char* path, size_t pathlen, char* err, size_t errlen) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/%s", out_dir, name);
  if (sim_mkdir_p(dir, 0777) != 0) {
    snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  char bj[600], bh[600], hh[600];
  snprintf(bj, sizeof bj, "%s/bench-fuzz.json", out_dir);
  snprintf(bh, sizeof bh, "%s/bench-fuzz.html", out_dir);
  snprintf(hh, sizeof hh, "%s/bench-hard.html", out_dir);   /* bench/hard/report.sh */
  rargs r = { name, cs, n, slurp(bj), slurp(bh), slurp(hh) };
  /* A bench file that is not one JSON value must not corrupt the report. */
  if (r.bench_json && r.bench_json[0] != '{') {
    free((char*)r.bench_json);
    r.bench_json = NULL;
  }
  char p[600];
  snprintf(p, sizeof p, "%s/report.json", dir);
  int rc = write_mem(p, fill_json, &r, err, errlen);
  snprintf(p, sizeof p, "%s/report.html", dir);
  if (rc == 0) rc = write_mem(p, fill_html, &r, err, errlen);
  int sharded = 0;
  for (size_t i = 0; i < n; i++) sharded |= cs[i].shard_count != 0;
  if (rc == 0 && sharded) {
    char t[600];
    snprintf(t, sizeof t, "%s/traces", dir);
    rc = write_mem(t, fill_traces, &r, err, errlen);
  }
  if (rc == 0 && path) snprintf(path, pathlen, "%s", p);
  free((char*)r.bench_json);
  free((char*)r.bench_html);
  free((char*)r.hard_html);
  return rc;
}
