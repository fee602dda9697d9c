/* fuzz/minimize.c — from a failing schedule to an explained one.
 *
 * Minimisation works on the flat choice list (SIM_SRC_LIST: past its end
 * every decision is 0), keeping the bug's signature:
 *   1. drop trailing zeros (the shortest prefix is the last non-zero + 1);
 *   2. delta debugging (Zeller's ddmin) over the non-zero positions: set
 *      chunks back to 0, halving the chunk size when no chunk can go;
 *   3. one pass per position until nothing changes (1-minimal);
 *   4. lower each remaining choice to the smallest value that still fails.
 * A position's meaning can shift when an earlier choice changes the run's
 * shape; that is fine, each candidate is judged by running it.
 *
 * Explanation: each remaining non-zero decision is decisive when zeroing it
 * alone makes the signature disappear. For each, the callbacks delivered
 * right after it in the failing run are shown next to those of the run with
 * it set back to 0: the reordering it caused.
 */
#include "fuzz/fuzz.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

void fz_analysis_init(fz_analysis* a) {
  memset(a, 0, sizeof *a);
  sim_repro_init(&a->min);
}

void fz_analysis_free(fz_analysis* a) {
  sim_repro_free(&a->min);
  fz_trace_free(&a->trace);
  memset(a, 0, sizeof *a);
}

typedef struct mctx {
  const uvsim_scenario* sc;
  const char* sig;
  int aggressive;
  fz_exec_mode mode;
  uint32_t attempts;
} mctx;

/* Runs `c` and says whether it fails with the target signature. */
static int fails(mctx* m, const uint32_t* c, size_t len, fz_outcome* out,
                 sim_repro* log, fz_trace* trace) {
  fz_outcome tmp;
  if (!out) out = &tmp;
  sim_config cfg = { .source = SIM_SRC_LIST, .list = c, .list_len = len,
                     .aggressive = m->aggressive };
  m->attempts++;
  if (fz_exec(m->sc, &cfg, m->mode, out, log, trace) != 0) return 0;
  if (out->oracle == SIM_BUG_NONE) return 0;
  char sig[256];
  fz_signature(out, sig, sizeof sig);
  return strcmp(sig, m->sig) == 0;
}

static size_t trim(const uint32_t* c, size_t len) {
  while (len && c[len - 1] == 0) len--;
  return len;
}

static int budget_left(const mctx* m) { return m->attempts < FZ_MINIMIZE_ATTEMPTS_MAX; }

/* ddmin over the non-zero positions of c[0..len). */
static void ddmin(mctx* m, uint32_t* c, size_t len, uint32_t* scratch) {
  size_t* pos = malloc((len ? len : 1) * sizeof *pos);
  if (!pos) abort();
  size_t k = 2;
  for (;;) {
    size_t np = 0;
    for (size_t i = 0; i < len; i++)
      if (c[i]) pos[np++] = i;
    if (np <= 1 || !budget_left(m)) break;
    if (k > np) k = np;
    int progress = 0;
    for (size_t chunk = 0; chunk < k && budget_left(m); chunk++) {
      size_t lo = np * chunk / k, hi = np * (chunk + 1) / k;
      memcpy(scratch, c, len * sizeof *c);
      for (size_t q = lo; q < hi; q++) scratch[pos[q]] = 0;
      if (fails(m, scratch, len, NULL, NULL, NULL)) {
        memcpy(c, scratch, len * sizeof *c);
        progress = 1;
        break;
      }
    }
    if (progress) {
      if (k > 2) k--;
      continue;
    }
    if (k >= np) break;
    k = k * 2 < np ? k * 2 : np;
  }
  free(pos);
}

static void one_minimal(mctx* m, uint32_t* c, size_t len) {
  for (int changed = 1; changed && budget_left(m);) {
    changed = 0;
    for (size_t i = len; i-- > 0 && budget_left(m);) {
      if (!c[i]) continue;
      uint32_t keep = c[i];
      c[i] = 0;
      if (fails(m, c, len, NULL, NULL, NULL)) changed = 1;
      else c[i] = keep;
    }
  }
  for (size_t i = 0; i < len && budget_left(m); i++) {
    for (uint32_t v = 1; v < c[i] && budget_left(m); v++) {
      uint32_t keep = c[i];
      c[i] = v;
      if (fails(m, c, len, NULL, NULL, NULL)) break;
      c[i] = keep;
    }
  }
}

/* The callbacks and notes of a trace after its `nth` decision. */
typedef struct events {
  const sim_trace_rec** e;
  size_t n;
} events;

static events after_decision(const fz_trace* t, size_t nth) {
  events ev = { calloc(t->len ? t->len : 1, sizeof *ev.e), 0 };
  if (!ev.e) abort();
  size_t d = 0, i = 0;
  for (; i < t->len; i++)
    if (t->recs[i].type == SIM_TR_DECISION && d++ == nth) break;
  for (i++; i < t->len; i++)
    if (t->recs[i].type != SIM_TR_DECISION) ev.e[ev.n++] = &t->recs[i];
  return ev;
}

