/* loop/core.c — uv_run and the loop's lifecycle on the virtual clock.
 *
 * The phase order is libuv 1.44's (src/unix/core.c): update time, timers,
 * pending, idle, prepare, poll, check, closing handles, and UV_RUN_ONCE's
 * extra timer pass. What differs is the poll phase: instead of epoll_wait it
 * asks the simulated world what happens next. When nothing is ready, virtual
 * time jumps to the next timer deadline or world event, so an hour of timers
 * takes microseconds. The only blocking real wait is for real threads
 * (uv_async_send from a user thread, a pool job blocked on a semaphore). */
#include "loop/internal.h"

#include <pthread.h>
#include <stdatomic.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "loop/os.h"
#include "sim/sim_util.h"

static uv_loop_t default_loop_struct;
static uv_loop_t* default_loop_ptr;
static uint64_t id_counter;
static uvs__loop* live_loops;

static void live_add(uvs__loop* L) {
  L->live_prev = NULL;
  L->live_next = live_loops;
  if (live_loops) live_loops->live_prev = L;
  live_loops = L;
}

static void live_free(uvs__loop* L) {
  UVS__ASSERT(L->live_prev != NULL || live_loops == L,
              "a loop's state is not on the list of live loops");
  if (L->live_prev) L->live_prev->live_next = L->live_next;
  else live_loops = L->live_next;
  if (L->live_next) L->live_next->live_prev = L->live_prev;
  free(L->timers);
  free(L);
}

_Noreturn void uvs__fatal(const char* func, const char* msg) {
  fprintf(stderr, "uvsim: %s: %s\n", func, msg);
  fflush(stderr);
  abort();
}

uint64_t uvs__next_id(void) { return ++id_counter; }

void uvs__update_time(uv_loop_t* loop) {
  sim* s = uvs__sim();
  uint64_t before = loop->time;
  sim_advance_to(s, sim_now(s) + UVS__CLOCK_READ_COST_NS);
  loop->time = (UVS__EPOCH_NS + sim_now(s)) / 1000000u;
  /* Timers are due by comparing with loop->time: a clock going back
   * would fire a timer, then find it not due. */
  UVS__ASSERT(loop->time >= before, "the loop's clock went backwards");
}

int uv_loop_init(uv_loop_t* loop) {
  void* saved_data = loop->data;
  memset(loop, 0, sizeof *loop);
  loop->data = saved_data;
  uvs__loop* L = calloc(1, sizeof *L);
  if (L == NULL) return UV_ENOMEM;
  L->loop = loop;
  live_add(L);
  L->id = uvs__next_id();
  uvs__q_init(&L->work_done);
  uvs__q_init(&L->io_ready);
  uvs__q_init(&L->pending);
  loop->internal_fields = L;
  L->watchers_pending = 1;   /* libuv's own async watcher, until the first poll */
  uvs__q_init(&loop->handle_queue);
  uvs__q_init(&loop->idle_handles);
  uvs__q_init(&loop->prepare_handles);
  uvs__q_init(&loop->check_handles);
  uvs__q_init(&loop->async_handles);
  uvs__q_init(&loop->pending_queue);
  loop->backend_fd = -1;
  loop->closing_handles = NULL;
  uvs__update_time(loop);
  return 0;
}

uv_loop_t* uv_default_loop(void) {
  if (uvs__peer_current()) return uvs__peer_default_loop();   /* loop/peer.c */
  if (default_loop_ptr != NULL) return default_loop_ptr;
  if (uv_loop_init(&default_loop_struct)) return NULL;
  default_loop_ptr = &default_loop_struct;
  return default_loop_ptr;
}

uv_loop_t* uv_loop_new(void) {
  uv_loop_t* loop = malloc(sizeof *loop);
  if (loop == NULL) return NULL;
  if (uv_loop_init(loop)) {
    free(loop);
    return NULL;
  }
  return loop;
}

static void leaked(uv_loop_t* loop);

