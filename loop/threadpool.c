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
 * Where work() runs (docs/loop.md, "Where work callbacks run"). A job
 * starts and runs to completion before the loop moves on, so the run stays
 * a pure function of the decisions whatever runs it:
 *
 * - by default, a uv_queue_work callback runs on the loop thread, on a
 *   stack of its own (a fiber: no hand-off to another thread, which cost a
 *   futex wake-up and two context switches per job). When it is about to
 *   block in a uv_* thread primitive (uv_sem_wait on a semaphore at 0, a
 *   mutex held elsewhere, uv_cond_wait, a barrier, a join: loop/thread.c
 *   asks uvs__pool_may_block), its fiber moves to a real worker thread,
 *   which resumes it there and lets it block; the loop waits for it up to a
 *   grace period (UVSIM_POOL_GRACE_MS, default 200), as it did for every
 *   job before. A job that outlives the grace (it waits for something only
 *   the loop thread will do later: a semaphore posted by a timer callback,
 *   as libuv's threadpool_cancel tests do) is delivered once it really
 *   returns — that one program is as deterministic as its threads. A work
 *   callback that blocks in a raw system call (read(2) on a pipe,
 *   sem_wait(3) without uv_) blocks the loop: UVSIM_POOL_THREADS=1 runs
 *   every job on a real thread instead;
 * - the world's own jobs (fs, getaddrinfo, random) are simulated and never
 *   block: they are plain calls on the loop thread;
 * - uvsim_pool_set_inline(1) (UVSIM_POOL_INLINE=1: campaigns, node mode)
 *   calls every work() on the loop thread's own stack: fastest, but a
 *   blocking work callback deadlocks;
 * - UVSIM_POOL_THREADS=1: every job on a real worker thread, the loop
 *   waiting for each (the hand-off per job that the fiber replaced).
 *
 * Real threads are created lazily, on the first job that needs one, so a
 * process forked before that (the fork server, loop/forkserver.c) starts
 * without any; a child forked after has none of its parent's threads, and
 * an atfork handler makes it create fresh ones. */
#include "loop/internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>

#include "sim/sim_util.h"
#include "uvsim.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

enum { JOB_IDLE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };
enum { MODE_FIBER, MODE_INLINE, MODE_THREADS };

#define POOL_SIZE_MAX 1024
#define POOL_SIZE_DEFAULT 4
/* libuv 1.44's pool threads get 8 MB stacks (threadpool.c); a fiber gets
 * the same, reserved, not committed: only the pages a job touches count. */
#define FIBER_STACK (8u << 20)

/* Switching stacks. On x86-64 a few instructions (callee-saved registers
 * and the FPU control words on the old stack, then the stack pointer):
 * swapcontext(3) also saves and restores the signal mask, two system calls
 * per switch, which cost more than the job (measured: bench/loop/README.md).
 * Elsewhere, ucontext. */
#if defined(__x86_64__)
typedef void* fiber_ctx;       /* the stack pointer of a switched-out stack */
void uvs__fiber_switch(fiber_ctx* save, fiber_ctx to);
__asm__(".text\n"
        ".globl uvs__fiber_switch\n"
        ".hidden uvs__fiber_switch\n"
        ".type uvs__fiber_switch,@function\n"
        "uvs__fiber_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n"
        "  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  subq $8, %rsp\n  stmxcsr (%rsp)\n  fnstcw 4(%rsp)\n"
        "  movq %rsp, (%rdi)\n  movq %rsi, %rsp\n"
        "  ldmxcsr (%rsp)\n  fldcw 4(%rsp)\n  addq $8, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n"
        "  popq %r12\n  popq %rbx\n  popq %rbp\n  ret\n"
        ".size uvs__fiber_switch, .-uvs__fiber_switch\n");
static void ctx_switch(fiber_ctx* from, fiber_ctx* to) { uvs__fiber_switch(from, *to); }
/* A new stack as uvs__fiber_switch leaves one: control words, six
 * registers, the return address (fn), and a zero return address above it,
 * so that fn starts with the stack aligned as after a call. */
static void ctx_make(fiber_ctx* c, char* stack, size_t size, void (*fn)(void)) {
  uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
  uint64_t* sp = (uint64_t*)top;
  *--sp = 0;                          /* fn's return address: never used */
  *--sp = (uint64_t)(uintptr_t)fn;
  for (int i = 0; i < 6; i++) *--sp = 0;
  *--sp = 0x1F80u | ((uint64_t)0x037Fu << 32);   /* MXCSR, x87 control word */
  *c = sp;
}
#else
typedef ucontext_t fiber_ctx;
static void ctx_switch(fiber_ctx* from, fiber_ctx* to) {
  if (swapcontext(from, to) != 0) uvs__fatal("uv_queue_work", "swapcontext failed");
}
static void ctx_make(fiber_ctx* c, char* stack, size_t size, void (*fn)(void)) {
  if (getcontext(c) != 0) uvs__fatal("uv_queue_work", "getcontext failed");
  c->uc_stack.ss_sp = stack;
  c->uc_stack.ss_size = size;
  c->uc_link = NULL;
  makecontext(c, fn, 0);
}
#endif

/* A work callback's own stack and context (see the top of the file). */
typedef struct fiber {
  fiber_ctx ctx;
  fiber_ctx* back;             /* who resumed it: the loop or a worker      */
  char* stack;
  uvs__work* job;
  int migrate;                 /* it asked for a real thread                */
  int finished;                /* work() returned                           */
  struct fiber* next_free;
#ifdef POOL_ASAN
  void* fake;                  /* ASan's fake stack while switched out      */
  const void* back_bottom;     /* the resumer's stack, to switch back to    */
  size_t back_size;
#endif
} fiber;

typedef struct worker {
  uvs__work* job;              /* the job this virtual worker runs          */
  /* real thread: created on the first job of this worker that needs one */
  pthread_t thread;
  int thread_started;
  pthread_cond_t cv;
  uvs__work* real_job;         /* handed to the thread, NULL when idle      */
  fiber* real_fiber;           /* resume this instead of calling work()     */
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
static int threads_mode;       /* UVSIM_POOL_THREADS                        */
static uint64_t grace_ns;
static int nblocked;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static _Thread_local uvs__work* current_job;
/* The fiber the loop thread runs now (NULL on every other thread, and on
 * the loop thread outside a fiber). */
static _Thread_local fiber* current_fiber;
static fiber* free_fibers;
static fiber_ctx loop_ctx;    /* the loop thread, while a fiber runs      */

static void pool_atfork_prepare(void) { pthread_mutex_lock(&pool_mu); }
static void pool_atfork_parent(void) { pthread_mutex_unlock(&pool_mu); }

/* The child of a fork has only the forking thread: the pool's threads are
 * gone (a job blocked on one never returns there), and a worker that needs
 * a thread again creates a fresh one. The lock and the condition variables
 * are made anew: a thread of the parent may have held or waited on them. */
static void pool_atfork_child(void) {
  pthread_mutex_init(&pool_mu, NULL);
  pthread_cond_init(&done_cv, NULL);
  for (unsigned i = 0; i < nworkers; i++) {
    workers[i].thread_started = 0;
    pthread_cond_init(&workers[i].cv, NULL);
  }
}

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
  const char* th = getenv("UVSIM_POOL_THREADS");
  threads_mode = th && *th && *th != '0';
  grace_ns = sim_env_u64("UVSIM_POOL_GRACE_MS", 200, UINT64_MAX / 1000000) * 1000000ull;
  pthread_atfork(pool_atfork_prepare, pool_atfork_parent, pool_atfork_child);
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

/* ---- fibers: a work callback on a stack of its own */

/* Switch from the current stack into f (ASan is told which stack is
 * about to run, or it takes the other stack's frames for overflows). */
static void fiber_resume(fiber* f, fiber_ctx* from) {
  f->back = from;
#ifdef POOL_ASAN
  void* fake = NULL;
  __sanitizer_start_switch_fiber(&fake, f->stack, FIBER_STACK);
#endif
  ctx_switch(from, &f->ctx);
#ifdef POOL_ASAN
  __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

/* From inside f, back to whoever resumed it. `last`: f never runs again
 * from here (its fake stack can go). */
static void fiber_yield(fiber* f, int last) {
#ifdef POOL_ASAN
  __sanitizer_start_switch_fiber(last ? NULL : &f->fake, f->back_bottom, f->back_size);
#else
  (void)last;
#endif
  ctx_switch(&f->ctx, f->back);
#ifdef POOL_ASAN
  __sanitizer_finish_switch_fiber(f->fake, &f->back_bottom, &f->back_size);
#endif
}

static fiber* fiber_starting;   /* makecontext passes ints only */

static void fiber_main(void) {
  fiber* f = fiber_starting;
#ifdef POOL_ASAN
  __sanitizer_finish_switch_fiber(NULL, &f->back_bottom, &f->back_size);
#endif
  uvs__work* w = f->job;
  w->work(w);
  /* Possibly on a worker thread now (it moved while blocking): nothing
   * here may read a thread-local, whose address the compiler may have
   * kept from the loop thread. */
  f->finished = 1;
  fiber_yield(f, 1);
  UVS__ASSERT(0, "a finished pool fiber was resumed");
}

static fiber* fiber_get(uvs__work* w) {
  fiber* f = free_fibers;
  if (f) {
    free_fibers = f->next_free;
  } else {
    f = calloc(1, sizeof *f);
    if (f == NULL) uvs__fatal("uv_queue_work", "out of memory");
    /* a guard page below the stack: an overflow faults, as on a thread */
    f->stack = mmap(NULL, FIBER_STACK + 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (f->stack == MAP_FAILED) uvs__fatal("uv_queue_work", "cannot map a stack");
    mprotect(f->stack, 4096, PROT_NONE);
    f->stack += 4096;
  }
  ctx_make(&f->ctx, f->stack, FIBER_STACK, fiber_main);
  f->job = w;
  f->migrate = 0;
  f->finished = 0;
  return f;
}

static void fiber_put(fiber* f) {
  UVS__ASSERT(f->finished, "a pool fiber is reused before its work returned");
  f->job = NULL;
  f->next_free = free_fibers;
  free_fibers = f;
}

/* loop/thread.c, before a thread primitive blocks: a work callback on the
 * loop thread's fiber moves to a real thread, and the primitive then
 * blocks there. Anywhere else (a real thread, the loop outside a job) it
 * does nothing. */
void uvs__pool_may_block(void) {
  fiber* f = current_fiber;
  if (f == NULL) return;
  f->migrate = 1;
  fiber_yield(f, 0);
  /* resumed on a worker thread (run_threaded): block there */
}

/* ---- real worker threads */

static void* worker_main(void* arg) {
  worker* wk = arg;
  fiber_ctx self;
  pthread_mutex_lock(&pool_mu);
  for (;;) {
    while (wk->real_job == NULL) pthread_cond_wait(&wk->cv, &pool_mu);
    uvs__work* w = wk->real_job;
    fiber* f = wk->real_fiber;
    pthread_mutex_unlock(&pool_mu);
    current_job = w;
    if (f) {
      fiber_resume(f, &self);
      UVS__ASSERT(f->finished && !f->migrate,
                  "a pool fiber left its worker thread before its work returned");
    } else {
      w->work(w);
    }
    current_job = NULL;
    pthread_mutex_lock(&pool_mu);
    wk->real_job = NULL;
    wk->real_finished = 1;
    pthread_cond_broadcast(&done_cv);
    pthread_mutex_unlock(&pool_mu);
    uvs__wake();
    /* the wait above needs the lock held: without it, a hand-off could
     * be missed, and a job judged blocked hung the loop (seen under load
     * with UVSIM_POOL_THREADS=1: "loop alive ... nothing can ever happen") */
    pthread_mutex_lock(&pool_mu);
  }
  return NULL;
}

/* Runs w on worker wk's real thread (w->work, or the rest of fiber f) and
 * waits up to the grace period. Returns 1 when it finished in time. */
static int run_threaded(worker* wk, uvs__work* w, fiber* f) {
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
  wk->real_fiber = f;
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
  if (finished && f) {
    wk->real_fiber = NULL;
    fiber_put(f);
  }
  pthread_mutex_unlock(&pool_mu);
  return finished;
}

/* A uv_queue_work job on a fiber of the loop thread; it moves to worker
 * wk's thread if it blocks. Returns 1 when it finished (in time). */
static int run_fiber(worker* wk, uvs__work* w) {
  fiber* f = fiber_get(w);
  fiber_starting = f;
  current_fiber = f;
  fiber_resume(f, &loop_ctx);
  current_fiber = NULL;
  if (f->finished) {
    fiber_put(f);
    return 1;
  }
  UVS__ASSERT(f->migrate, "a pool fiber came back neither finished nor blocking");
  f->migrate = 0;
  return run_threaded(wk, w, f);
}

/* ---- virtual scheduling */

static void finish(uvs__work* w);
static void start_queued(void);
static void work_run(uvs__work* w);

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
  if (threads_mode) {
    w->real_done = run_threaded(&workers[idx], w, NULL);
  } else if (inline_mode || w->work != work_run) {
    /* the world's jobs are simulated: they never block */
    current_job = w;
    w->work(w);
    current_job = NULL;
    w->real_done = 1;
  } else {
    current_job = w;
    w->real_done = run_fiber(&workers[idx], w);
    current_job = NULL;
  }
  if (!w->real_done) nblocked++;
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
      if (workers[i].real_fiber) {   /* its stack is free again */
        fiber_put(workers[i].real_fiber);
        workers[i].real_fiber = NULL;
      }
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
