/* loop/internal.h — what the files of loop/ share: the per-loop state that
 * does not fit in uv_loop_t's fixed ABI, handle flags, the phase runners, the
 * pool submission API and the I/O delivery API that the simulated world
 * (fs, tcp, pipe, dns) plugs into.
 *
 * Sections: core · handles · timers · watchers · async · pool · io · world.
 */
#ifndef UVSIM_LOOP_INTERNAL_H
#define UVSIM_LOOP_INTERNAL_H

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "loop/queue.h"
#include "sim/sim.h"

/* ------------------------------------------------------------------ core */

/* Handle flags (handle->flags). Private to uvsim; the values are ours. */
enum {
  UVS__H_CLOSING = 0x01,
  UVS__H_CLOSED = 0x02,
  UVS__H_ACTIVE = 0x04,
  UVS__H_REF = 0x08,
  UVS__H_INTERNAL = 0x10,   /* not reported by uv_walk, not counted by close */
  UVS__H_NAMED = 0x20,      /* labelled by its callback (uvs__name_handle) */
  UVS__H_CLOSE_LATER = 0x40,/* close hook: the type calls uvs__make_close_pending */
  /* streams (loop/stream.c may use 0x100 and up) */
};

typedef struct uvs__io uvs__io;
typedef struct uvs__work uvs__work;

/* State of one loop that does not fit in uv_loop_t (kept behind
 * loop->internal_fields). */
typedef struct uvs__loop {
  uv_loop_t* loop;
  /* every loop of the current run, so a run that stops mid-way (a bug was
   * found, its loop never closed) is reclaimed at the next world begin */
  struct uvs__loop* live_prev;
  struct uvs__loop* live_next;
  uint64_t id;                 /* stable per-world number, for labels  */
  /* timers: binary min-heap by (timeout, start_id) */
  struct uvs__tnode* timers;   /* keys kept in the array: no pointer
                                  chasing when comparing (timer.c) */
  size_t ntimers, timers_cap;
  /* pool jobs of this loop that finished (or were cancelled) and wait
   * for their done callback in the poll phase; FIFO by finish time */
  uvs__queue work_done;
  size_t nwork_done;
  /* pool jobs of this loop submitted and not yet delivered (queued,
   * running or done): each holds a request in flight (assertions) */
  size_t njobs;
  /* I/O events made ready by the world, delivered in the poll phase */
  uvs__queue io_ready;
  size_t nio_ready;
  /* callbacks deferred to the pending phase (write_cb, connect errors) */
  uvs__queue pending;
  /* async sends are flagged here; real threads take the mutex */
  int async_pending;
  /* libuv's uv_backend_timeout answers 0 while I/O watchers wait to be
   * registered with epoll, which is the case from uv_loop_init until the
   * first poll: set by init (and by world code starting a watcher), cleared
   * by the poll phase. */
  int watchers_pending;
  /* UV_METRICS_IDLE_TIME: on, and the virtual ns the poll phase waited */
  int metrics_idle;
  uint64_t idle_ns;
} uvs__loop;

static inline uvs__loop* uvs__L(const uv_loop_t* loop) {
  return (uvs__loop*)loop->internal_fields;
}

/* The world the loop asks for decisions. */
static inline sim* uvs__sim(void) { return sim_current(); }

/* Misuse that libuv asserts on: abort with a clear message. */
#define UVS__ASSERT(cond, msg)                                          \
  do {                                                                 \
    if (!(cond)) uvs__fatal(__func__, msg);                            \
  } while (0)
_Noreturn void uvs__fatal(const char* func, const char* msg);

/* Called after every callback delivered to user code: trace it, then run
 * the engine's checkpoint (nextTicks, microtasks) if one is registered. */
void uvs__after_callback(void);
extern const char* uvs__cb_label;   /* the callback being delivered */
static inline void uvs__trace_cb(const char* label) {
  uvs__cb_label = label;
  sim_trace_callback(uvs__sim(), label);
}

/* The virtual clock as libuv shows it. Real monotonic clocks are never 0
 * (upstream tests assert `0 < uv_now()`), so uv_hrtime/uv_now count from a
 * fixed epoch of 1000 s. */
#define UVS__EPOCH_NS 1000000000000ull
#define UVS__EPOCH_MS (UVS__EPOCH_NS / 1000000u)
/* Real time always moves: reading the clock costs 1 us of virtual time, so a
 * busy loop (idle handles, NOWAIT polling) reaches its timers, as on a real
 * machine, instead of spinning at one instant. Deterministic, not a
 * decision. */
#define UVS__CLOCK_READ_COST_NS 1000u

/* The virtual wall clock starts at 2020-01-01T00:00:00Z (uv_gettimeofday,
 * uvsim_wall_ns, and Date.now() under `uvsim node`). */