int uv_loop_close(uv_loop_t* loop) {
  if (loop->active_reqs.count > 0) {
    leaked(loop);
    return UV_EBUSY;
  }
  void* (*q)[2];
  UVS__QFOREACH(q, &loop->handle_queue) {
    uv_handle_t* h = UVS__QDATA(q, uv_handle_t, handle_queue);
    if (!(h->flags & UVS__H_INTERNAL)) {
      leaked(loop);
      return UV_EBUSY;
    }
  }
  uvs__loop* L = uvs__L(loop);
  /* No handle and no request left: everything that hangs off one (queued
   * timers, watchers, ready I/O, finished jobs, pending callbacks, closing
   * handles) must be gone as well. */
  UVS__ASSERT(loop->active_handles == 0, "active handles counted on an empty loop");
  UVS__ASSERT(loop->closing_handles == NULL, "a closing handle is off the handle queue");
  UVS__ASSERT(uvs__q_empty((void* (*)[2])&loop->idle_handles) &&
              uvs__q_empty((void* (*)[2])&loop->prepare_handles) &&
              uvs__q_empty((void* (*)[2])&loop->check_handles) &&
              uvs__q_empty((void* (*)[2])&loop->async_handles),
              "a watcher queue holds a handle the loop no longer has");
  if (L) {
    UVS__ASSERT(L->loop == loop, "loop state belongs to another loop");
    UVS__ASSERT(L->ntimers == 0, "the timer heap holds a handle the loop no longer has");
    UVS__ASSERT(L->nwork_done == 0 && uvs__q_empty(&L->work_done),
                "finished pool jobs without a request");
    UVS__ASSERT(L->nio_ready == 0 && uvs__q_empty(&L->io_ready),
                "ready I/O without a handle");
    UVS__ASSERT(uvs__q_empty(&L->pending), "pending callbacks without a handle");
    live_free(L);
  }
  void* saved_data = loop->data;
  memset(loop, -1, sizeof *loop);   /* use after close shows quickly */
  loop->data = saved_data;
  if (loop == default_loop_ptr) default_loop_ptr = NULL;
  return 0;
}

void uv_loop_delete(uv_loop_t* loop) {
  uv_loop_t* default_loop = default_loop_ptr;
  int err = uv_loop_close(loop);
  (void)err;
  assert(err == 0);
  if (loop != default_loop) free(loop);
}

int uv_loop_configure(uv_loop_t* loop, uv_loop_option option, ...) {
  /* Blocking SIGPROF changes nothing on a virtual loop; accept it as
   * libuv does. */
  if (option == UV_LOOP_BLOCK_SIGNAL) return 0;
  if (option == UV_METRICS_IDLE_TIME) {
    uvs__L(loop)->metrics_idle = 1;
    return 0;
  }
  return UV_ENOSYS;
}

/* The virtual time the poll phase spent waiting since UV_METRICS_IDLE_TIME
 * was set: what libuv measures around epoll_wait. */
uint64_t uv_metrics_idle_time(uv_loop_t* loop) { return uvs__L(loop)->idle_ns; }

/* The poll phase waits until `target`: idle time, when it is measured. */
static void idle_until(uv_loop_t* loop, uint64_t target) {
  sim* s = uvs__sim();
  uint64_t now = sim_now(s);
  if (target <= now) return;
  if (uvs__L(loop)->metrics_idle) uvs__L(loop)->idle_ns += target - now;
  sim_advance_to(s, target);
}

int uv_loop_fork(uv_loop_t* loop) {
  (void)loop;
  return 0;
}

size_t uv_loop_size(void) { return sizeof(uv_loop_t); }
void* uv_loop_get_data(const uv_loop_t* loop) { return loop->data; }
void uv_loop_set_data(uv_loop_t* loop, void* data) { loop->data = data; }

static int has_active_handles(const uv_loop_t* loop) {
  return loop->active_handles > 0;
}

static int loop_alive(const uv_loop_t* loop) {
  return has_active_handles(loop) || loop->active_reqs.count > 0 ||
         !uvs__q_empty(&uvs__L(loop)->pending) ||
         loop->closing_handles != NULL;
}

int uv_loop_alive(const uv_loop_t* loop) { return loop_alive(loop); }

static int backend_timeout(const uv_loop_t* loop) {
  if (loop->stop_flag != 0) return 0;
  if (!has_active_handles(loop) && loop->active_reqs.count == 0) return 0;
  if (!uvs__q_empty((void* (*)[2])&loop->idle_handles)) return 0;
  if (!uvs__q_empty(&uvs__L(loop)->pending)) return 0;
  if (loop->closing_handles) return 0;
  return uvs__next_timeout(loop);
}

int uv_backend_timeout(const uv_loop_t* loop) {
  if (uvs__L(loop)->watchers_pending) return 0;
  return backend_timeout(loop);
}
int uv_backend_fd(const uv_loop_t* loop) { return loop->backend_fd; }

uint64_t uv_now(const uv_loop_t* loop) { return loop->time; }
void uv_update_time(uv_loop_t* loop) { uvs__update_time(loop); }
static int run_on_this_thread(void);