static int same_event(const sim_trace_rec* a, const sim_trace_rec* b) {
  return a->type == b->type && strcmp(a->label ? a->label : "", b->label ? b->label : "") == 0;
}

/* Up to 4 events from `from`, after one of context ("... X -> Y"). */
static void show_from(const events* ev, size_t from, char* out, size_t outlen) {
  size_t o = 0;
  out[0] = 0;
  size_t start = from > 0 ? from - 1 : 0;
  if (start > 0) o += (size_t)snprintf(out, outlen, "... ");
  int shown = 0;
  for (size_t i = start; i < ev->n && shown < 5 && o < outlen; i++, shown++) {
    const sim_trace_rec* r = ev->e[i];
    int w = snprintf(out + o, outlen - o, "%s%s%s", shown ? " -> " : "",
                     r->type == SIM_TR_NOTE ? "!" : "", r->label ? r->label : "?");
    if (w < 0 || (size_t)w >= outlen - o) break;
    o += (size_t)w;
  }
  if (from >= ev->n && o < outlen)
    snprintf(out + o, outlen - o, "%s(the run ends)", shown ? " -> " : "");
}

/* What decision `nth` changed: the callbacks of the failing run and of the
 * run with it set back to 0, from the first place where they differ (with
 * one callback of context), so that "then" and "instead of" never read the
 * same. When the order is the same throughout, the difference is timing:
 * the first callback that ran at another virtual time is named. */
static void explain_difference(const fz_trace* failing, const fz_trace* natural,
                               size_t nth, fz_decisive* d) {
  events f = after_decision(failing, nth), z = after_decision(natural, nth);
  size_t k = 0;
  while (k < f.n && k < z.n && same_event(f.e[k], z.e[k])) k++;
  if (k < f.n || k < z.n) {
    show_from(&f, k, d->failing, sizeof d->failing);
    show_from(&z, k, d->natural, sizeof d->natural);
  } else {
    size_t t = 0;
    while (t < f.n && f.e[t]->time_ns == z.e[t]->time_ns) t++;
    if (t < f.n) {
      snprintf(d->failing, sizeof d->failing, "same order; %s ran at %.3f ms",
               f.e[t]->label, (double)f.e[t]->time_ns / 1e6);
      snprintf(d->natural, sizeof d->natural, "%s at %.3f ms", z.e[t]->label,
               (double)z.e[t]->time_ns / 1e6);
    } else {
      snprintf(d->failing, sizeof d->failing, "the same callbacks at the same times");
      snprintf(d->natural, sizeof d->natural, "(the difference is in a value, not the order)");
    }
  }
  free(f.e);
  free(z.e);
}

static void explain(mctx* m, fz_analysis* a, uint32_t* c, size_t len) {
  a->ndecisive = 0;
  for (size_t i = 0; i < len && a->ndecisive < FZ_DECISIVE_MAX; i++) {
    if (!c[i]) continue;
    uint32_t keep = c[i];
    c[i] = 0;
    fz_trace zt = {0};
    int still = fails(m, c, len, NULL, NULL, &zt);
    c[i] = keep;
    if (!still && i < a->min.ndecisions) {
      fz_decisive* d = &a->decisive[a->ndecisive++];
      const sim_decision* dec = &a->min.decisions[i];
      d->index = i;
      d->kind = dec->kind;
      d->n = dec->n;
      d->choice = dec->choice;
      snprintf(d->label, sizeof d->label, "%s", dec->label);
      explain_difference(&a->trace, &zt, i, d);
    }
    fz_trace_free(&zt);
  }
}

int fz_analyse(const uvsim_scenario* sc, const sim_repro* in, fz_analysis* a,
                char* err, size_t errlen) {
  fz_set_faults((const char (*)[128])in->faults, in->nfaults);
  fz_analysis_free(a);
  fz_analysis_init(a);
  sim_oracle o = fz_signature_oracle(in->signature);
  mctx m = { .sc = sc, .sig = in->signature, .aggressive = in->aggressive,
             .mode = fz_mode_for(sc, o) };
  size_t len = in->ndecisions;
  uint32_t* c = sim_repro_choices(in);
  uint32_t* scratch = malloc((len ? len : 1) * sizeof *scratch);
  if (!scratch) abort();
  a->orig_len = len;
  for (size_t i = 0; i < len; i++) a->orig_nonzero += c[i] != 0;
  if (!fails(&m, c, len, NULL, NULL, NULL)) {
    snprintf(err, errlen, "the schedule does not fail with \"%s\"", in->signature);
    free(c);
    free(scratch);
    return -1;
  }
  len = trim(c, len);
  ddmin(&m, c, len, scratch);
  one_minimal(&m, c, len);
  len = trim(c, len);
  /* The final run: its log (with labels) is the reproducer. */
  sim_repro log;
  sim_repro_init(&log);
  if (!fails(&m, c, len, &a->outcome, &log, &a->trace)) {
    snprintf(err, errlen, "the minimised schedule stopped failing (nondeterminism?)");
    sim_repro_free(&log);
    free(c);
    free(scratch);
    return -1;
  }
  sim_repro_free(&a->min);
  a->min = log;
  snprintf(a->min.scenario, sizeof a->min.scenario, "%s", in->scenario);
  snprintf(a->min.strategy, sizeof a->min.strategy, "%s", in->strategy);
  snprintf(a->min.signature, sizeof a->min.signature, "%s", in->signature);
  a->min.seed = in->seed;
  a->min.has_hash = 1;
  a->min.hash = a->outcome.hash;
  a->min.aggressive = in->aggressive;
  a->min.nfaults = in->nfaults;
  memcpy(a->min.faults, in->faults, sizeof a->min.faults);
  a->min.nmaps = in->nmaps;
  memcpy(a->min.maps, in->maps, sizeof a->min.maps);
  /* Keep the prefix up to the last non-zero decision; the rest replay as 0. */
  size_t keep = 0;
  for (size_t i = 0; i < a->min.ndecisions; i++)
    if (a->min.decisions[i].choice) keep = i + 1;
  for (size_t i = keep; i < a->min.ndecisions; i++) free((char*)a->min.decisions[i].label);
  a->min.ndecisions = keep;
  explain(&m, a, c, len);
  a->attempts = m.attempts;
  free(c);
  free(scratch);
  return 0;
}

