/* loop/signal.c — uv_signal_* and uv_kill: signal handles on the
 * simulated process.
 *
 * A started handle is active and, while referenced, keeps its loop alive,
 * exactly as in libuv 1.44 (src/unix/signal.c), so Node's process.on(
 * 'SIGINT') (an unreferenced handle) and a C program waiting for SIGTERM
 * (a referenced one) see the loop behave as on a real machine.
 *
 * How a signal arrives (each one a trace note, "signal SIGTERM uv_kill"):
 *   - uv_kill to the simulated process (uv_os_getpid(), the real getpid(),
 *     0): at once, inside the call, as kill(2) to oneself;
 *   - raise(3) or kill(2) by the program itself: while a handle watches a
 *     signal a real handler is installed for it (as libuv's), which only
 *     counts signals the process sent itself (si_pid == getpid(), a user
 *     si_code); they are delivered at the next scheduling point (the end
 *     of the current callback, uv_run's entry, the poll phase). The program
 *     sends them again in a replay, at the same point;
 *   - a fault rule (`signal SIGTERM at=250ms`, sim/sim_fault.h): from the
 *     world, through sim_faults_on_signal.
 *   - a real signal from outside (another process, the terminal's
 *     Ctrl-C) while a handle watches it: delivered at the next scheduling
 *     point, as a self-sent one, and recorded in the reproducer as an
 *     `observed` line (sim_observe, label "signal", the scheduling point's
 *     number), so a replay delivers it at the same point without it being
 *     sent again, and ignores real ones (when it came is real time, which
 *     a replay cannot repeat). To explore a program's reaction to SIGTERM,
 *     a rule is still the way: it is a decision the strategies vary.
 *
 * Delivery (uvs__signal_deliver) queues the callback of every handle
 * watching the signal as an I/O event of its loop, run in the next poll
 * phase (several ready handles ordered by SIM_IO_ORDER). A signal nobody
 * watches gets the process's disposition: ignored (SIG_IGN, or a signal
 * whose default is to ignore: SIGCHLD, SIGURG, SIGWINCH, SIGCONT, and the
 * stop signals, whose stop-and-continue nothing simulated can see), the
 * program's own sigaction handler (raised for real), or death: in a
 * campaign a crash finding ("killed by SIGTERM"), in a program run
 * unchanged the real default action after the exit report.
 *
 * libuv's rules kept: signum 0 is EINVAL before anything else, a signal
 * sigaction(2) refuses (SIGKILL, SIGSTOP, glibc's internal 32 and 33, out
 * of 1..64) is EINVAL; starting on the signal already watched only swaps
 * the callback; a handle once started with uv_signal_start_oneshot stays
 * one-shot (libuv never clears the flag); starting or stopping a closing
 * handle is a misuse libuv asserts on. Signals caught but not dispatched
 * when the handle stops or closes are dropped, as libuv's do. uv_kill
 * answers EINVAL for a signal outside 0..64 (kill(2)), 0 for signal 0,
 * and ESRCH for any process but the simulated one, its parent and a real
 * descendant a child reported (loop/spawn.c: kill_descendant). */
#include "loop/internal.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop/os.h"
#include "loop/world_io.h"
#include "sim/sim_fault.h"

#define SIGNUM_MAX 64

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

/* Real handlers: installed while some handle watches the signal. */
static struct sigaction saved[SIGNUM_MAX + 1];   /* what was there before   */
static int installed[SIGNUM_MAX + 1];
static atomic_int self_sent[SIGNUM_MAX + 1];     /* raised by the program   */
static atomic_int self_any;
static atomic_int outside_sent[SIGNUM_MAX + 1];  /* from another process   */
static atomic_int outside_any;
/* Scheduling points looked at for outside signals in this run: the seq of
 * their observations, the same in a replay (loop thread only). */
static uint64_t outside_looks;
/* libuv registers a signal watched only by one-shot handles with
 * SA_RESETHAND: once one arrives, the disposition is the default again
 * until a handle (re)registers it (a second SIGTERM kills). */
static int reset_hand[SIGNUM_MAX + 1];

static void fault_signal(int signum);
static void outside_poll(void);
static void arrive(int signum, const char* how);
static void real_restore_all(void);

static sig_state* state_of(const uv_signal_t* h) {
  return (sig_state*)h->u.reserved[0];
}

