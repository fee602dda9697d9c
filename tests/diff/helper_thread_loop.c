/* A helper thread runs a loop of its own (timers, an async handle) while
 * the default loop runs: as Node's platform does with its delayed-task
 * scheduler. On uvsim the helper's loop is foreign (made on another
 * thread) and runs on the real libuv, in real time; the default loop stays
 * simulated. The two talk through async handles both ways; the output
 * (order within each loop, counts, return codes) is the real libuv's. */
#include "d.h"

static uv_loop_t helper_loop;
static uv_async_t to_helper, to_main;
static uv_timer_t helper_timer, main_timer;
static uv_thread_t th;
static uv_sem_t helper_ready;
static int helper_ticks, pings;
static volatile int quit;          /* set before the async send that reads it */

static void on_helper_timer(uv_timer_t* t) {
  if (++helper_ticks == 3) {
    uv_timer_stop(t);
    uv_async_send(&to_main);      /* helper -> main */
  }
}

static void on_to_helper(uv_async_t* a) {
  if (quit) {
    uv_close((uv_handle_t*)a, NULL);
    uv_close((uv_handle_t*)&helper_timer, NULL);
    return;
  }
  pings++;
  /* a timer started from the helper's own callback, on the helper's loop */
  uv_timer_start(&helper_timer, on_helper_timer, 5, 5);
}

static void helper_main(void* arg) {
  (void)arg;
  int r = uv_loop_init(&helper_loop);
  uv_async_init(&helper_loop, &to_helper, on_to_helper);
  uv_timer_init(&helper_loop, &helper_timer);
  uv_sem_post(&helper_ready);
  if (r == 0) uv_run(&helper_loop, UV_RUN_DEFAULT);
  SAY("helper: loop close %s, ticks %d, pings %d", E(uv_loop_close(&helper_loop)),
      helper_ticks, pings);
}

static void on_to_main(uv_async_t* a) {
  SAY("main: the helper's timers fired 3 times");
  uv_close((uv_handle_t*)a, NULL);
  uv_close((uv_handle_t*)&main_timer, NULL);
  quit = 1;                       /* the helper closes its own handles */
  uv_async_send(&to_helper);
}

static void on_main_timer(uv_timer_t* t) {
  SAY("main: timer, helper loop alive from here: %d", uv_loop_alive(&helper_loop) >= 0);
  uv_async_send(&to_helper);      /* main -> helper */
  (void)t;
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_sem_init(&helper_ready, 0);
  uv_async_init(loop, &to_main, on_to_main);
  SAY("thread: %s", E(uv_thread_create(&th, helper_main, NULL)));
  uv_sem_wait(&helper_ready);
  uv_timer_init(loop, &main_timer);
  uv_timer_start(&main_timer, on_main_timer, 20, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("join: %s", E(uv_thread_join(&th)));
  uv_sem_destroy(&helper_ready);
  close_loop(loop);
  return 0;
}