/* A busy wait on uv_hrtime (libuv's metrics_idle_time spins 600 ms in a
 * timer callback) would spin for ever at one instant. So reads past
 * UVS__HRTIME_FREE_READS on the loop's thread since the last callback ended
 * cost time as a clock read does. Only the running loop's thread counts
 * and the count restarts after every callback: Node's platform reads a few
 * times per task, at moments real threads decide, and those stay free. */
#define UVS__HRTIME_FREE_READS 100000u
static unsigned long hrtime_reads;    /* touched by the loop's thread only */

static int hrtime_is_spin(void) {
  if (!run_on_this_thread()) return 0;
  return ++hrtime_reads > UVS__HRTIME_FREE_READS;
}

void uvs__hrtime_spin_reset(void) { hrtime_reads = 0; }

/* uv_hrtime only looks, until it is a spin. (Reading it costing time, as uv_update_time does,
 * was tried: Node's platform reads it from tasks that real threads post to
 * the main loop at moments real time decides, and runs stopped repeating.
 * So a busy wait on performance.now() does not end; one on Date.now()
 * does: see uvs__clock_read.) */
uint64_t uv_hrtime(void) {
  if (hrtime_is_spin()) uvs__clock_read();
  return UVS__EPOCH_NS + sim_now(uvs__sim());
}

/* Reading the wall clock costs UVS__CLOCK_READ_COST_NS: a program that waits
 * for time to pass by reading Date.now() in a loop gets there, as on a real
 * machine, instead of spinning at one instant for ever. */
uint64_t uvs__clock_read(void) {
  sim* s = uvs__sim();
  sim_advance_to(s, sim_now(s) + UVS__CLOCK_READ_COST_NS);
  return sim_now(s);
}

void uv_stop(uv_loop_t* loop) { loop->stop_flag = 1; }

/* ---- closing */

void uv_close(uv_handle_t* handle, uv_close_cb close_cb) {
  UVS__ASSERT(!uvs__is_closing(handle), "uv_close called twice on a handle");
  handle->flags |= UVS__H_CLOSING;
  handle->close_cb = close_cb;
  switch (handle->type) {
  case UV_TIMER: uvs__timer_close((uv_timer_t*)handle); break;
  case UV_IDLE: uvs__idle_close((uv_idle_t*)handle); break;
  case UV_PREPARE: uvs__prepare_close((uv_prepare_t*)handle); break;
  case UV_CHECK: uvs__check_close((uv_check_t*)handle); break;
  case UV_ASYNC: uvs__async_close((uv_async_t*)handle); break;
  default:
    /* Handle types of the simulated world close through their own hook. */
    if (uvs__close_hook[handle->type] == NULL)
      uvs__fatal("uv_close", "handle type is not simulated");
    uvs__close_hook[handle->type](handle);
    break;
  }
  /* Every close stops its handle (libuv's uv__handle_stop in each
   * type's close): a closing handle that stayed active would keep the loop
   * alive for ever, and uv_ref/uv_unref skip closing handles, so the
   * active count would drift. */
  UVS__ASSERT(!uvs__is_active(handle), "a handle is still active after its close hook");
  if (handle->flags & UVS__H_CLOSE_LATER) return;   /* the type finishes it */
  uvs__make_close_pending(handle);
}

void uvs__make_close_pending(uv_handle_t* handle) {
  UVS__ASSERT(handle->next_closing == NULL && handle != handle->loop->closing_handles,
              "a handle is on the closing list twice");
  /* libuv's closing list is LIFO: the last handle closed is the first
   * whose close callback runs (close_order depends on it). */
  handle->next_closing = handle->loop->closing_handles;
  handle->loop->closing_handles = handle;
}

void (*uvs__close_hook[UV_HANDLE_TYPE_MAX])(uv_handle_t*);
void (*uvs__finish_close_hook[UV_HANDLE_TYPE_MAX])(uv_handle_t*);

static void finish_close(uv_handle_t* h) {
  UVS__ASSERT(h->flags & UVS__H_CLOSING, "a handle on the closing list was never closed");
  UVS__ASSERT(!(h->flags & UVS__H_CLOSED), "a handle is finished closing twice");
  UVS__ASSERT(!uvs__is_active(h), "a closing handle became active again");
  h->flags |= UVS__H_CLOSED;
  if ((unsigned)h->type < UV_HANDLE_TYPE_MAX && uvs__finish_close_hook[h->type])
    uvs__finish_close_hook[h->type](h);
  /* unref, then unlink: a closed handle no longer keeps the loop alive */
  if (h->flags & UVS__H_REF) {
    h->flags &= ~UVS__H_REF;
  }
  uvs__q_remove(&h->handle_queue);
  if (h->close_cb) {
    h->close_cb(h);
    uvs__after_callback();
  }
}

