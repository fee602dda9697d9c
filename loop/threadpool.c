/* loop/threadpool.c — the simulated thread pool.
 *
 * Model: N virtual workers (UV_THREADPOOL_SIZE, default 4, clamped 1..1024,
 * read once). Jobs start in FIFO order when a virtual worker is free. A
 * started job's virtual duration is a decision (SIM_POOL_DURATION, choice 0 =
 * instantaneous) plus whatever the work declared with uvsim_pool_cost_ns();
 * when it elapses the worker is free and the job joins its loop's done list.
 * The poll phase delivers done callbacks in an order chosen by the decision
 * stream (SIM_POOL_FINISH, choice 0 = first finished first), so 4 jobs
 * submitted together can complete in all 24 orders across seeds.
 *
 * Where work() runs: on a real worker thread, while the loop thread waits
 * for it (up to a grace period, UVSIM_POOL_GRACE_MS, default 200). A normal
 * work callback therefore runs to completion before the loop moves on, and
 * the run stays a pure function of the decisions. A work callback that
 * blocks on something only the loop thread will do later (a semaphore posted
 * by a timer callback, as libuv's threadpool_cancel tests do) outlives the
 * grace period; the loop then goes on without it and delivers it once it
 * really returns — that one program is as deterministic as its threads.
 * uvsim_pool_set_inline(1) runs work() on the loop thread instead: fastest,
 * fully deterministic, but a blocking work callback deadlocks. */
#include "loop/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sim_util.h"
#include "uvsim.h"

enum { JOB_IDLE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

#define POOL_SIZE_MAX 1024
#define POOL_SIZE_DEFAULT 4

typedef struct worker {
  uvs__work* job;              /* the job this virtual worker runs          */
  /* real thread (threaded mode only) */
  pthread_t thread;
  int thread_started;
  pthread_cond_t cv;
  uvs__work* real_job;         /* handed to the thread, NULL when idle      */
  int real_finished;
} worker;

static worker* workers;
static unsigned nworkers;
static uvs__queue pool_queue;  /* FIFO of queued jobs                       */
/* Bookkeeping the assertions check: jobs on pool_queue, and workers with a
 * job (running, or finished really but not virtually, or blocked). */
static size_t pool_nqueued, pool_nrunning;
static int pool_ready;
static int inline_mode = -1;   /* -1: read UVSIM_POOL_INLINE once           */
static uint64_t grace_ns;
static int nblocked;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static _Thread_local uvs__work* current_job;

static void pool_init(void) {
  if (pool_ready) return;
  /* As libuv: set but empty is 0, 0 is 1, above the maximum is the
   * maximum; unlike libuv, anything else that is not a number stops the
   * program (libuv's atoi reads "abc" as 0, "4x" as 4). */
  const char* env = getenv("UV_THREADPOOL_SIZE");
  uint64_t size = env && !*env ? 0
                : sim_env_u64("UV_THREADPOOL_SIZE", POOL_SIZE_DEFAULT, UINT64_MAX);
  unsigned n = size == 0 ? 1 : size > POOL_SIZE_MAX ? POOL_SIZE_MAX : (unsigned)size;
  nworkers = n;
  workers = calloc(n, sizeof *workers);
  if (workers == NULL) uvs__fatal("uv_queue_work", "out of memory");
  for (unsigned i = 0; i < n; i++) pthread_cond_init(&workers[i].cv, NULL);
  uvs__q_init(&pool_queue);
  if (inline_mode < 0) {
    const char* in = getenv("UVSIM_POOL_INLINE");
    inline_mode = in && *in && *in != '0';
  }
  grace_ns = sim_env_u64("UVSIM_POOL_GRACE_MS", 200, UINT64_MAX / 1000000) * 1000000ull;
  pool_ready = 1;
}

void uvsim_pool_set_inline(int on) { inline_mode = on ? 1 : 0; }

unsigned uvsim_pool_size(void) {
  pool_init();
  return nworkers;
}

int uvs__in_pool_work(void) { return current_job != NULL; }

void uvsim_pool_cost_ns(uint64_t ns) {
  if (current_job) current_job->extra_ns += ns;
}

/* ---- real worker threads */

static void* worker_main(void* arg) {
  worker* wk = arg;
  pthread_mutex_lock(&pool_mu);
  for (;;) {
    while (wk->real_job == NULL) pthread_cond_wait(&wk->cv, &pool_mu);
    uvs__work* w = wk->real_job;
    pthread_mutex_unlock(&pool_mu);
    current_job = w;
    w->work(w);
    current_job = NULL;
    pthread_mutex_lock(&pool_mu);
    wk->real_job = NULL;
    wk->real_finished = 1;
    pthread_cond_broadcast(&done_cv);
    pthread_mutex_unlock(&pool_mu);
    uvs__wake();
  }
  return NULL;
}

/* Runs w->work on worker wk's real thread and waits up to the grace period.
 * Returns 1 when it finished in time. */
static int run_threaded(worker* wk, uvs__work* w) {
  pthread_mutex_lock(&pool_mu);
  if (!wk->thread_started) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8u << 20);
    if (pthread_create(&wk->thread, &attr, worker_main, wk) != 0)
      uvs__fatal("uv_queue_work", "cannot start a pool thread");
    pthread_attr_destroy(&attr);
    wk->thread_started = 1;
  }
  wk->real_finished = 0;
  wk->real_job = w;
  pthread_cond_signal(&wk->cv);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t ns = (uint64_t)ts.tv_nsec + grace_ns;
  ts.tv_sec += (time_t)(ns / 1000000000u);
  ts.tv_nsec = (long)(ns % 1000000000u);
  while (!wk->real_finished) {
    if (pthread_cond_timedwait(&done_cv, &pool_mu, &ts) != 0) break;
  }
  int finished = wk->real_finished;
  pthread_mutex_unlock(&pool_mu);
  return finished;
}

