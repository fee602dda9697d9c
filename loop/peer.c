/* loop/peer.c — peer processes: a second program on the simulated machine,
 * in the same world as the program under test.
 *
 * Why: libuv's own suite runs most stream tests against an echo server in
 * a helper process (test/echo-server.c), and a client is only as testable
 * as the server it talks to. A real helper process has a world of its own
 * (its own simulated network): the client's connect is refused. A peer is
 * that helper's code run inside this world instead: it shares the virtual
 * clock, the network and the decision stream, and has a default loop of its
 * own (uv_default_loop() on the peer's thread), so the program's loop and
 * the peer's keep separate handles, ref counts and liveness — tcp_ref3's
 * uv_run returns while the server still listens, as with two processes.
 *
 * How: the peer runs on a real thread of its own, but never at the same
 * time as the program: one baton is handed back and forth, so the world
 * is touched by one thread at a time and a run stays a pure function of
 * its decisions. The program starts a peer with uvsim_peer_start, which
 * runs it until its loop would sleep in the poll phase. From then on the
 * program's poll phase (loop/core.c) hands the baton to every peer that has
 * something to do (ready I/O, a due timer, pending callbacks) and takes it
 * back when that peer would sleep again; when the program itself would
 * sleep, the clock moves to the earliest of its own deadline, the next
 * world event and the peers' timers.
 *
 * Sound: the peer reacts while the program is blocked in poll, which a
 * real second process on an idle machine does; the moments a real peer
 * would run *during* the program's callbacks are not explored. A peer's
 * timers fire without lag (choice 0). */
#include "loop/internal.h"

#include <pthread.h>
#include <stdlib.h>

#include "uvsim.h"

typedef enum { PEER_RUNNING, PEER_WAITING, PEER_DONE } peer_state;

typedef struct uvs__peer {
  struct uvs__peer* next;        /* start order */
  int (*main_fn)(void);
  pthread_t thread;
  peer_state state;
  uv_loop_t default_loop;        /* what uv_default_loop() is on its thread */
  int default_made;
  /* where it sleeps: the loop it runs and the poll timeout (-1: none) */
  uv_loop_t* waiting_loop;
  int waiting_timeout;
  /* when the program's poll, not sleeping itself, first saw it ready */
  int ready_seen;
  uint64_t ready_since;
  int result;
} uvs__peer;

static pthread_mutex_t baton_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t baton_cv = PTHREAD_COND_INITIALIZER;
static uvs__peer* holder;                   /* NULL: the program runs */
static uvs__peer* peers;                    /* this run's peers */
static _Thread_local uvs__peer* self;       /* set on a peer's thread */

int uvs__peer_current(void) { return self != NULL; }

uv_loop_t* uvs__peer_default_loop(void) {
  UVS__ASSERT(self != NULL, "a peer's default loop asked outside a peer");
  if (!self->default_made) {
    if (uv_loop_init(&self->default_loop) != 0) return NULL;
    self->default_made = 1;
  }
  return &self->default_loop;
}

/* The program hands the baton to `p` and waits until p would sleep (or
 * ends): p runs while the program is stopped, as if the program slept. */
static void run_peer(uvs__peer* p) {
  UVS__ASSERT(self == NULL, "a peer hands the baton to another peer");
  pthread_mutex_lock(&baton_mu);
  UVS__ASSERT(holder == NULL, "the baton is held twice");
  p->state = PEER_RUNNING;
  holder = p;
  pthread_cond_broadcast(&baton_cv);
  while (holder != NULL) pthread_cond_wait(&baton_cv, &baton_mu);
  pthread_mutex_unlock(&baton_mu);
}

/* On the peer's thread: give the baton back and wait for it again. */
static void give_back_and_wait(void) {
  pthread_mutex_lock(&baton_mu);
  holder = NULL;
  pthread_cond_broadcast(&baton_cv);
  while (holder != self) pthread_cond_wait(&baton_cv, &baton_mu);
  pthread_mutex_unlock(&baton_mu);
}

void uvs__peer_wait(uv_loop_t* loop, int timeout) {
  UVS__ASSERT(self != NULL && self->state == PEER_RUNNING,
              "a loop that is not a running peer's sleeps as a peer");
  self->waiting_loop = loop;
  self->waiting_timeout = timeout;
  self->state = PEER_WAITING;
  give_back_and_wait();
  UVS__ASSERT(self->state == PEER_RUNNING, "a peer woke without the baton");
}

