/* fuzz/campaign.c — a campaign: many schedules of one scenario under one
 * strategy, bugs grouped by signature.
 *
 * Shape: a supervisor and J forked workers over disjoint run indices
 * (worker j runs i = j, j+J, ...; run i's seed is fz_run_seed(seed, i), so
 * a campaign's result does not depend on J). A worker runs its schedules in
 * process (a reset, no fork: the fast path) and reports each new signature
 * with its decision log through a pipe. When a schedule crashes the worker,
 * its crash handler leaves the decisions in shared memory; the supervisor
 * re-runs that schedule alone in a fork (stderr captured) to classify it,
 * and starts a new worker at the next index. Run 0 is always the natural
 * schedule (every decision 0), so a bug that needs no reordering at all is
 * reported as such. Without isolation (--no-fork) the worker body runs in
 * the supervisor itself. A shard (--shard I/N) is the same over the run
 * indices i with i % N == I-1: worker j of J takes i = I-1 + N*j, stepping
 * N*J, so the shards of one campaign run exactly its schedules.
 */
#include "fuzz/runner.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim_util.h"

uint64_t fz_run_seed(uint64_t seed, uint64_t i) {
  uint64_t x = seed ^ (i * 0x9e3779b97f4a7c15ull);
  return sim_splitmix64(&x);
}

double fz_wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------- a hash set */

typedef struct hset {
  uint64_t* slot;
  size_t cap, len;
} hset;

static void hset_add(hset* h, uint64_t v) {
  if (v == 0) v = 1;   /* 0 marks an empty slot */
  if (h->len * 2 >= h->cap) {
    size_t ncap = h->cap ? h->cap * 2 : 1024;
    uint64_t* ns = calloc(ncap, sizeof *ns);
    if (!ns) abort();
    for (size_t i = 0; i < h->cap; i++) {
      if (!h->slot[i]) continue;
      size_t j = h->slot[i] & (ncap - 1);
      while (ns[j]) j = (j + 1) & (ncap - 1);
      ns[j] = h->slot[i];
    }
    free(h->slot);
    h->slot = ns;
    h->cap = ncap;
  }
  size_t j = v & (h->cap - 1);
  while (h->slot[j]) {
    if (h->slot[j] == v) return;
    j = (j + 1) & (h->cap - 1);
  }
  h->slot[j] = v;
  h->len++;
}