/* ---- virtual scheduling */

static void finish(uvs__work* w);
static void start_queued(void);

static void on_virtual_done(sim* s, sim_event* ev) {
  (void)s;
  uvs__work* w = UVS__QDATA(ev, uvs__work, ev);
  UVS__ASSERT(w->state == JOB_RUNNING && !w->virt_done,
              "a pool job's virtual duration ends twice, or before it ran");
  w->virt_done = 1;
  if (w->real_done) finish(w);
}

static void start(uvs__work* w, unsigned idx) {
  /* 0 (an idle machine), then a tail by decades up to a job stuck behind a
   * saturated pool, a dead NFS server or a resolver timing out (docs/loop.md,
   * "Latency tails"). Strategies reach the slow end rarely but surely. */
  static const uint64_t duration_us[] = { 0, 100, 1000, 10000, 100000,
                                          1000000, 10000000 };
  sim* s = uvs__sim();
  UVS__ASSERT(w->state == JOB_QUEUED, "a pool job starts that is not queued");
  UVS__ASSERT(idx < nworkers && workers[idx].job == NULL,
              "a pool job starts on a busy worker");
  UVS__ASSERT(pool_nqueued > 0 && pool_nrunning < nworkers,
              "the pool's queued/running counts disagree with a start");
  pool_nqueued--;
  pool_nrunning++;
  workers[idx].job = w;
  w->worker = (int)idx;
  w->state = JOB_RUNNING;
  w->extra_ns = 0;
  w->virt_done = 0;
  if (inline_mode) {
    current_job = w;
    w->work(w);
    current_job = NULL;
    w->real_done = 1;
  } else {
    w->real_done = run_threaded(&workers[idx], w);
    if (!w->real_done) nblocked++;
  }
  uint32_t c = sim_choose(s, SIM_POOL_DURATION,
                          (uint32_t)(sizeof duration_us / sizeof *duration_us), w->label);
  sim_event_init(&w->ev, on_virtual_done, w->label);
  sim_event_schedule(s, &w->ev, sim_now(s) + duration_us[c] * 1000u + w->extra_ns);
}