static void run_closing_handles(uv_loop_t* loop) {
  uv_handle_t* p = loop->closing_handles;
  loop->closing_handles = NULL;
  while (p) {
    uv_handle_t* q = p->next_closing;
    UVS__ASSERT(p->loop == loop, "a handle is on another loop's closing list");
    if (p->close_cb) uvs__trace_cb(uvs__label(p));
    finish_close(p);
    p = q;
  }
}

/* ---- the poll phase on the virtual clock */

static uint64_t timer_lag_ns(uv_timer_t* t) {
  /* Loop lag: a busy machine runs timers late, never early. Choice 0 is an
   * idle machine; the tail is a GC pause, a swapping or suspended machine
   * (docs/loop.md, "Latency tails"). The buckets are coarse on purpose: few
   * options make exploration effective. */
  static const uint64_t lag_ms[] = { 0, 1, 5, 25, 100, 1000, 10000 };
  uint32_t c = sim_choose(uvs__sim(), SIM_TIMER_LAG,
                          (uint32_t)(sizeof lag_ms / sizeof *lag_ms),
                          uvs__label((uv_handle_t*)t));
  return lag_ms[c] * 1000000u;
}

static int deliver_ready(uv_loop_t* loop) {
  int n = 0;
  sim* s = uvs__sim();
  while (sim_event_fire_due(s)) {}
  uvs__pool_collect();
  n += uvs__fs_event_run_early(loop);
  n += uvs__run_work_done(loop);
  n += uvs__run_async(loop);
  n += uvs__run_io_ready(loop);
  return n;
}

static int has_ready(uv_loop_t* loop) {
  uvs__loop* L = uvs__L(loop);
  const sim_event* ev = sim_event_peek(uvs__sim());
  return L->nwork_done > 0 || L->nio_ready > 0 || L->async_pending ||
         (ev && ev->time_ns <= sim_now(uvs__sim()));
}

/* How long (real time) a loop waits for a pool job blocked in its work
 * callback when nothing else can happen, before calling it a hang. Long
 * enough that a loaded machine (CI running two sanitized test suites on two
 * cores) gets a worker thread scheduled: at 1 s, a work callback of a few
 * microseconds was once judged a hang (examples/asyncstore under load). */
#define UVS__BLOCKED_HANG_NS 5000000000ull

/* UVSIM_THREADS_HANG_MS=N (`uvsim node` sets it): a loop with nothing
 * simulated left to wait for waits at most N ms of real time for the
 * program's own threads to wake it, then it is a hang. Without it such a
 * loop waits as long as they live (a C program's worker may well be busy);
 * Node's own threads (V8's platform, run --single-threaded) never wake it. */
static uint64_t threads_hang_ns(void) {
  static int64_t ns = -1;
  if (ns < 0) {
    ns = (int64_t)sim_env_u64("UVSIM_THREADS_HANG_MS", 0, INT64_MAX / 1000000) * 1000000;
  }
  return ns > 0 ? (uint64_t)ns : UINT64_MAX;
}

/* "2 tcp, 1 timer": the handles of `loop` that pass `keep`, by type (what
 * the user must look for); returns how many. */
static unsigned handles_by_type(uv_loop_t* loop, int (*keep)(const uv_handle_t*),
                                char* out, size_t outlen) {
  unsigned count[UV_HANDLE_TYPE_MAX] = {0}, total = 0;
  void* (*q)[2];
  UVS__QFOREACH(q, &loop->handle_queue) {
    uv_handle_t* h = UVS__QDATA(q, uv_handle_t, handle_queue);
    if (keep(h) && !(h->flags & UVS__H_INTERNAL) && (unsigned)h->type < UV_HANDLE_TYPE_MAX) {
      count[h->type]++;
      total++;
    }
  }
  size_t n = 0;
  out[0] = '\0';
  for (int t = 0; t < UV_HANDLE_TYPE_MAX && n + 1 < outlen; t++)
    if (count[t])
      n += (size_t)snprintf(out + n, outlen - n, "%s%u %s", n ? ", " : "", count[t],
                            uv_handle_type_name((uv_handle_type)t));
  return total;
}