#define UVS__WALL_EPOCH_S 1577836800ull

/* The leak oracle (uvsim_set_leak_check): on or off for this run, and the
 * report of a leak found by uv_loop_close (loop/world.c). */
int uvs__leak_check_on(void);
void uvs__leak_found(const char* where, const char* msg);

/* A program run unchanged that hangs (loop alive, nothing can ever
 * happen) says so on stderr and exits with this status (loop/world.c). */
#define UVS__EXIT_HANG 86
void uvs__hang_stop(sim* s);

/* The virtual clock (ns) as a program reads the wall clock: each read costs
 * UVS__CLOCK_READ_COST_NS (uv_gettimeofday, uvsim_wall_ns_read). */
uint64_t uvs__clock_read(void);
/* After each callback: uv_hrtime's reads are free again (loop/core.c). */
void uvs__hrtime_spin_reset(void);

/* libuv's buffer contract (uv_os_getenv, uv_os_gethostname, uv_os_homedir
 * ...): on success *size is the length without the NUL; when the buffer is
 * too small, UV_ENOBUFS and *size the room needed, the buffer untouched
 * (loop/process.c). */
int uvs__copy_out(const char* s, char* buf, size_t* size);

/* Refresh loop->time from the virtual clock (milliseconds). */
void uvs__update_time(uv_loop_t* loop);
/* A loop-time deadline (ms) as a virtual clock instant (ns). */
static inline uint64_t uvs__deadline_ns(uint64_t loop_ms) {
  if (loop_ms >= UINT64_MAX / 1000000u) return UINT64_MAX;
  return loop_ms * 1000000u - UVS__EPOCH_NS;
}

/* Per-world counter that numbers loops. Reset by uvsim_world_begin so that
 * everything named from it is identical from run to run. */
uint64_t uvs__next_id(void);

/* ---------------------------------------------------------------- labels
 *
 * A label names what a decision is about so that it survives edits to the
 * program (docs/loop.md): a handle is "TYPE:CALLBACK" once it has a
 * callback (the function's symbol, loop/symbol.c), "TYPE" before; a pool
 * job is its hand-given label or "work:AFTER_CB"; fs requests are "fs.OP
 * NAME". Two things with the same label in one run are told apart by
 * creation order among those alone: the second is "LABEL#2". */

/* The callback's function name, or NULL (no symbol found). Never an
 * address: labels must not depend on where things were loaded. */
const char* uvs__symbol_name(const void* fn);
/* LABEL, or LABEL#k for the k-th request of the same LABEL this run;
 * interned in the world's arena. */
const char* uvs__unique_label(const char* label);
/* "TYPE:SYMBOL" (or "TYPE" when the symbol is unknown), made unique. */
const char* uvs__callback_label(const char* type, const void* cb);
/* Names a handle by its callback, once: the first callback it is given
 * (uv_timer_start, uv_read_start, uv_listen, a connect...) names it for the
 * rest of the run. Streams pass the new label on to their I/O. */
void uvs__name_handle(uv_handle_t* h, const void* cb);
/* Forgets the run's label counts (uvsim_world_begin). */
void uvs__labels_reset(void);

/* ---------------------------------------------------------------- handles */

/* Handle types implemented outside core (tcp, pipe, ...) register how they
 * close: close_hook runs inside uv_close (stop I/O), finish_close_hook just
 * before the close callback (free buffers). */
extern void (*uvs__close_hook[UV_HANDLE_TYPE_MAX])(uv_handle_t*);
extern void (*uvs__finish_close_hook[UV_HANDLE_TYPE_MAX])(uv_handle_t*);

void uvs__handle_init(uv_loop_t* loop, uv_handle_t* h, uv_handle_type type);
/* A close hook that sets UVS__H_CLOSE_LATER keeps its handle off the
 * closing list until it calls this (libuv's uv__make_close_pending:
 * uv_fs_poll waits for its timer and its stat request). */
void uvs__make_close_pending(uv_handle_t* h);
/* File watchers (loop/fs_event.c): inotify events caused by a pool job's
 * change, read before that job's done callback, as libuv reads the
 * inotify descriptor before the worker's wake-up. Returns callbacks run. */
int uvs__fs_event_run_early(uv_loop_t* loop);
void uvs__handle_start(uv_handle_t* h);
void uvs__handle_stop(uv_handle_t* h);
static inline int uvs__is_active(const uv_handle_t* h) {
  return (h->flags & UVS__H_ACTIVE) != 0;
}
static inline int uvs__is_closing(const uv_handle_t* h) {
  return (h->flags & (UVS__H_CLOSING | UVS__H_CLOSED)) != 0;
}
/* Each handle's label lives in u.reserved[3] (u.fd and reserved[0..2]
 * stay free for handle types that want them). */