static void start_queued(void) {
  for (unsigned i = 0; i < nworkers && !uvs__q_empty(&pool_queue); i++) {
    if (workers[i].job != NULL) continue;
    void* (*e)[2] = uvs__q_head(&pool_queue);
    uvs__q_remove(e);
    start(UVS__QDATA(e, uvs__work, q), i);
  }
  /* FIFO on free workers: a job waits only while every worker is busy */
  UVS__ASSERT((pool_nqueued == 0) == uvs__q_empty(&pool_queue),
              "the pool's queued count disagrees with its queue");
  UVS__ASSERT(pool_nqueued == 0 || pool_nrunning == nworkers,
              "a pool job waits while a worker is free");
}

static void push_done(uvs__work* w) {
  uvs__loop* L = uvs__L(w->loop);
  UVS__ASSERT(w->state == JOB_RUNNING || w->state == JOB_QUEUED,
              "a pool job is done twice");
  w->state = JOB_DONE;
  uvs__q_insert_tail(&L->work_done, &w->q);
  L->nwork_done++;
}

static void finish(uvs__work* w) {
  /* both halves are over: the real work() returned and the virtual
   * duration elapsed, on the worker that holds it */
  UVS__ASSERT(w->state == JOB_RUNNING && w->real_done && w->virt_done,
              "a pool job finishes before both its real and virtual ends");
  UVS__ASSERT(w->worker >= 0 && (unsigned)w->worker < nworkers &&
              workers[w->worker].job == w, "a finished pool job is not on its worker");
  UVS__ASSERT(pool_nrunning > 0, "the pool's running count goes below 0");
  pool_nrunning--;
  workers[w->worker].job = NULL;
  w->status = 0;
  push_done(w);
  start_queued();   /* the freed worker picks the next job now */
}

void uvs__work_submit(uv_loop_t* loop, uvs__work* w, const char* label,
                      void (*work)(uvs__work* w),
                      void (*done)(uvs__work* w, int status)) {
  pool_init();
  UVS__ASSERT(work != NULL && done != NULL, "a pool job without work or done");
  UVS__ASSERT(w->state == JOB_IDLE, "a pool job is submitted while in the pool");
  w->work = work;
  w->done = done;
  w->loop = loop;
  w->label = label;
  w->state = JOB_QUEUED;
  w->status = 0;
  w->worker = -1;
  uvs__q_insert_tail(&pool_queue, &w->q);
  pool_nqueued++;
  uvs__loop* L = uvs__L(loop);
  L->njobs++;
  /* every submitter registers its request first (fs, dns, random, work) */
  UVS__ASSERT(L->njobs <= loop->active_reqs.count,
              "a pool job without a request in flight");
  /* Not started here: a real worker needs a wake-up before it takes the
   * job, so the submitting code runs on first (an immediate uv_cancel
   * succeeds, as it does on real libuv). Jobs start at the next scheduling
   * point: the end of the current callback, uv_run's entry, the poll. */
  uvs__pool_kick_pending = 1;
}

int uvs__pool_kick_pending;

void uvs__pool_kick(void) {
  uvs__pool_kick_pending = 0;
  if (pool_ready) start_queued();
}

int uvs__work_cancel(uvs__work* w) {
  if (w->state == JOB_DONE && w->status == UV_ECANCELED) {
    /* Cancelled, done callback not run yet: libuv takes it off the loop's
     * queue and posts it again (answering 0 again). */
    uvs__loop* L = uvs__L(w->loop);
    UVS__ASSERT(L->nwork_done > 0 && uvs__q_linked(&w->q),
                "a cancelled job is not on its loop's done list");
    uvs__q_remove(&w->q);
    uvs__q_insert_tail(&L->work_done, &w->q);
    return 0;
  }
  if (w->state != JOB_QUEUED) return UV_EBUSY;
  UVS__ASSERT(pool_nqueued > 0 && uvs__q_linked(&w->q),
              "a queued job is not on the pool's queue");
  uvs__q_remove(&w->q);
  pool_nqueued--;
  push_done(w);
  w->status = UV_ECANCELED;
  return 0;
}