static int keeps_alive(const uv_handle_t* h) {
  return (h->flags & UVS__H_ACTIVE) && (h->flags & UVS__H_REF);
}

/* The active, referenced handles that keep a hung loop alive. */
static void pending_handles(uv_loop_t* loop, char* out, size_t outlen) {
  (void)handles_by_type(loop, keeps_alive, out, outlen);
}

static int never_closed(const uv_handle_t* h) { return !uvs__is_closing(h); }

/* uv_loop_close found the loop busy. With the leak oracle on, handles the
 * program never closed and requests still in flight are a leak; handles
 * whose close callback has not run yet are not (the program closed them,
 * it only did not run the loop once more). */
static void leaked(uv_loop_t* loop) {
  if (!uvs__leak_check_on()) return;
  char what[160], msg[256];
  unsigned n = handles_by_type(loop, never_closed, what, sizeof what);
  unsigned reqs = loop->active_reqs.count;
  if (n == 0 && reqs == 0) return;
  snprintf(msg, sizeof msg, "uv_loop_close: %u handle%s never closed%s%s%s, "
           "%u request%s in flight", n, n == 1 ? "" : "s", n ? " (" : "", what,
           n ? ")" : "", reqs, reqs == 1 ? "" : "s");
  uvs__leak_found("uv_loop_close", msg);
}

static void io_poll(uv_loop_t* loop, int timeout) {
  sim* s = uvs__sim();
  uvs__signal_poll();     /* raised since the last callback: ready now */
  if (uvs__pool_kick_pending) uvs__pool_kick();
  uvs__L(loop)->watchers_pending = 0;
  uvs__pool_collect();
  (void)uvs__async_pending_any(loop);
  uvs__poll_look(loop);   /* real descriptors (uv_poll): never block here */
  /* Peer processes (loop/peer.c) ready for a while run even when this
   * loop does not sleep; the others when it would. */
  uvs__peers_run(0);
  while (timeout != 0 && !has_ready(loop)) {
    if (uvs__peer_current()) {
      /* a peer sleeps until the program's poll phase finds it ready */
      uvs__peer_wait(loop, timeout);
      break;
    }
    if (uvs__peers_run(1)) continue;   /* they may have sent us something */
    const sim_event* ev = sim_event_peek(s);
    uint64_t now = sim_now(s);
    uint64_t target = UINT64_MAX;
    int to_timer = 0;
    if (timeout > 0) {
      uv_timer_t* t = uvs__timer_min(loop);
      /* The deadline is the timer's own (ms) rather than now + timeout, so
       * that sub-millisecond virtual time does not make it early. */
      target = t ? uvs__deadline_ns(t->timeout) : now + (uint64_t)timeout * 1000000u;
      if (target < now) target = now;
      to_timer = t != NULL;
    }
    if (ev && ev->time_ns < target) {
      target = ev->time_ns;
      to_timer = 0;
    }
    uint64_t peer_at = uvs__peers_next_ns();
    if (peer_at < target) {
      /* a peer's timer comes first: the clock moves there, the peer runs,
       * and this loop looks again (it may have been sent something) */
      idle_until(loop, peer_at);
      int ran = uvs__peers_run(1);
      UVS__ASSERT(ran, "a peer's due timer did not make it ready");
      continue;
    }
    int threads = uvs__user_threads_live();
    int real = uvs__pool_blocked() || threads;
    int stuck = 0;
    if (target == UINT64_MAX && uvs__poll_real_active(loop) &&
        uvs__poll_block(loop, threads ? threads_hang_ns() : UINT64_MAX)) {
      /* Only a real descriptor could act, and the loop waited for it (or
       * a real thread) for real: virtual time did not move meanwhile. */
      target = now;
      to_timer = 0;
      real = 0;
    }
    if (real) {
      /* Only real threads can act before the target: give them a moment
       * (an async send from a user thread, a blocked job finishing). A job
       * blocked in its work callback with no user thread left to release
       * it gets a bounded wait: a deadlocked work callback is a hang. */
      uint64_t max_ns = target != UINT64_MAX ? 2000000u
                        : threads ? threads_hang_ns() : UVS__BLOCKED_HANG_NS;
      int woken = uvs__real_wait(max_ns);
      uvs__pool_collect();
      if (uvs__async_pending_any(loop) || uvs__L(loop)->nwork_done) {
        target = now;      /* woken by a real thread: no sleep, no lag */
        to_timer = 0;
      }
      else if (!woken && target == UINT64_MAX && (!threads || max_ns != UINT64_MAX))
        stuck = 1;
    }
    if (target == UINT64_MAX) {
      if ((!real || stuck) && uvs__signal_wait_outside()) {
        uvs__signal_poll();
        if (has_ready(loop)) continue;      /* a signal came: deliver it */
      }
      if (!real || stuck) {
        char what[160];
        pending_handles(loop, what, sizeof what);
        sim_fail(s, SIM_BUG_HANG, "loop",
                 "loop alive (%u active handles, %u requests%s%s) but nothing can "
                 "ever happen", loop->active_handles, loop->active_reqs.count,
                 what[0] ? ": " : "", what);
        uvs__hang_stop(s);
      }
      return;
    }
    if (to_timer) target += timer_lag_ns(uvs__timer_min(loop));
    idle_until(loop, target);
    break;
  }
  /* libuv's uv__io_poll updates the loop time right after epoll_wait, before
   * any I/O callback (a pool job's after_cb included) runs: a timer started
   * there counts from the moment the wait ended, not from before it. */
  uvs__update_time(loop);
  deliver_ready(loop);
}

