/* loop/signal.c — uv_signal_*: signal handles, registered in the simulated
 * world only.
 *
 * A started handle is active and, while referenced, keeps its loop alive,
 * exactly as in libuv 1.44 (src/unix/signal.c), so Node's process.on(
 * 'SIGINT') (an unreferenced handle) and a C program waiting for SIGTERM
 * (a referenced one) see the loop behave as on a real machine. Nothing real
 * is registered: no sigaction, no signal pipe, the real process's signal
 * dispositions are never touched. A signal reaches handles only through
 * uvs__signal_deliver (loop/os.h), which queues each watching handle's
 * callback as an I/O event of its loop; nothing calls it yet from outside
 * (uv_kill and real signals are not simulated). A loop kept alive only by a
 * referenced signal handle therefore has nothing that can ever happen, and
 * the hang oracle says so — on a real machine it would wait for a signal.
 *
 * libuv's rules kept: signum 0 is EINVAL before anything else, a signal
 * sigaction(2) refuses (SIGKILL, SIGSTOP, glibc's internal 32 and 33, out
 * of 1..64) is EINVAL; starting on the signal already watched only swaps
 * the callback; a handle once started with uv_signal_start_oneshot stays
 * one-shot (libuv never clears the flag); starting or stopping a closing
 * handle is a misuse libuv asserts on. Signals caught but not dispatched
 * when the handle stops or closes are dropped, as libuv's do. */
#include "loop/internal.h"

#include <signal.h>

#include "loop/os.h"
#include "loop/world_io.h"

/* handle->flags: started with uv_signal_start_oneshot (never cleared). */
#define UVS__SIG_ONESHOT 0x100

/* Per-handle state, in handle->u.reserved[0]; run-owned (worldio.h). */
typedef struct sig_state {
  uv_signal_t* h;
  uvs__io io;                   /* poll phase: caught signals to dispatch  */
  const char* cb_label;         /* "signal#3 signal", interned once        */
  struct sig_state* prev;       /* started handles, in start order         */
  struct sig_state* next;
} sig_state;

static sig_state* started;      /* every started handle of every loop      */

static sig_state* state_of(const uv_signal_t* h) {
  return (sig_state*)h->u.reserved[0];
}

void uvs__signal_reset(void) {
  /* The states themselves are run-owned: uvs__world_io_reset frees them. */
  started = NULL;
}

/* What sigaction(2) accepts on Linux with glibc. */
static int signum_valid(int signum) {
  if (signum < 1 || signum > 64) return 0;
  return signum != SIGKILL && signum != SIGSTOP && signum != 32 && signum != 33;
}

static void unlink_started(sig_state* st) {
  if (st->prev) st->prev->next = st->next;
  else started = st->next;
  if (st->next) st->next->prev = st->prev;
  st->prev = st->next = NULL;
}

static void link_started(sig_state* st) {
  /* at the tail: delivery order is start order */
  sig_state** p = &started;
  sig_state* last = NULL;
  while (*p) {
    last = *p;
    p = &(*p)->next;
  }
  st->prev = last;
  st->next = NULL;
  *p = st;
}

static void signal_stop(uv_signal_t* h) {
  if (h->signum == 0) return;
  sig_state* st = state_of(h);
  unlink_started(st);
  uvs__io_cancel(h->loop, &st->io);
  h->dispatched_signals = h->caught_signals;   /* undelivered: dropped */
  h->signum = 0;
  uvs__handle_stop((uv_handle_t*)h);
}

/* The poll phase: one callback per caught signal, as libuv reads one
 * message per signal from its pipe. */
static void signal_io(uv_loop_t* loop, uvs__io* io) {
  (void)loop;
  sig_state* st = UVS__QDATA(io, sig_state, io);
  uv_signal_t* h = st->h;
  while (h->dispatched_signals < h->caught_signals && h->signum != 0 &&
         !uvs__is_closing((uv_handle_t*)h)) {
    h->dispatched_signals++;
    if (h->signal_cb) {
      uvs__trace_cb(st->cb_label);
      h->signal_cb(h, h->signum);
      uvs__after_callback();
    }
    if ((h->flags & UVS__SIG_ONESHOT) && !uvs__is_closing((uv_handle_t*)h))
      signal_stop(h);
  }
}

static void signal_close(uv_handle_t* h) { signal_stop((uv_signal_t*)h); }

static void signal_finish_close(uv_handle_t* h) {
  uvs__wfree(state_of((uv_signal_t*)h));
  h->u.reserved[0] = NULL;
}

int uv_signal_init(uv_loop_t* loop, uv_signal_t* handle) {
  uvs__handle_init(loop, (uv_handle_t*)handle, UV_SIGNAL);
  uvs__close_hook[UV_SIGNAL] = signal_close;
  uvs__finish_close_hook[UV_SIGNAL] = signal_finish_close;
  handle->signal_cb = NULL;
  handle->signum = 0;
  handle->caught_signals = 0;
  handle->dispatched_signals = 0;
  sig_state* st = uvs__wcalloc(sizeof *st);
  st->h = handle;
  const char* label = uvs__label((uv_handle_t*)handle);
  uvs__io_init(&st->io, signal_io, label);
  st->cb_label = sim_internf(uvs__sim(), "%s signal", label);
  handle->u.reserved[0] = st;
  return 0;
}

static int signal_start(uv_signal_t* h, uv_signal_cb cb, int signum, int oneshot) {
  UVS__ASSERT(!uvs__is_closing((uv_handle_t*)h), "signal handle is closing");
  if (signum == 0) return UV_EINVAL;
  if (signum == h->signum) {
    h->signal_cb = cb;
    return 0;
  }
  if (h->signum != 0) signal_stop(h);
  if (!signum_valid(signum)) return UV_EINVAL;
  h->signum = signum;
  if (oneshot) h->flags |= UVS__SIG_ONESHOT;
  link_started(state_of(h));
  h->signal_cb = cb;
  uvs__handle_start((uv_handle_t*)h);
  return 0;
}

int uv_signal_start(uv_signal_t* handle, uv_signal_cb signal_cb, int signum) {
  return signal_start(handle, signal_cb, signum, 0);
}

int uv_signal_start_oneshot(uv_signal_t* handle, uv_signal_cb signal_cb,
                            int signum) {
  return signal_start(handle, signal_cb, signum, 1);
}

int uv_signal_stop(uv_signal_t* handle) {
  UVS__ASSERT(!uvs__is_closing((uv_handle_t*)handle), "signal handle is closing");
  signal_stop(handle);
  return 0;
}

int uvs__signal_deliver(int signum) {
  int n = 0;
  for (sig_state* st = started; st; st = st->next) {
    uv_signal_t* h = st->h;
    if (h->signum != signum) continue;
    h->caught_signals++;
    uvs__io_ready(h->loop, &st->io);
    n++;
  }
  return n;
}