int uvs__run_work_done(uv_loop_t* loop) {
  uvs__loop* L = uvs__L(loop);
  sim* s = uvs__sim();
  /* Jobs cancelled by these callbacks wait for the next poll, as in libuv
   * where they are posted to the loop's queue after the current drain. */
  size_t remaining = L->nwork_done;
  int ran = 0;
  while (remaining > 0 && !sim_failed(s)) {
    void* (*e)[2] = uvs__q_head(&L->work_done);
    uvs__work* first = UVS__QDATA(e, uvs__work, q);
    uint32_t c = sim_choose(s, SIM_POOL_FINISH, (uint32_t)remaining, first->label);
    UVS__ASSERT(c < remaining, "a decision chose past the finished jobs");
    remaining--;
    for (uint32_t i = 0; i < c; i++) e = uvs__q_next(e);
    UVS__ASSERT(e != &L->work_done, "the finished-job list is shorter than its count");
    uvs__work* w = UVS__QDATA(e, uvs__work, q);
    UVS__ASSERT(w->state == JOB_DONE && w->loop == loop,
                "a job on the loop's done list is not done, or not the loop's");
    UVS__ASSERT(w->status == 0 || w->status == UV_ECANCELED,
                "a finished job's status is neither 0 nor UV_ECANCELED");
    UVS__ASSERT(L->nwork_done > 0 && L->njobs >= L->nwork_done,
                "the loop's job counts go below its finished jobs");
    uvs__q_remove(e);
    L->nwork_done--;
    L->njobs--;
    w->state = JOB_IDLE;
    uvs__trace_cb(w->label);
    w->done(w, w->status);
    uvs__after_callback();
    ran++;
  }
  return ran;
}

int uvs__pool_blocked(void) { return nblocked; }

void uvs__pool_collect(void) {
  if (nblocked == 0) return;
  pthread_mutex_lock(&pool_mu);
  for (unsigned i = 0; i < nworkers; i++) {
    uvs__work* w = workers[i].job;
    if (w && !w->real_done && workers[i].real_finished) {
      UVS__ASSERT(nblocked > 0, "the blocked job count goes below 0");
      w->real_done = 1;
      nblocked--;
      if (w->virt_done) {
        pthread_mutex_unlock(&pool_mu);
        finish(w);
        pthread_mutex_lock(&pool_mu);
      }
    }
  }
  pthread_mutex_unlock(&pool_mu);
}

static void wraps_reset(int abandon);

void uvs__pool_reset(void) {
  if (!pool_ready) return;
  wraps_reset(nblocked > 0);
  if (nblocked > 0) {
    /* A previous run ended (a hang) with work callbacks still blocked on
     * real threads that cannot be stopped: abandon those workers (their
     * structs are leaked on purpose, the threads still point at them) and
     * start the next run with fresh ones. */
    fprintf(stderr, "uvsim: %d pool thread(s) left blocked by the previous run\n",
            nblocked);
    workers = calloc(nworkers, sizeof *workers);
    if (workers == NULL) uvs__fatal("uvsim_world_begin", "out of memory");
    for (unsigned i = 0; i < nworkers; i++) pthread_cond_init(&workers[i].cv, NULL);
    nblocked = 0;
  }
  for (unsigned i = 0; i < nworkers; i++) workers[i].job = NULL;
  uvs__q_init(&pool_queue);
  pool_nqueued = pool_nrunning = 0;
  uvs__pool_kick_pending = 0;
}

/* ---- uv_queue_work: a uvs__work per request, from a free list */

typedef struct work_wrap {
  uvs__work w;
  uv_work_t* req;
  struct work_wrap* next_free;
  struct work_wrap* next_all;   /* every wrapper ever made, for reset */
} work_wrap;

static work_wrap* free_wraps;
static work_wrap* all_wraps;
/* Wrappers of jobs whose real thread was abandoned while blocked in work():
 * never reused (that thread may still touch them), but kept reachable. */