/* ---- pending phase */

static int run_pending(uv_loop_t* loop) {
  uvs__loop* L = uvs__L(loop);
  if (uvs__q_empty(&L->pending)) return 0;
  uvs__queue q;
  uvs__q_move(&L->pending, &q);
  while (!uvs__q_empty(&q)) {
    void* (*e)[2] = uvs__q_head(&q);
    uvs__q_remove(e);
    uvs__io* io = UVS__QDATA(e, uvs__io, q);
    UVS__ASSERT(io->queued == 2, "an event on the pending list is not marked pending");
    io->queued = 0;
    uvs__trace_cb(io->label);
    io->cb(loop, io);
    uvs__after_callback();
  }
  return 1;
}

static int step_budget_ok(sim* s) {
  if (++s->steps <= s->cfg.steps_max) return 1;
  sim_fail(s, SIM_BUG_STEP_BUDGET, "uv_run",
           "more than %llu loop iterations", (unsigned long long)s->cfg.steps_max);
  return 0;
}

/* One simulated world runs one loop at a time: its clock, event queue and
 * decision stream are shared. Loops made on other threads never get here
 * (they run on the real libuv: loop/entry/foreign.c); a second thread
 * entering a simulated loop while another runs (say, from a pool job)
 * would corrupt the world silently, so it stops the program, loudly.
 * Nested uv_run on the same thread stays allowed. */
static _Atomic unsigned long run_owner;    /* pthread_self of the runner */
static _Thread_local int run_depth;

static void run_enter(void) {
  if (run_depth++ > 0) return;
  unsigned long self = (unsigned long)pthread_self(), none = 0;
  if (!atomic_compare_exchange_strong(&run_owner, &none, self))
    uvs__fatal("uv_run", "a loop is already running on another thread; "
               "concurrent loops in several threads are not simulated");
}

static int run_on_this_thread(void) {
  return run_depth > 0 &&
         atomic_load(&run_owner) == (unsigned long)pthread_self();
}

static void run_leave(void) {
  if (--run_depth == 0) atomic_store(&run_owner, 0);
}

static int run_loop(uv_loop_t* loop, uv_run_mode mode);

/* The loop's bookkeeping, checked at the top of every iteration: O(1) and
 * side-effect free (no decision, no allocation, no order). */
static void check_loop(const uv_loop_t* loop) {
  const uvs__loop* L = uvs__L(loop);
  UVS__ASSERT(L != NULL && L->loop == loop, "uv_run on a loop that is not initialised");
  UVS__ASSERT((L->nio_ready == 0) == uvs__q_empty((void* (*)[2])&L->io_ready),
              "the ready I/O count disagrees with its queue");
  UVS__ASSERT((L->nwork_done == 0) == uvs__q_empty((void* (*)[2])&L->work_done),
              "the finished-job count disagrees with its queue");
  /* every finished job still holds the request it was submitted for */
  UVS__ASSERT(L->nwork_done <= loop->active_reqs.count,
              "more finished pool jobs than requests in flight");
  UVS__ASSERT(L->ntimers <= L->timers_cap, "the timer heap overflows its array");
  const uv_timer_t* t = uvs__timer_min(loop);
  UVS__ASSERT((L->ntimers == 0) == (t == NULL) &&
              (t == NULL || uvs__is_active((const uv_handle_t*)t)),
              "an inactive timer is in the heap");
}

