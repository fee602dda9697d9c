/* Signals the program sends itself, as libuv 1.44 delivers them: uv_kill to
 * uv_os_getpid() and raise(3) from timer callbacks, several handles on one
 * signal (all called, in one poll phase), a one-shot handle (called once,
 * then inactive), a handle stopped and one closed while a signal is
 * pending for them (never called), uv_kill's errors (signal out of range,
 * a process that does not exist, signal 0), and a signal nobody watches
 * whose default is to be ignored (SIGCHLD, SIGWINCH). Handles called in
 * one poll phase are counted, not printed in order: libuv calls them in
 * the order of their addresses (its signal tree), which uvsim leaves to
 * the io_order decision. */
#include <signal.h>

#include "d.h"

static uv_signal_t a, b, one, stopped, closed;
static uv_timer_t t;
static int ticks;
static int calls_a, calls_b, calls_one, calls_never, bad_signum;

static void cb_a(uv_signal_t* h, int signum) { calls_a++; bad_signum += signum != h->signum; }
static void cb_b(uv_signal_t* h, int signum) { calls_b++; bad_signum += signum != h->signum; }
static void cb_one(uv_signal_t* h, int signum) {
  calls_one++;
  bad_signum += signum != SIGUSR2;
  SAY("one: active=%d", uv_is_active((uv_handle_t*)h));
}
static void cb_never(uv_signal_t* h, int signum) { (void)h, (void)signum; calls_never++; }
static void close_cb(uv_handle_t* h) { SAY("close_cb %s", uv_handle_type_name(h->type)); }

static void tick(uv_timer_t* timer) {
  ticks++;
  SAY("tick %d: a=%d b=%d one=%d never=%d bad=%d", ticks, calls_a, calls_b, calls_one,
      calls_never, bad_signum);
  switch (ticks) {
  case 1:
    SAY("tick 1: uv_kill SIGUSR1 %s", E(uv_kill(uv_os_getpid(), SIGUSR1)));
    break;
  case 2:
    SAY("tick 2: raise SIGUSR2 %d", raise(SIGUSR2));
    SAY("tick 2: raise SIGUSR1 %d", raise(SIGUSR1));
    break;
  case 3:
    /* pending for `stopped` and `closed`, then they go away */
    SAY("tick 3: uv_kill SIGHUP %s", E(uv_kill(uv_os_getpid(), SIGHUP)));
    SAY("tick 3: stop %s", E(uv_signal_stop(&stopped)));
    uv_close((uv_handle_t*)&closed, close_cb);
    break;
  case 4:
    SAY("tick 4: restart one %s", E(uv_signal_start_oneshot(&one, cb_one, SIGUSR2)));
    SAY("tick 4: uv_kill SIGUSR2 %s", E(uv_kill(uv_os_getpid(), SIGUSR2)));
    SAY("tick 4: unwatched SIGCHLD %s SIGWINCH %s",
        E(uv_kill(uv_os_getpid(), SIGCHLD)), E(uv_kill(uv_os_getpid(), SIGWINCH)));
    break;
  default:
    uv_close((uv_handle_t*)timer, close_cb);
    uv_close((uv_handle_t*)&a, close_cb);
    uv_close((uv_handle_t*)&b, close_cb);
    uv_close((uv_handle_t*)&one, close_cb);
    uv_close((uv_handle_t*)&stopped, close_cb);
  }
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  SAY("kill -1: %s", E(uv_kill(uv_os_getpid(), -1)));
  SAY("kill 65: %s", E(uv_kill(uv_os_getpid(), 65)));
  SAY("kill 4096: %s", E(uv_kill(uv_os_getpid(), 4096)));
  SAY("kill sig 0: %s", E(uv_kill(uv_os_getpid(), 0)));
  SAY("kill no such pid: %s", E(uv_kill(0x3ffffff0, SIGUSR1)));
  uv_signal_init(loop, &a);
  uv_signal_init(loop, &b);
  uv_signal_init(loop, &one);
  uv_signal_init(loop, &stopped);
  uv_signal_init(loop, &closed);
  SAY("start a: %s", E(uv_signal_start(&a, cb_a, SIGUSR1)));
  SAY("start b: %s", E(uv_signal_start(&b, cb_b, SIGUSR1)));
  SAY("start one: %s", E(uv_signal_start_oneshot(&one, cb_one, SIGUSR2)));
  SAY("start stopped: %s", E(uv_signal_start(&stopped, cb_never, SIGHUP)));
  SAY("start closed: %s", E(uv_signal_start(&closed, cb_never, SIGHUP)));
  uv_timer_init(loop, &t);
  uv_timer_start(&t, tick, 20, 50);
  SAY("run: %d", uv_run(loop, UV_RUN_DEFAULT));
  SAY("ticks %d", ticks);
  close_loop(loop);
  return 0;
}