static work_wrap* abandoned_wraps;

static int wrap_blocked(const work_wrap* w) {
  return w->w.state == JOB_RUNNING && !w->w.real_done;
}

/* A run that stops at a finding leaves jobs queued, running or undelivered;
 * their wrappers all become free at the next world begin, except those of
 * jobs still blocked on an abandoned real thread. */
static void wraps_reset(int abandon) {
  work_wrap* all = all_wraps;
  free_wraps = NULL;
  all_wraps = NULL;
  while (all) {
    work_wrap* w = all;
    all = w->next_all;
    if (abandon && wrap_blocked(w)) {
      w->next_all = abandoned_wraps;
      abandoned_wraps = w;
      continue;
    }
    w->next_all = all_wraps;
    all_wraps = w;
    w->next_free = free_wraps;
    free_wraps = w;
  }
}

static void work_run(uvs__work* w) {
  uv_work_t* req = ((work_wrap*)w)->req;
  req->work_cb(req);
}

static void work_done(uvs__work* w, int status) {
  work_wrap* ww = (work_wrap*)w;
  uv_work_t* req = ww->req;
  UVS__ASSERT(req->work_req.wq[0] == ww && req->work_req.done != NULL,
              "a uv_work_t's job is delivered twice or is not its own");
  uvs__req_unregister(req->loop);
  ww->next_free = free_wraps;
  free_wraps = ww;
  req->work_req.done = NULL;
  if (req->after_work_cb) req->after_work_cb(req, status);
}

int uv_queue_work(uv_loop_t* loop, uv_work_t* req, uv_work_cb work_cb,
                  uv_after_work_cb after_work_cb) {
  return uvsim_queue_work_l(loop, req, NULL, work_cb, after_work_cb);
}

/* Labels name the job in traces and reports ("db.get#7" rather than
 * "work#7"); the number keeps concurrent jobs of one label apart. */
int uvsim_queue_work_l(uv_loop_t* loop, uv_work_t* req, const char* label,
                       uv_work_cb work_cb, uv_after_work_cb after_work_cb) {
  if (work_cb == NULL) return UV_EINVAL;
  work_wrap* ww = free_wraps;
  if (ww) {
    free_wraps = ww->next_free;
  } else {
    if ((ww = malloc(sizeof *ww)) == NULL) return UV_ENOMEM;
    ww->next_all = all_wraps;
    all_wraps = ww;
  }
  work_wrap* keep = ww->next_all;
  memset(ww, 0, sizeof *ww);
  ww->next_all = keep;
  ww->req = req;
  req->type = UV_WORK;
  req->loop = loop;
  req->work_cb = work_cb;
  req->after_work_cb = after_work_cb;
  req->work_req.loop = loop;
  req->work_req.wq[0] = ww;      /* find the wrapper again in uv_cancel */
  req->work_req.done = (void (*)(struct uv__work*, int))work_done;
  uvs__req_register(loop);
  uvs__work_submit(loop, &ww->w,
                   label ? uvs__unique_label(label)
                         : uvs__callback_label("work", (const void*)after_work_cb),
                   work_run, work_done);
  return 0;
}

/* Requests of the simulated world register their own canceller. */
int (*uvs__cancel_hook[UV_REQ_TYPE_MAX])(uv_req_t*);

int uv_cancel(uv_req_t* req) {
  if (req->type == UV_WORK) {
    uv_work_t* w = (uv_work_t*)req;
    if (w->work_req.done == NULL) return UV_EBUSY;
    UVS__ASSERT(((work_wrap*)w->work_req.wq[0])->req == w,
                "uv_cancel: the request's job belongs to another request");
    return uvs__work_cancel(&((work_wrap*)w->work_req.wq[0])->w);
  }
  if ((unsigned)req->type < UV_REQ_TYPE_MAX && uvs__cancel_hook[req->type])
    return uvs__cancel_hook[req->type](req);
  return UV_EINVAL;
}