int uv_run(uv_loop_t* loop, uv_run_mode mode) {
  /* a peer runs only while it holds the baton, inside the program's run
   * or its uvsim_peer_start (loop/peer.c): it owns nothing to enter */
  if (uvs__peer_current()) return run_loop(loop, mode);
  if (loop == default_loop_ptr && run_depth == 0) uvs__forkserver_point();
  run_enter();
  int r = run_loop(loop, mode);
  run_leave();
  return r;
}

/* UVSIM_START_LAG_MS=N (`uvsim node` sets it): the main script of a real
 * runtime takes real time before its loop first runs, and its timers were
 * started against a loop time cached before it ran; on node 18 a 1 ms timer
 * set by the main script is due at the first timers phase, ahead of
 * setImmediate (measured: every run). So when the default loop first runs,
 * N ms have passed (choice 0, the natural order) or none (choice 1) — a
 * decision only when a timer is due within N ms, else the clock just moves. */
static void start_lag(uv_loop_t* loop) {
  static int done = -1;
  static uint64_t lag_ms;
  if (done < 0) {
    lag_ms = sim_env_u64("UVSIM_START_LAG_MS", 0, UINT64_MAX / 1000000);
    done = 0;
  }
  if (done || lag_ms == 0 || loop != default_loop_ptr) return;
  done = 1;
  sim* s = uvs__sim();
  const uv_timer_t* t = uvs__timer_min(loop);
  uint64_t now_ms = (UVS__EPOCH_NS + sim_now(s)) / 1000000u;
  if (t && t->timeout <= now_ms + lag_ms &&
      sim_choose(s, SIM_TIMEOUT_VS_IMMEDIATE, 2, "main script: start-up time") == 1)
    return;
  sim_advance_to(s, sim_now(s) + lag_ms * 1000000u);
}

static int run_loop(uv_loop_t* loop, uv_run_mode mode) {
  sim* s = uvs__sim();
  start_lag(loop);
  uvs__signal_poll();                              /* raised before */
  if (uvs__pool_kick_pending) uvs__pool_kick();   /* work queued before */
  int r = loop_alive(loop);
  if (!r) uvs__update_time(loop);
  while (r != 0 && loop->stop_flag == 0 && !sim_failed(s)) {
    check_loop(loop);
    if (!step_budget_ok(s)) break;
    uvs__update_time(loop);
    uvs__run_timers(loop);
    int can_sleep = uvs__q_empty(&uvs__L(loop)->pending) &&
                    uvs__q_empty((void* (*)[2])&loop->idle_handles);
    run_pending(loop);
    uvs__run_idle(loop);
    uvs__run_prepare(loop);
    int timeout = 0;
    if ((mode == UV_RUN_ONCE && can_sleep) || mode == UV_RUN_DEFAULT)
      timeout = backend_timeout(loop);
    io_poll(loop, timeout);
    for (int i = 0; i < 8 && !uvs__q_empty(&uvs__L(loop)->pending); i++)
      run_pending(loop);
    uvs__run_check(loop);
    run_closing_handles(loop);
    if (mode == UV_RUN_ONCE) {
      uvs__update_time(loop);
      uvs__run_timers(loop);
    }
    r = loop_alive(loop);
    if (mode == UV_RUN_ONCE || mode == UV_RUN_NOWAIT) break;
  }
  if (loop->stop_flag != 0) loop->stop_flag = 0;
  return r;
}

/* ---- handles */

void uvs__handle_init(uv_loop_t* loop, uv_handle_t* h, uv_handle_type type) {
  UVS__ASSERT(type > UV_UNKNOWN_HANDLE && type < UV_HANDLE_TYPE_MAX, "bad handle type");
  /* uv_loop_close fills the loop with 0xff: its state pointer reads all ones */
  UVS__ASSERT(loop->internal_fields != NULL &&
              loop->internal_fields != (void*)~(uintptr_t)0,
              "a handle is initialised on a loop that is not initialised or was closed");
  h->loop = loop;
  h->type = type;
  h->flags = UVS__H_REF;
  h->close_cb = NULL;
  h->next_closing = NULL;
  uvs__q_insert_tail(&loop->handle_queue, &h->handle_queue);
  uvs__set_label(h, uvs__unique_label(uv_handle_type_name(type)));
}

void uvs__handle_start(uv_handle_t* h) {
  UVS__ASSERT(!(h->flags & UVS__H_CLOSED), "a closed handle is started");
  if (h->flags & UVS__H_ACTIVE) return;
  h->flags |= UVS__H_ACTIVE;
  if (h->flags & UVS__H_REF) h->loop->active_handles++;
}

