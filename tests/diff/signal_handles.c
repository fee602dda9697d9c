/* Signal handles as libuv 1.44 registers them (no signal is sent): which
 * signal numbers uv_signal_start refuses (0 first, then what sigaction
 * refuses), active/ref state and loop liveness through start, unref, stop,
 * restart on the same and on another signal, one-shot starts, a refused
 * restart leaving the handle stopped, uv_walk, and close. */
#include <signal.h>

#include "d.h"

static void cb_a(uv_signal_t* h, int signum) { (void)h; (void)signum; SAY("cb_a"); }
static void cb_b(uv_signal_t* h, int signum) { (void)h; (void)signum; SAY("cb_b"); }

static void show(const char* when, uv_signal_t* h) {
  SAY("%-14s active=%d ref=%d closing=%d signum=%d alive=%d", when,
      uv_is_active((uv_handle_t*)h), uv_has_ref((uv_handle_t*)h),
      uv_is_closing((uv_handle_t*)h), h->signum, uv_loop_alive(h->loop));
}

static void walk_cb(uv_handle_t* h, void* arg) {
  (void)arg;
  SAY("walk: %s active=%d", uv_handle_type_name(h->type), uv_is_active(h));
}

static void close_cb(uv_handle_t* h) { SAY("close_cb: %s", uv_handle_type_name(h->type)); }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_signal_t s, t;
  SAY("init: %s", E(uv_signal_init(loop, &s)));
  show("init", &s);
  static const int bad[] = { 0, -1, SIGKILL, SIGSTOP, 32, 33, 65, 4096 };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    SAY("start %d: %s", bad[i], E(uv_signal_start(&s, cb_a, bad[i])));
  show("after refusals", &s);
  SAY("start SIGUSR1: %s", E(uv_signal_start(&s, cb_a, SIGUSR1)));
  show("started", &s);
  SAY("run nowait: %d", uv_run(loop, UV_RUN_NOWAIT));
  uv_unref((uv_handle_t*)&s);
  show("unref", &s);
  SAY("run default: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  uv_ref((uv_handle_t*)&s);
  show("ref", &s);
  SAY("same signum: %s", E(uv_signal_start(&s, cb_b, SIGUSR1)));
  show("same", &s);
  SAY("oneshot same: %s", E(uv_signal_start_oneshot(&s, cb_a, SIGUSR1)));
  SAY("other signum: %s", E(uv_signal_start(&s, cb_a, SIGUSR2)));
  show("other", &s);
  SAY("refused restart: %s", E(uv_signal_start(&s, cb_a, SIGKILL)));
  show("refused", &s);
  SAY("oneshot: %s", E(uv_signal_start_oneshot(&s, cb_b, SIGHUP)));
  show("oneshot", &s);
  SAY("stop: %s", E(uv_signal_stop(&s)));
  show("stop", &s);
  SAY("stop again: %s", E(uv_signal_stop(&s)));
  SAY("rtmax: %s", E(uv_signal_start(&s, cb_a, 64)));
  show("rtmax", &s);
  SAY("init t: %s", E(uv_signal_init(loop, &t)));
  SAY("t start SIGUSR1: %s", E(uv_signal_start(&t, cb_b, SIGUSR1)));
  SAY("t start_oneshot 0: %s", E(uv_signal_start_oneshot(&t, cb_b, 0)));
  show("t", &t);
  uv_walk(loop, walk_cb, NULL);
  uv_close((uv_handle_t*)&s, close_cb);
  show("close", &s);
  uv_close((uv_handle_t*)&t, close_cb);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