static void* peer_thread(void* arg) {
  uvs__peer* p = arg;
  pthread_mutex_lock(&baton_mu);
  while (holder != p) pthread_cond_wait(&baton_cv, &baton_mu);
  pthread_mutex_unlock(&baton_mu);
  self = p;
  p->result = p->main_fn();
  p->state = PEER_DONE;
  pthread_mutex_lock(&baton_mu);
  holder = NULL;
  pthread_cond_broadcast(&baton_cv);
  pthread_mutex_unlock(&baton_mu);
  return NULL;
}

int uvsim_peer_start(int (*main_fn)(void)) {
  UVS__ASSERT(self == NULL, "a peer starts a peer");
  if (main_fn == NULL) return UV_EINVAL;
  uvs__peer* p = calloc(1, sizeof *p);
  if (p == NULL) return UV_ENOMEM;
  p->main_fn = main_fn;
  p->state = PEER_WAITING;
  p->waiting_timeout = 0;
  /* a thread that outlives the run (a server never stops) is left
   * waiting for a baton that never comes, and dies with the process */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int err = pthread_create(&p->thread, &attr, peer_thread, p);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    free(p);
    return UV_EAGAIN;
  }
  uvs__peer** tail = &peers;
  while (*tail) tail = &(*tail)->next;
  *tail = p;
  run_peer(p);   /* until it listens, say, and would sleep */
  return 0;
}

/* Whether a sleeping peer has something to do now: what libuv's poll
 * would wake it for, or a timer due on the virtual clock. */
static int peer_ready(const uvs__peer* p) {
  if (p->state != PEER_WAITING) return 0;
  const uv_loop_t* loop = p->waiting_loop;
  if (loop == NULL) return 1;          /* started, never ran */
  const uvs__loop* L = uvs__L(loop);
  if (L->nio_ready > 0 || L->nwork_done > 0 || L->async_pending ||
      !uvs__q_empty((void* (*)[2])&L->pending) || loop->closing_handles != NULL)
    return 1;
  const uv_timer_t* t = uvs__timer_min(loop);
  return p->waiting_timeout > 0 && t != NULL &&
         uvs__deadline_ns(t->timeout) <= sim_now(uvs__sim());
}

/* A real second process needs a moment to wake up: a program that polls
 * without sleeping (a zero timeout: pending callbacks, idle handles) finds
 * its peers' answers only once they have been ready for UVS__PEER_WAKE_NS
 * of virtual time (its own clock reads move the clock), so that in the
 * natural order the program's next few iterations come first, as on a real
 * machine, and a program that spins still lets them run. */
static int may_run(uvs__peer* p, int sleeping) {
  if (!peer_ready(p)) return 0;
  if (sleeping) return 1;
  uint64_t now = sim_now(uvs__sim());
  if (!p->ready_seen) {
    p->ready_seen = 1;
    p->ready_since = now;
  }
  return now - p->ready_since >= UVS__PEER_WAKE_NS;
}

int uvs__peers_run(int sleeping) {
  if (peers == NULL || self != NULL) return 0;
  int ran = 0;
  for (;;) {
    uvs__peer* p = peers;
    while (p && !may_run(p, sleeping)) p = p->next;
    if (p == NULL) return ran;
    p->ready_seen = 0;
    run_peer(p);
    ran = 1;
  }
}

uint64_t uvs__peers_next_ns(void) {
  uint64_t next = UINT64_MAX;
  for (const uvs__peer* p = peers; p; p = p->next) {
    if (p->state != PEER_WAITING || p->waiting_loop == NULL || p->waiting_timeout <= 0)
      continue;
    const uv_timer_t* t = uvs__timer_min(p->waiting_loop);
    if (t && uvs__deadline_ns(t->timeout) < next) next = uvs__deadline_ns(t->timeout);
  }
  return next;
}

/* A new run forgets the last run's peers (their loops are forgotten with
 * every other loop): their threads wait for ever, as abandoned pool
 * workers do. */
void uvs__peers_reset(void) { peers = NULL; }