/* active_handles counts the handles that are active and referenced; it is
 * unsigned, so a decrement it does not cover would wrap to 4 billion and
 * keep the loop alive for ever instead of failing. */
void uvs__handle_stop(uv_handle_t* h) {
  if (!(h->flags & UVS__H_ACTIVE)) return;
  h->flags &= ~UVS__H_ACTIVE;
  if (h->flags & UVS__H_REF) {
    UVS__ASSERT(h->loop->active_handles > 0, "the active handle count goes below 0");
    h->loop->active_handles--;
  }
}

void uv_ref(uv_handle_t* h) {
  if (h->flags & UVS__H_REF) return;
  h->flags |= UVS__H_REF;
  if (h->flags & UVS__H_CLOSING) return;
  if (h->flags & UVS__H_ACTIVE) h->loop->active_handles++;
}

void uv_unref(uv_handle_t* h) {
  if (!(h->flags & UVS__H_REF)) return;
  h->flags &= ~UVS__H_REF;
  if (h->flags & UVS__H_CLOSING) return;
  if (h->flags & UVS__H_ACTIVE) {
    UVS__ASSERT(h->loop->active_handles > 0, "the active handle count goes below 0");
    h->loop->active_handles--;
  }
}

int uv_has_ref(const uv_handle_t* h) { return (h->flags & UVS__H_REF) != 0; }

int uv_is_active(const uv_handle_t* h) {
  return (h->flags & UVS__H_ACTIVE) != 0;
}

int uv_is_closing(const uv_handle_t* h) { return uvs__is_closing(h); }

void uv_walk(uv_loop_t* loop, uv_walk_cb walk_cb, void* arg) {
  /* The callback may close handles: walk a private copy of the queue and
   * put each handle back before calling it, as libuv does. */
  uvs__queue q;
  uvs__q_move(&loop->handle_queue, &q);
  while (!uvs__q_empty(&q)) {
    void* (*e)[2] = uvs__q_head(&q);
    uv_handle_t* h = UVS__QDATA(e, uv_handle_t, handle_queue);
    UVS__ASSERT(h->loop == loop, "a handle is on another loop's handle queue");
    uvs__q_remove(e);
    uvs__q_insert_tail(&loop->handle_queue, e);
    if (h->flags & UVS__H_INTERNAL) continue;
    walk_cb(h, arg);
  }
}

static void print_handles(uv_loop_t* loop, FILE* stream, int only_active) {
  if (loop == NULL) loop = uv_default_loop();
  void* (*q)[2];
  UVS__QFOREACH(q, &loop->handle_queue) {
    uv_handle_t* h = UVS__QDATA(q, uv_handle_t, handle_queue);
    if (only_active && !uv_is_active(h)) continue;
    fprintf(stream, "[%c%c%c] %-8s %p\n", (h->flags & UVS__H_REF) ? 'R' : '-',
            (h->flags & UVS__H_ACTIVE) ? 'A' : '-',
            (h->flags & UVS__H_INTERNAL) ? 'I' : '-',
            uv_handle_type_name(h->type), (void*)h);
  }
}

void uv_print_all_handles(uv_loop_t* loop, FILE* stream) { print_handles(loop, stream, 0); }
void uv_print_active_handles(uv_loop_t* loop, FILE* stream) { print_handles(loop, stream, 1); }

uv_handle_type uv_handle_get_type(const uv_handle_t* h) { return h->type; }
void* uv_handle_get_data(const uv_handle_t* h) { return h->data; }
uv_loop_t* uv_handle_get_loop(const uv_handle_t* h) { return h->loop; }
void uv_handle_set_data(uv_handle_t* h, void* data) { h->data = data; }
uv_req_type uv_req_get_type(const uv_req_t* req) { return req->type; }
void* uv_req_get_data(const uv_req_t* req) { return req->data; }
void uv_req_set_data(uv_req_t* req, void* data) { req->data = data; }

void uvs__loop_globals_reset(void) {
  id_counter = 0;
  uvs__labels_reset();
  /* Loops of the previous run that were never closed (the run stopped at a
   * finding, or the program forgot) are forgotten, not closed: their handles
   * belonged to a run that has ended. Loops must not outlive their run. */
  while (live_loops) live_free(live_loops);
  default_loop_ptr = NULL;
  uvs__peers_reset();
  uvs__pool_reset();
  uvs__os_reset();
}