static inline const char* uvs__label(const uv_handle_t* h) {
  return (const char*)h->u.reserved[3];
}
static inline void uvs__set_label(uv_handle_t* h, const char* label) {
  h->u.reserved[3] = (void*)label;
}
/* Requests are counted on the loop while in flight. */
static inline void uvs__req_register(uv_loop_t* loop) { loop->active_reqs.count++; }
static inline void uvs__req_unregister(uv_loop_t* loop) {
  /* unsigned: a decrement too many would keep the loop alive for ever */
  UVS__ASSERT(loop->active_reqs.count > 0, "the request count goes below 0");
  loop->active_reqs.count--;
}

/* ----------------------------------------------------------------- timers */

void uvs__run_timers(uv_loop_t* loop);
/* Milliseconds until the next timer, -1 when none. */
int uvs__next_timeout(const uv_loop_t* loop);
/* The active timer that fires first (the heap's root: earliest deadline,
 * then earliest start), NULL when none. Its deadline, in loop ms, is the
 * handle's `timeout`. */
uv_timer_t* uvs__timer_min(const uv_loop_t* loop);
void uvs__timer_close(uv_timer_t* t);

/* --------------------------------------------------------------- watchers */

void uvs__run_idle(uv_loop_t* loop);
void uvs__run_prepare(uv_loop_t* loop);
void uvs__run_check(uv_loop_t* loop);
void uvs__idle_close(uv_idle_t* h);
void uvs__prepare_close(uv_prepare_t* h);
void uvs__check_close(uv_check_t* h);

/* ------------------------------------------------------------------ async */

/* Delivers pending async sends; returns how many callbacks ran. */
int uvs__run_async(uv_loop_t* loop);
void uvs__async_close(uv_async_t* h);
/* Real-thread wake-up: a real thread (worker or user thread) did something
 * the loop must see (async send, blocked pool job finished). */
void uvs__wake(void);
/* Blocks the loop thread until a real thread wakes it or max_ns of real
 * time passed (UINT64_MAX: no limit); returns 1 when woken. Only for when
 * real threads are the only possible source of progress. */
int uvs__real_wait(uint64_t max_ns);
/* Whether any async handle of `loop` has a send pending (and records it in
 * the loop's state). */
int uvs__async_pending_any(uv_loop_t* loop);

/* ------------------------------------------------------------------- pool */

/* A pool job. uv_work_t uses it through uv_queue_work; the world (fs, dns)
 * submits its own jobs with uvs__work_submit. `work` runs on a real worker
 * thread (or inline, see uvsim_pool_set_inline); `done` runs on the loop
 * thread in the poll phase, in an order chosen by the decision stream
 * (SIM_POOL_FINISH, choice 0 = the job that finished first). `status` is 0
 * or UV_ECANCELED. */
struct uvs__work {
  void (*work)(uvs__work* w);
  void (*done)(uvs__work* w, int status);
  uv_loop_t* loop;
  const char* label;           /* "fs.stat b", "work#3" — stable        */
  void* q[2];                  /* pool queue, then the loop's done list */
  sim_event ev;                /* virtual completion                    */
  uint64_t extra_ns;           /* cost declared by the work itself      */
  int state;                   /* see threadpool.c                      */
  int status;
  int real_done;               /* the real thread returned from work()  */
  int virt_done;               /* the virtual duration elapsed          */
  int worker;                  /* virtual worker index                  */
};

void uvs__work_submit(uv_loop_t* loop, uvs__work* w, const char* label,
                      void (*work)(uvs__work* w),
                      void (*done)(uvs__work* w, int status));
/* 0 when the job was still queued (its done gets UV_ECANCELED), else
 * UV_EBUSY. */
int uvs__work_cancel(uvs__work* w);
/* uv_cancel for request types of the simulated world (fs, getaddrinfo). */
extern int (*uvs__cancel_hook[UV_REQ_TYPE_MAX])(uv_req_t*);
/* Delivers finished jobs' done callbacks; returns how many ran. */
int uvs__run_work_done(uv_loop_t* loop);
/* Jobs that have finished virtually but whose real thread is still inside
 * work() (it blocks on something): the loop must wait for them really. */
int uvs__pool_blocked(void);
/* 1 inside a work callback (on whichever thread runs it). */
int uvs__in_pool_work(void);
/* A thread primitive is about to block (loop/thread.c): a work callback
 * running on the loop thread moves to a real thread first. */
void uvs__pool_may_block(void);
/* Collect real completions of blocked jobs (loop thread). */
void uvs__pool_collect(void);
void uvs__pool_reset(void);
/* Submitted jobs start at the next scheduling point (see threadpool.c):
 * callers check the flag, then kick. */