/* ------------------------------------------------------------ isolation */

/* The child writes: the analysis struct (pointers meaningless), then the
 * reproducer and the trace as text; the parent parses them back. */
int fz_analyse_isolated(const uvsim_scenario* sc, const sim_repro* in,
                         fz_analysis* a, char* err, size_t errlen) {
  int fd = memfd_create("uvsim-analysis", 0);
  if (fd < 0) {
    snprintf(err, errlen, "memfd_create: %s", strerror(errno));
    return -1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    snprintf(err, errlen, "fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    char cerr[256] = "";
    fz_analysis an;
    fz_analysis_init(&an);
    int rc = fz_analyse(sc, in, &an, cerr, sizeof cerr);
    FILE* f = fdopen(fd, "w");
    if (!f) _exit(3);
    fwrite(&rc, sizeof rc, 1, f);
    fwrite(cerr, sizeof cerr, 1, f);
    fwrite(&an, sizeof an, 1, f);
    if (rc == 0) {
      sim_repro_fprint(&an.min, f);
      fputs("\x1e", f);
      fz_trace_fprint(&an.trace, f);
    }
    fclose(f);
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  off_t end = lseek(fd, 0, SEEK_END);
  char* buf = end > 0 ? malloc((size_t)end + 1) : NULL;
  size_t got = 0;
  while (buf && got < (size_t)end) {
    ssize_t r = pread(fd, buf + got, (size_t)end - got, (off_t)got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  int rc = -1;
  size_t head = sizeof rc + 256 + sizeof(fz_analysis);
  if (!buf || got < head || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    snprintf(err, errlen, "the analysis child failed (status %d)", status);
    free(buf);
    return -1;
  }
  buf[got] = 0;
  memcpy(&rc, buf, sizeof rc);
  if (rc != 0) {
    snprintf(err, errlen, "%s", buf + sizeof rc);
    free(buf);
    return -1;
  }
  fz_analysis_free(a);
  memcpy(a, buf + sizeof rc + 256, sizeof *a);
  memset(&a->trace, 0, sizeof a->trace);
  a->min.decisions = NULL;
  a->min.ndecisions = 0;
  char* text = buf + head;
  char* sep = strchr(text, '\x1e');
  if (!sep) {
    snprintf(err, errlen, "the analysis child sent no reproducer");
    free(buf);
    return -1;
  }
  *sep = 0;
  sim_repro r;
  sim_repro_init(&r);
  if (sim_repro_parse(&r, "<minimised>", text, err, errlen) != 0) {
    free(buf);
    return -1;
  }
  a->min = r;
  fz_trace_parse(&a->trace, sep + 1);
  free(buf);
  return 0;
}

void fz_analysis_print(const fz_analysis* a, FILE* out) {
  fprintf(out, "  minimised: %zu -> %zu non-zero decisions, prefix %zu -> %zu (%u runs)\n",
          a->orig_nonzero, (size_t)a->outcome.nonzero, a->orig_len, a->min.ndecisions,
          a->attempts);
  if (a->ndecisive == 0) {
    fprintf(out, "  decisive decisions: none (the bug happens in the natural order)\n");
    return;
  }
  fprintf(out, "  decisive decisions (each, set back to 0 alone, makes the bug disappear):\n");
  for (size_t i = 0; i < a->ndecisive; i++) {
    const fz_decisive* d = &a->decisive[i];
    fprintf(out, "    #%zu %s %u/%u %s\n", d->index, sim_kind_name((sim_kind)d->kind),
            d->choice, d->n, d->label);
    fprintf(out, "        then:       %s\n", d->failing);
    fprintf(out, "        instead of: %s\n", d->natural);
  }
}