static void hset_free(hset* h) {
  free(h->slot);
  memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------- messages */

enum { MSG_BUG = 1, MSG_HASHES, MSG_COUNT, MSG_DONE };

typedef struct msg_hdr {
  uint32_t type, len;
} msg_hdr;

typedef struct bug_wire {
  uint64_t run;
  fz_outcome out;
} bug_wire;

typedef struct count_wire {
  uint64_t sig_hash, hits;
} count_wire;

typedef struct done_wire {
  int dfs_exhausted;
  uint64_t dfs_schedules;
} done_wire;

/* Per-worker counters the supervisor reads for progress and crashes. */
typedef struct worker_stats {
  volatile uint64_t runs_done;
  volatile uint64_t cur_run;
  volatile uint64_t distinct;
  volatile uint64_t failing;
  /* New trace hashes not yet sent: kept here so that a crash loses none. */
  volatile uint32_t npending;
  uint64_t pending[256];
} worker_stats;

typedef void (*emit_fn)(void* ctx, uint32_t type, const void* a, size_t alen,
                        const void* b, size_t blen);

typedef struct worker {
  const fz_campaign_opts* o;
  uint64_t first, stride, end;
  double deadline;
  worker_stats* stats;
  emit_fn emit;
  void* ectx;
  int watchdog;      /* forked worker: SIGALRM ends a run that never returns */
  fz_shm* crash_shm; /* forked worker: where its crash handler writes */
} worker;

/* A run is microseconds; one that has not returned after this long is in a
 * real infinite loop. The alarm is re-armed every 256 runs, so it fires only
 * when a single run (or 256 of them) takes longer. */
#define FZ_WORKER_WALL_S 60u

static void emit_pipe(void* ctx, uint32_t type, const void* a, size_t alen,
                      const void* b, size_t blen) {
  int fd = *(int*)ctx;
  msg_hdr h = { type, (uint32_t)(alen + blen) };
  const void* parts[3] = { &h, a, b };
  size_t lens[3] = { sizeof h, alen, blen };
  for (int i = 0; i < 3; i++) {
    const char* p = parts[i];
    size_t left = lens[i];
    while (left) {
      ssize_t w = write(fd, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) _exit(3);   /* supervisor gone */
      p += w;
      left -= (size_t)w;
    }
  }
}

#define LOCAL_SIGS_MAX 256

static void emit_bug(worker* w, uint64_t run, const fz_outcome* out,
                     const sim_decision* log, size_t len, uint64_t seed) {
  sim_repro r;
  sim_repro_init(&r);
  snprintf(r.scenario, sizeof r.scenario, "%s/%s", w->o->sc->name, w->o->sc->variant);
  snprintf(r.strategy, sizeof r.strategy, "%s", sim_strategy_name(w->o->strategy));
  r.seed = seed;
  r.has_hash = 1;
  r.hash = out->hash;
  fz_signature(out, r.signature, sizeof r.signature);
  r.decisions = (sim_decision*)log;   /* borrowed for printing only */
  r.ndecisions = len;
  r.aggressive = (w->o->sc->flags & UVSIM_SCN_AGGRESSIVE) != 0;
  r.nfaults = fz_get_faults(r.faults, SIM_REPRO_FAULTS_MAX);
  fz_get_maps(&r);
  char* text = NULL;
  size_t tlen = 0;
  FILE* f = open_memstream(&text, &tlen);
  if (!f) abort();
  sim_repro_fprint(&r, f);
  fclose(f);
  bug_wire bw = { run, *out };
  w->emit(w->ectx, MSG_BUG, &bw, sizeof bw, text, tlen);
  free(text);
}

/* pct's k is the natural run's length (sim/sim_strategy.c); a worker whose
 * share does not start with run 0 learns it from a natural run of its own,
 * in a fork so that a natural run that crashes costs nothing here. */
static void probe_natural(worker* w, sim_strategy* st, sim_repro* flog) {
  if (w->o->strategy != SIM_STRAT_PCT || w->o->params.pct_k || w->first == 0) return;
  sim_config cfg;
  sim_strategy_begin(st, fz_run_seed(w->o->seed, 0), 1, &cfg);
  fz_outcome out;
  if (fz_exec(w->o->sc, &cfg, FZ_EXEC_FORK, &out, flog, NULL) == 0)
    sim_strategy_end(st, flog->decisions, flog->ndecisions);
  /* The probe's child reported through the same shared record this
   * worker's crash handler writes to: forget it, or a later crash would be
   * read as the probe's natural run. */
  if (w->crash_shm) fz_shm_clear(w->crash_shm);
}

/* The worker body: runs its share of the schedules. */
static void worker_main(worker* w) {
  const fz_campaign_opts* o = w->o;
  const uvsim_scenario* sc = o->sc;
  fz_scenario_prepare(sc);
  sim_strategy st;
  sim_strategy_init(&st, o->strategy, &o->params);
  hset traces = {0};
  count_wire sigs[LOCAL_SIGS_MAX];
  size_t nsigs = 0;
  int exhausted = 0;
  sim_repro flog;
  sim_repro_init(&flog);
  probe_natural(w, &st, &flog);
  uint64_t k = 0;
  for (uint64_t i = w->first; i < w->end; i += w->stride, k++) {
    if (w->deadline > 0 && (k & 15) == 0 && fz_wall_s() >= w->deadline) break;
    if (w->watchdog && (k & 255) == 0) alarm(FZ_WORKER_WALL_S);
    w->stats->cur_run = i;
    uint64_t seed = fz_run_seed(o->seed, i);
    sim_config cfg;
    if (sim_strategy_begin(&st, seed, i == 0, &cfg)) {
      exhausted = 1;
      break;
    }
    if (sc->flags & UVSIM_SCN_AGGRESSIVE) cfg.aggressive = 1;
    fz_outcome out;
    const sim_decision* log;
    size_t len;
    if (sc->flags & UVSIM_SCN_FORK_EACH) {
      fz_exec(sc, &cfg, FZ_EXEC_FORK, &out, &flog, NULL);
      log = flog.decisions;
      len = flog.ndecisions;
    } else {
      sim* s = fz_world_begin(&cfg);
      sc->run();
      fz_outcome_from_sim(&out, s);
      log = s->log;
      len = s->log_len;
    }
    sim_strategy_end(&st, log, len);
    size_t before = traces.len;
    hset_add(&traces, out.hash);
    if (traces.len != before) {
      worker_stats* ws = w->stats;
      ws->pending[ws->npending] = out.hash;
      ws->npending = ws->npending + 1;
      if (ws->npending == 256) {
        w->emit(w->ectx, MSG_HASHES, ws->pending, sizeof ws->pending, NULL, 0);
        ws->npending = 0;
      }
    }
    w->stats->distinct = traces.len;
    if (out.oracle != SIM_BUG_NONE) {
      w->stats->failing++;
      char sig[256];
      fz_signature(&out, sig, sizeof sig);
      uint64_t h = fz_sig_hash(sig);
      size_t j = 0;
      while (j < nsigs && sigs[j].sig_hash != h) j++;
      if (j < nsigs) {
        sigs[j].hits++;
      } else if (nsigs < LOCAL_SIGS_MAX) {
        sigs[nsigs++] = (count_wire){ h, 1 };
        emit_bug(w, i, &out, log, len, seed);
      }
    }
    if (!(sc->flags & UVSIM_SCN_FORK_EACH)) fz_world_end();
    w->stats->runs_done++;
    if (o->stop_on_bug && out.oracle != SIM_BUG_NONE) break;
  }
  sim_repro_free(&flog);
  if (w->stats->npending)
    w->emit(w->ectx, MSG_HASHES, w->stats->pending,
            w->stats->npending * sizeof w->stats->pending[0], NULL, 0);
  w->stats->npending = 0;
  if (nsigs) w->emit(w->ectx, MSG_COUNT, sigs, nsigs * sizeof sigs[0], NULL, 0);
  done_wire d = { exhausted, st.dfs_schedules };
  w->emit(w->ectx, MSG_DONE, &d, sizeof d, NULL, 0);
  hset_free(&traces);
  sim_strategy_free(&st);
}

/* ---------------------------------------------------------- supervisor */

typedef struct sup {
  fz_campaign* c;
  const fz_campaign_opts* o;
  hset traces;
  int dfs_exhausted;
} sup;

static fz_bug* find_bug(fz_campaign* c, uint64_t h) {
  for (size_t i = 0; i < c->nbugs; i++)
    if (c->bugs[i].sig_hash == h) return &c->bugs[i];
  return NULL;
}

static fz_bug* add_bug(sup* S, uint64_t run, const fz_outcome* out,
                        sim_repro* repro_owned) {
  fz_campaign* c = S->c;
  char sig[256];
  fz_signature(out, sig, sizeof sig);
  uint64_t h = fz_sig_hash(sig);
  fz_bug* b = find_bug(c, h);
  if (b) {
    /* Keep the earliest run's schedule, whichever worker reported first,
     * so that the result does not depend on --jobs. */
    if (run < b->first_run) {
      b->first_run = run;
      b->outcome = *out;
      sim_repro_free(&b->repro);
      b->repro = *repro_owned;
    } else {
      sim_repro_free(repro_owned);
    }
    return b;
  }
  if (c->nbugs == c->bugs_cap) {
    c->bugs_cap = c->bugs_cap ? c->bugs_cap * 2 : 8;
    c->bugs = realloc(c->bugs, c->bugs_cap * sizeof *c->bugs);
    if (!c->bugs) abort();
  }
  b = &c->bugs[c->nbugs++];
  memset(b, 0, sizeof *b);
  snprintf(b->signature, sizeof b->signature, "%s", sig);
  b->sig_hash = h;
  b->outcome = *out;
  b->first_run = run;
  b->hits = 0;
  b->repro = *repro_owned;
  fz_analysis_init(&b->an);
  return b;
}

static void on_msg(void* ctx, uint32_t type, const void* a, size_t alen,
                   const void* bb, size_t blen) {
  sup* S = ctx;
  /* In process the payload comes in two parts; from a pipe in one. */
  char* joined = NULL;
  const char* p = a;
  size_t len = alen;
  if (bb && blen) {
    joined = malloc(alen + blen + 1);
    if (!joined) abort();
    memcpy(joined, a, alen);
    memcpy(joined + alen, bb, blen);
    joined[alen + blen] = 0;
    p = joined;
    len = alen + blen;
  }
  switch (type) {
  case MSG_BUG: {
    bug_wire bw;
    assert(len >= sizeof bw);
    memcpy(&bw, p, sizeof bw);
    size_t tlen = len - sizeof bw;
    char* text = malloc(tlen + 1);
    if (!text) abort();
    memcpy(text, p + sizeof bw, tlen);
    text[tlen] = 0;
    sim_repro r;
    sim_repro_init(&r);
    char err[256];
    if (sim_repro_parse(&r, "<worker>", text, err, sizeof err) != 0) {
      fprintf(stderr, "uvsim: internal error: worker reproducer: %s\n", err);
      abort();
    }
    free(text);
    add_bug(S, bw.run, &bw.out, &r);
    break;
  }
  case MSG_HASHES:
    for (size_t i = 0; i + sizeof(uint64_t) <= len; i += sizeof(uint64_t)) {
      uint64_t v;
      memcpy(&v, p + i, sizeof v);
      hset_add(&S->traces, v);
    }
    break;
  case MSG_COUNT:
    for (size_t i = 0; i + sizeof(count_wire) <= len; i += sizeof(count_wire)) {
      count_wire cw;
      memcpy(&cw, p + i, sizeof cw);
      fz_bug* b = find_bug(S->c, cw.sig_hash);
      if (b) b->hits += cw.hits;
    }
    break;
  case MSG_DONE: {
    done_wire d;
    memcpy(&d, p, sizeof d);
    if (d.dfs_exhausted) S->dfs_exhausted = 1;
    break;
  }
  }
  free(joined);
}

static int read_full(int fd, void* buf, size_t len) {
  char* p = buf;
  while (len) {
    ssize_t r = read(fd, p, len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    len -= (size_t)r;
  }
  return 0;
}

#define SLOT_ERR_KEEP 8192u

typedef struct slot {
  pid_t pid;
  int fd;
  int errfd;         /* the worker's stderr: names a crash without a re-run */
  size_t errlen;
  char err[SLOT_ERR_KEEP];
  int done;          /* MSG_DONE received                       */
  int finished;      /* no more work for this index             */
  fz_shm* crash_shm;
} slot;

/* Keeps the tail of what a worker wrote on stderr. */
static void slot_err_read(slot* sl) {
  char buf[4096];
  for (;;) {
    ssize_t r = read(sl->errfd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    size_t n = (size_t)r;
    _Static_assert(sizeof buf < SLOT_ERR_KEEP, "one read fits in the tail buffer");
    if (sl->errlen + n >= SLOT_ERR_KEEP) {
      size_t drop = sl->errlen + n - (SLOT_ERR_KEEP - 1);
      memmove(sl->err, sl->err + drop, sl->errlen - drop);
      sl->errlen -= drop;
    }
    memcpy(sl->err + sl->errlen, buf, n);
    sl->errlen += n;
    sl->err[sl->errlen] = 0;
  }
}

static int spawn(sup* S, slot* sl, worker* w) {
  int p[2], e[2];
  if (pipe(p) != 0) return -1;
  if (pipe(e) != 0) {
    close(p[0]);
    close(p[1]);
    return -1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    close(e[0]);
    close(e[1]);
    return -1;
  }
  if (pid == 0) {
    close(p[0]);
    close(e[0]);
    dup2(e[1], 2);
    close(e[1]);
    fz_shm_clear(sl->crash_shm);
    fz_crash_capture_install(sl->crash_shm, -1);
    w->emit = emit_pipe;
    w->ectx = &p[1];
    w->watchdog = 1;
    w->crash_shm = sl->crash_shm;
    worker_main(w);
    _exit(0);
  }
  (void)S;
  close(p[1]);
  close(e[1]);
  fcntl(e[0], F_SETFL, fcntl(e[0], F_GETFL) | O_NONBLOCK);
  sl->pid = pid;
  sl->fd = p[0];
  sl->errfd = e[0];
  sl->errlen = 0;
  sl->err[0] = 0;
  sl->done = 0;
  return 0;
}

/* A worker died inside schedule `run`: classify it by re-running it alone. */
static void on_worker_crash(sup* S, slot* sl, uint64_t run, int status) {
  const fz_campaign_opts* o = S->o;
  size_t max = 65536;
  uint32_t* choices = malloc(max * sizeof *choices);
  if (!choices) abort();
  size_t n = fz_shm_choices(sl->crash_shm, choices, max);
  sim_config cfg = { .source = SIM_SRC_LIST, .list = choices, .list_len = n };
  fz_outcome out;
  sim_repro r;
  sim_repro_init(&r);
  if (fz_exec(o->sc, &cfg, FZ_EXEC_FORK, &out, &r, NULL) != 0 ||
      out.oracle == SIM_BUG_NONE) {
    memset(&out, 0, sizeof out);
    out.oracle = SIM_BUG_CRASH;
    char how[64];
    if (WIFSIGNALED(status)) snprintf(how, sizeof how, "signal %d", WTERMSIG(status));
    else snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
    snprintf(out.message, sizeof out.message,
             "worker died (%s) in run %" PRIu64 " and the re-run did not reproduce it",
             how, run);
  }
  snprintf(r.scenario, sizeof r.scenario, "%s/%s", o->sc->name, o->sc->variant);
  snprintf(r.strategy, sizeof r.strategy, "%s", sim_strategy_name(o->strategy));
  r.nfaults = fz_get_faults(r.faults, SIM_REPRO_FAULTS_MAX);
  fz_get_maps(&r);
  r.seed = fz_run_seed(o->seed, run);
  r.has_hash = 1;
  r.hash = out.hash;
  fz_signature(&out, r.signature, sizeof r.signature);
  hset_add(&S->traces, out.hash);
  fz_bug* b = add_bug(S, run, &out, &r);
  b->hits++;
  S->c->failing_runs++;
  S->c->worker_crashes++;
  free(choices);
}

static void progress(sup* S, worker_stats* st, unsigned J, double t0, int final) {
  uint64_t runs = 0, distinct = 0;
  for (unsigned j = 0; j < J; j++) {
    runs += st[j].runs_done;
    distinct += st[j].distinct;
  }
  double dt = fz_wall_s() - t0;
  fprintf(stderr, "\r\033[K%s/%s %s: %" PRIu64 " runs, %.0f/s, ~%" PRIu64
          " traces, %zu bug%s%s",
          S->o->sc->name, S->o->sc->variant, sim_strategy_name(S->o->strategy),
          runs, dt > 0 ? (double)runs / dt : 0.0, distinct, S->c->nbugs,
          S->c->nbugs == 1 ? "" : "s", final ? "\n" : "");
}

static int o_stop(const sup* S) { return S->o->stop_on_bug && S->c->nbugs > 0; }

static void supervise(sup* S, worker* proto, unsigned J, worker_stats* stats,
                      double t0) {
  slot* slots = calloc(J, sizeof *slots);
  worker* ws = calloc(J, sizeof *ws);
  if (!slots || !ws) abort();
  for (unsigned j = 0; j < J; j++) {
    ws[j] = *proto;
    ws[j].first = proto->first + (uint64_t)j * proto->stride;
    ws[j].stride = proto->stride * J;
    ws[j].stats = &stats[j];
    slots[j].crash_shm = fz_shm_new();
    if (!slots[j].crash_shm || spawn(S, &slots[j], &ws[j]) != 0) {
      fprintf(stderr, "uvsim: cannot start worker %u: %s\n", j, strerror(errno));
      exit(1);
    }
  }
  int tty = S->o->progress;
  double last = fz_wall_s();
  for (;;) {
    struct pollfd pfd[128];
    unsigned map[128], np = 0, nwork;
    for (unsigned j = 0; j < J; j++)
      if (!slots[j].finished) {
        pfd[np] = (struct pollfd){ .fd = slots[j].fd, .events = POLLIN };
        map[np++] = j;
      }
    nwork = np;
    for (unsigned q = 0; q < nwork; q++) {
      pfd[np] = (struct pollfd){ .fd = slots[map[q]].errfd, .events = POLLIN };
      map[np++] = map[q];
    }
    if (nwork == 0) break;
    int r = poll(pfd, np, 200);
    if (r < 0 && errno != EINTR) break;
    for (unsigned q = nwork; q < np && r > 0; q++)
      if (pfd[q].revents & POLLIN) slot_err_read(&slots[map[q]]);
    for (unsigned q = 0; q < nwork && r > 0; q++) {
      if (!(pfd[q].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      slot* sl = &slots[map[q]];
      msg_hdr h;
      if (read_full(sl->fd, &h, sizeof h) == 0) {
        char* buf = malloc(h.len + 1);
        if (!buf) abort();
        if (read_full(sl->fd, buf, h.len) == 0) {
          if (h.type == MSG_DONE) sl->done = 1;
          on_msg(S, h.type, buf, h.len, NULL, 0);
          free(buf);
          continue;
        }
        free(buf);
      }
      /* EOF: the worker ended. */
      close(sl->fd);
      int status = 0;
      while (waitpid(sl->pid, &status, 0) < 0 && errno == EINTR) {}
      int fl = fcntl(sl->errfd, F_GETFL);
      fcntl(sl->errfd, F_SETFL, fl & ~O_NONBLOCK);
      slot_err_read(sl);   /* to EOF: the worker is gone */
      close(sl->errfd);
      if (sl->done && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        sl->finished = 1;
        continue;
      }
      worker* w = &ws[map[q]];
      uint64_t run = w->stats->cur_run;
      for (uint32_t k = 0; k < w->stats->npending && k < 256; k++)
        hset_add(&S->traces, w->stats->pending[k]);
      w->stats->npending = 0;
      /* A crash already known by its signature from an earlier run counts
       * as a hit; a new one, or a known one from an earlier run than the
       * one recorded (another worker got there first), is re-run alone to
       * classify it and keep the earliest run's schedule: the reproducer
       * must not depend on which worker crashed first. */
      fz_outcome quick;
      char qsig[256];
      fz_bug* known = NULL;
      if (fz_classify_dead(sl->crash_shm, status, sl->err, &quick) &&
          quick.oracle != SIM_BUG_NONE) {
        fz_signature(&quick, qsig, sizeof qsig);
        known = find_bug(S->c, fz_sig_hash(qsig));
      }
      if (known && run > known->first_run) {
        known->hits++;
        S->c->failing_runs++;
        S->c->worker_crashes++;
        hset_add(&S->traces, quick.hash);
      } else {
        on_worker_crash(S, sl, run, status);
      }
      w->stats->runs_done++;
      w->first = run + w->stride;
      if (w->first >= w->end || o_stop(S) || (w->deadline > 0 && fz_wall_s() >= w->deadline) ||
          spawn(S, sl, w) != 0)
        sl->finished = 1;
    }
    if (tty && fz_wall_s() - last >= 0.25) {
      progress(S, stats, J, t0, 0);
      last = fz_wall_s();
    }
  }
  if (tty) progress(S, stats, J, t0, 1);
  for (unsigned j = 0; j < J; j++) fz_shm_free(slots[j].crash_shm);
  free(slots);
  free(ws);
}

/* ------------------------------------------------------------ artifacts */

static void write_bug(const fz_campaign_opts* o, fz_bug* b, const sim_repro* r) {
  if (!o->corpus_dir) return;
  char dir[400];
  snprintf(dir, sizeof dir, "%s/%s", o->corpus_dir, o->sc->name);
  if (sim_mkdir_p(dir, 0777) != 0) {
    fprintf(stderr, "uvsim: cannot create %s: %s\n", dir, strerror(errno));
    return;
  }
  snprintf(b->path, sizeof b->path, "%s/%s-%012" PRIx64 ".uvsim", dir, o->sc->variant,
           (uint64_t)(b->sig_hash & 0xffffffffffffull));
  char err[256];
  if (sim_repro_write(r, b->path, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: %s\n", err);
    b->path[0] = 0;
  }
}

/* ------------------------------------------------------------- campaign */

static int by_value(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

/* The set's hashes, ascending (c->traces; NULL when it is empty). */
static uint64_t* hset_sorted(const hset* h) {
  if (!h->len) return NULL;
  uint64_t* v = malloc(h->len * sizeof *v);
  if (!v) abort();
  size_t n = 0;
  for (size_t i = 0; i < h->cap; i++)
    if (h->slot[i]) v[n++] = h->slot[i];
  qsort(v, n, sizeof *v, by_value);
  return v;
}

static int by_first_run(const void* a, const void* b) {
  const fz_bug* x = a;
  const fz_bug* y = b;
  if (x->first_run != y->first_run) return x->first_run < y->first_run ? -1 : 1;
  return strcmp(x->signature, y->signature);
}

int fz_campaign_run(const fz_campaign_opts* o, fz_campaign* c) {
  memset(c, 0, sizeof *c);
  c->sc = o->sc;
  c->strategy = o->strategy;
  c->seed = o->seed;
  if (o->shard_count &&
      (o->strategy == SIM_STRAT_DFS || o->time_s > 0 || o->runs == 0 ||
       o->shard_index >= o->shard_count)) {
    errno = EINVAL;
    return -1;
  }
  c->shard_index = o->shard_index;
  c->shard_count = o->shard_count;
  c->runs_budget = o->runs;
  c->config = fz_campaign_config(o);
  sup S = { .c = c, .o = o };
  double t0 = fz_wall_s();
  worker proto = {
    .o = o,
    .first = o->shard_count ? o->shard_index : 0,
    .stride = o->shard_count ? o->shard_count : 1,
    .end = o->runs ? o->runs : UINT64_MAX,
    .deadline = o->time_s > 0 ? t0 + o->time_s : 0,
  };
  if (o->runs == 0 && o->time_s <= 0) proto.end = 1000;
  unsigned J = o->jobs ? o->jobs : 1;
  if (o->strategy == SIM_STRAT_DFS) J = 1;   /* one tree, one walker */
  if (J > 64) J = 64;
  worker_stats* stats = mmap(NULL, J * sizeof *stats, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (stats == MAP_FAILED) return -1;
  memset(stats, 0, J * sizeof *stats);
  if (!o->isolate) {
    proto.stats = &stats[0];
    proto.emit = on_msg;
    proto.ectx = &S;
    worker_main(&proto);
    J = 1;
  } else {
    supervise(&S, &proto, J, stats, t0);
  }
  for (unsigned j = 0; j < J; j++) {
    c->runs += stats[j].runs_done;
    c->failing_runs += stats[j].failing;
  }
  munmap(stats, J * sizeof *stats);
  c->distinct = S.traces.len;
  c->traces = hset_sorted(&S.traces);
  c->dfs_exhausted = S.dfs_exhausted;
  hset_free(&S.traces);
  c->elapsed_s = fz_wall_s() - t0;
  /* Bugs arrive in the order workers happen to report them; list them in
   * the order of their first runs, so that reports do not depend on --jobs. */
  if (c->nbugs > 1) qsort(c->bugs, c->nbugs, sizeof *c->bugs, by_first_run);
  for (size_t i = 0; i < c->nbugs; i++) {
    fz_bug* b = &c->bugs[i];
    if (b->hits == 0) b->hits = 1;
    if (c->first_bug_run == 0 || b->first_run + 1 < c->first_bug_run)
      c->first_bug_run = b->first_run + 1;
    write_bug(o, b, &b->repro);
    if (!o->analyse) continue;
    char err[256];
    if (fz_analyse_isolated(o->sc, &b->repro, &b->an, err, sizeof err) == 0) {
      b->analysed = 1;
      write_bug(o, b, &b->an.min);
    } else {
      fprintf(stderr, "uvsim: %s/%s: cannot minimise \"%s\": %s\n", o->sc->name,
              o->sc->variant, b->signature, err);
    }
  }
  return 0;
}

void fz_campaign_free(fz_campaign* c) {
  for (size_t i = 0; i < c->nbugs; i++) {
    sim_repro_free(&c->bugs[i].repro);
    fz_analysis_free(&c->bugs[i].an);
  }
  free(c->bugs);
  free(c->traces);
  memset(c, 0, sizeof *c);
}

int fz_campaign_as_expected(const fz_campaign* c) {
  int found = c->nbugs > 0;
  return c->sc->expect == UVSIM_EXPECT_BUG ? found : !found;
}