extern int uvs__pool_kick_pending;
void uvs__pool_kick(void);

/* --------------------------------------------------------------------- io */

/* An I/O event made ready by the simulated world (a socket became
 * readable, a connection was accepted, ...). Embed it in the owner. The
 * world schedules a sim_event; its fire function calls uvs__io_ready();
 * the poll phase then calls cb, choosing among several ready events with
 * SIM_IO_ORDER (choice 0 = the one that became ready first). */
struct uvs__io {
  void (*cb)(uv_loop_t* loop, uvs__io* io);
  const char* label;
  void* q[2];
  int queued;
};

void uvs__io_init(uvs__io* io, void (*cb)(uv_loop_t*, uvs__io*),
                  const char* label);
void uvs__io_ready(uv_loop_t* loop, uvs__io* io);
void uvs__io_cancel(uv_loop_t* loop, uvs__io* io);
/* Deferred to the next pending phase (libuv's uv__io_feed). */
void uvs__pending_push(uv_loop_t* loop, uvs__io* io);
int uvs__run_io_ready(uv_loop_t* loop);

/* Real descriptors the simulation does not own, polled by uv_poll
 * (loop/poll.c): whether `loop` polls any; one look at them with a zero
 * timeout (each answer an observation, sim.h), returning how many became
 * ready; a real wait for them when nothing simulated can ever happen
 * (0: a replay past its last observation, nothing can come); the wake-up
 * of that wait by a real thread (uvs__wake); forgetting them
 * (uvsim_world_begin). */
int uvs__poll_real_active(const uv_loop_t* loop);
int uvs__poll_look(uv_loop_t* loop);
int uvs__poll_block(uv_loop_t* loop, uint64_t max_ns);
void uvs__poll_wake(void);
void uvs__poll_reset(void);
/* Streams on real descriptors (loop/realstream.c), looked at and waited
 * for with the polled ones: whether `loop` has one waiting for the
 * kernel; one look at them (observations as uv_poll's); their pollfds
 * (NULL: only the count); forgetting them (uvsim_world_begin). */
struct pollfd;
int uvs__rstream_active(const uv_loop_t* loop);
int uvs__rstream_look(uv_loop_t* loop);
size_t uvs__rstream_fds(const uv_loop_t* loop, struct pollfd* fds, size_t max);
void uvs__rstream_reset(void);
/* Real descriptors handed to uv_tcp_open/uv_udp_open (loop/realfd.c):
 * whether another open handle of `loop` holds `fd` (EEXIST); what a real
 * socket of `type` is (SOCK_STREAM...): its local address (a struct
 * sim_addr), bound and connected; made non-blocking. 0 or a UV_ error. */
int uvs__realfd_taken(uv_loop_t* loop, int fd, const uv_handle_t* self);
struct sim_addr;
int uvs__realfd_socket(int fd, int type, struct sim_addr* local, int* bound,
                       int* connected);

/* ------------------------------------------------------------------ world */

/* Resets loop-layer globals (ids, the default loop, the pool) at the start
 * of an in-process run. */
void uvs__loop_globals_reset(void);
/* Live user threads created with uv_thread_create: while any runs, an empty
 * loop may still be woken by uv_async_send, so it is not a hang. */
int uvs__user_threads_live(void);
/* Child processes (loop/spawn.c): forget the run's processes (world
 * reset); uv_kill to a child's pid (1 when `pid` is one, *result set). */
void uvs__spawn_reset(void);
int uvs__child_kill(int pid, int signum, int* result);
/* The fork server (loop/forkserver.c), at the default loop's first
 * uv_run: under `uvsim exec` (UVSIM_FORKSERVER) the process forks one
 * child per schedule here, and returns only in a child. */
void uvs__forkserver_point(void);

/* Peer processes (loop/peer.c): on a peer's thread uv_default_loop() is the
 * peer's own and its poll phase sleeps through uvs__peer_wait; the program's
 * poll phase runs the peers that have something to do (uvs__peers_run, 0 if
 * none ran: with `sleeping` 0, only those ready for UVS__PEER_WAKE_NS of
 * virtual time) and counts their timers among the deadlines the clock may
 * jump to (uvs__peers_next_ns, UINT64_MAX if none). */
#define UVS__PEER_WAKE_NS 50000u
int uvs__peer_current(void);
/* On a thread of the simulated world (loop/thread.c). */
int uvs__on_sim_thread(void);
uv_loop_t* uvs__peer_default_loop(void);
void uvs__peer_wait(uv_loop_t* loop, int timeout);
int uvs__peers_run(int sleeping);
uint64_t uvs__peers_next_ns(void);
void uvs__peers_reset(void);

#endif /* UVSIM_LOOP_INTERNAL_H */