void uvs__signal_reset(void) {
  /* The states themselves are run-owned: uvs__world_io_reset frees them. */
  started = NULL;
  real_restore_all();
  for (int i = 0; i <= SIGNUM_MAX; i++) {
    atomic_store(&self_sent[i], 0);
    atomic_store(&outside_sent[i], 0);
    reset_hand[i] = 0;
  }
  atomic_store(&self_any, 0);
  atomic_store(&outside_any, 0);
  outside_looks = 0;
  uvs__signal_hook();
}

void uvs__signal_hook(void) { sim_faults_on_signal(sim_faults_current(), fault_signal); }

/* ------------------------------------------------------- real handlers */

static int default_ignores(int signum) {
  return signum == SIGCHLD || signum == SIGURG || signum == SIGWINCH ||
         signum == SIGCONT || signum == SIGTSTP || signum == SIGTTIN ||
         signum == SIGTTOU;
}

/* Async-signal-safe: counts the signal, as sent by the process itself or
 * from outside; both are delivered at the next scheduling point. */
static void real_handler(int signum, siginfo_t* si, void* uc) {
  (void)uc;
  if (si && si->si_code <= 0 && si->si_pid == getpid()) {
    atomic_fetch_add(&self_sent[signum], 1);
    atomic_store(&self_any, 1);
    return;
  }
  atomic_fetch_add(&outside_sent[signum], 1);
  atomic_store(&outside_any, 1);
}

/* As libuv's uv__signal_register_handler: SA_RESETHAND when the handle
 * that registers is one-shot. Registering again keeps what was there
 * first, to restore when nothing watches any more. */
static void real_install(int signum, int oneshot) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = real_handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | (oneshot ? SA_RESETHAND : 0);
  sigfillset(&sa.sa_mask);
  if (installed[signum]) sigaction(signum, &sa, NULL);
  else if (sigaction(signum, &sa, &saved[signum]) == 0) installed[signum] = 1;
}

static void real_restore(int signum) {
  if (!installed[signum]) return;
  sigaction(signum, &saved[signum], NULL);
  installed[signum] = 0;
}

static void real_restore_all(void) {
  for (int i = 1; i <= SIGNUM_MAX; i++) real_restore(i);
}

static int watched(int signum) {
  for (sig_state* st = started; st; st = st->next)
    if (st->h->signum == signum) return 1;
  return 0;
}

/* Watched by one-shot handles only (libuv's SA_RESETHAND case). */
static int oneshot_only(int signum) {
  int any = 0;
  for (sig_state* st = started; st; st = st->next) {
    if (st->h->signum != signum) continue;
    if (!(st->h->flags & UVS__SIG_ONESHOT)) return 0;
    any = 1;
  }
  return any;
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
  int signum = h->signum;
  h->signum = 0;
  if (!watched(signum)) real_restore(signum);
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

/* The first callback names the handle ("signal:on_sigterm"), so that the
 * io_order decisions and the trace say which handler, not which number. */
static void sig_relabel(uv_signal_t* h, uv_signal_cb cb) {
  if (h->flags & UVS__H_NAMED) return;
  uvs__name_handle((uv_handle_t*)h, (const void*)cb);
  if (!(h->flags & UVS__H_NAMED)) return;
  sig_state* st = state_of(h);
  const char* label = uvs__label((uv_handle_t*)h);
  st->io.label = label;
  st->cb_label = label;
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
  /* libuv registers the handler (again) when the first handle starts or
   * a normal one joins one-shot ones; SA_RESETHAND when it is one-shot */
  int reregister = !watched(signum) || (!oneshot && oneshot_only(signum));
  h->signum = signum;
  if (oneshot) h->flags |= UVS__SIG_ONESHOT;
  link_started(state_of(h));
  sig_relabel(h, cb);
  if (reregister) {
    reset_hand[signum] = 0;
    real_install(signum, oneshot);
  }
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

/* ------------------------------------------------------------- arrival */

/* The simulated process receives `signum` (how: "uv_kill", "raise",
 * "fault"): the handles watching it, else its disposition. */
static void arrive(int signum, const char* how) {
  sim* s = uvs__sim();
  const char* name = sim_signal_name(signum);
  sim_trace_note(s, name ? sim_internf(s, "signal %s %s", name, how)
                         : sim_internf(s, "signal %d %s", signum, how));
  if (!reset_hand[signum] && uvs__signal_deliver(signum) > 0) {
    if (oneshot_only(signum)) {
      /* what SA_RESETHAND does to the real disposition too, so that a
       * raise(3) now meets the default action at once, as on libuv */
      reset_hand[signum] = 1;
      if (installed[signum]) signal(signum, SIG_DFL);
    }
    return;
  }
  struct sigaction cur;
  memset(&cur, 0, sizeof cur);
  if (reset_hand[signum]) cur.sa_handler = SIG_DFL;
  else if (installed[signum]) cur = saved[signum];
  else if (sigaction(signum, NULL, &cur) != 0) return;
  if (cur.sa_flags & SA_SIGINFO || (cur.sa_handler != SIG_DFL && cur.sa_handler != SIG_IGN)) {
    raise(signum);     /* the program's own handler, synchronously */
    return;
  }
  if (cur.sa_handler == SIG_IGN || default_ignores(signum)) return;
  uvs__killed_by(signum, name);
}

static void fault_signal(int signum) { arrive(signum, "fault"); }

/* A seeded (prob=) signal is only asked for while a handle would see it:
 * one nobody handles ends the process, which at= and after-callbacks=
 * rules test without a decision after every callback. */
static int watched_now(int signum) { return !reset_hand[signum] && watched(signum); }

void uvs__signal_poll(void) {
  outside_poll();
  if (!atomic_load_explicit(&self_any, memory_order_relaxed) || !atomic_exchange(&self_any, 0))
    return;
  for (int sig = 1; sig <= SIGNUM_MAX; sig++)
    for (int n = atomic_exchange(&self_sent[sig], 0); n > 0; n--) arrive(sig, "raise");
}

/* Outside signals at this scheduling point: what came (recorded), or in a
 * replay what the recording says came here (real ones dropped). */
static void outside_poll(void) {
  sim* s = uvs__sim();
  uint64_t seq = ++outside_looks;
  if (sim_observe_replaying(s)) {
    if (atomic_exchange(&outside_any, 0)) {
      for (int sig = 1; sig <= SIGNUM_MAX; sig++) atomic_store(&outside_sent[sig], 0);
      static const char msg[] = "uvsim: a real signal during a replay is not "
                                "delivered (the replay delivers the recorded ones)\n";
      ssize_t w = write(2, msg, sizeof msg - 1);
      (void)w;
    }
    for (uint32_t sig; (sig = sim_observe(s, "signal", seq, 0)) != 0;)
      if (sig <= SIGNUM_MAX) arrive((int)sig, "outside");
    return;
  }
  /* a plain load first: this runs after every callback, and the locked
   * exchange is only needed when a signal came */
  if (!atomic_load_explicit(&outside_any, memory_order_relaxed) ||
      !atomic_exchange(&outside_any, 0))
    return;
  for (int sig = 1; sig <= SIGNUM_MAX; sig++)
    for (int n = atomic_exchange(&outside_sent[sig], 0); n > 0; n--)
      arrive((int)sim_observe(s, "signal", seq, (uint32_t)sig), "outside");
}

/* The loop has nothing left that could ever happen, but a handle watches
 * a signal: a real one from outside may still come (a parent's kill(2)
 * just after the program reached its loop). Wait for one for a bounded
 * real moment (UVS__SIGNAL_WAIT_MS, in 1 ms naps a signal cuts short)
 * before the loop calls it a hang; virtual time does not move meanwhile.
 * A replay waits for nothing: it answers whether the recording still has
 * observations, one of which may be the signal at this point. */
#define UVS__SIGNAL_WAIT_MS 250
int uvs__signal_wait_outside(void) {
  sim* s = uvs__sim();
  if (sim_observe_replaying(s)) return sim_observe_left(s) > 0;
  if (started == NULL) return 0;
  for (int i = 0; i < UVS__SIGNAL_WAIT_MS; i++) {
    if (atomic_load(&outside_any) || atomic_load(&self_any)) return 1;
    struct timespec nap = { 0, 1000000L };
    nanosleep(&nap, NULL);
  }
  return atomic_load(&outside_any) || atomic_load(&self_any);
}

void uvs__signal_tick(void) {
  uvs__signal_poll();
  sim_fault_signal_tick(sim_faults_current(), watched_now, uvs__cb_label);
}

int uv_kill(int pid, int signum) {
  if (signum < 0 || signum > SIGNUM_MAX) return UV_EINVAL;
  int child_r;
  if (uvs__child_kill(pid, signum, &child_r)) return child_r;   /* spawn.c */
  int self = pid == 0 || pid == uv_os_getpid() || pid == -uv_os_getpid() ||
             pid == getpid();
  if (!self) {
    /* the parent (a shell of the same user) and every process (-1, which
     * leaves out the caller) take it without anything simulated seeing */
    if (pid == uv_os_getppid() || pid == -1) return 0;
    return UV_ESRCH;
  }
  if (signum == 0) return 0;
  arrive(signum, "uv_kill");
  return 0;
}
