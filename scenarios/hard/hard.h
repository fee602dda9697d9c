/* scenarios/hard/hard.h — plumbing of the hard-bug benchmark (bench/hard/):
 * pool jobs and timers on the plain libuv API, each with its own callback
 * (so each decision has its own label: work:<callback>, timer:<callback>).
 *
 * Every scenario here registers with UVSIM_SCN_HARD: `uvsim run --all`
 * leaves them out, bench/hard/run.sh measures them, tests/scenarios/hard.sh
 * replays their reproducers. Header-only and static, like scn.h. */
#ifndef UVSIM_SCENARIOS_HARD_HARD_H
#define UVSIM_SCENARIOS_HARD_HARD_H

#include "../scn.h"

/* A pool job whose work callback does nothing: its duration and completion
 * order are the pool's decisions (pool_duration: 0, 100 us ... 10 s). */
static void hard_work_nop(uv_work_t* req) { (void)req; }

static inline void hard_job(uv_work_t* req, void* data, uv_after_work_cb done) {
  req->data = data;
  int rc = uv_queue_work(scn_loop, req, hard_work_nop, done);
  UVSIM_CHECK(rc == 0, "uv_queue_work: %s", uv_err_name(rc));
}

/* A one-shot timer (its lateness is a timer_lag decision: 0, 1 ms ... 10 s). */
static inline void hard_timer(uv_timer_t* t, void* data, uv_timer_cb cb, uint64_t ms) {
  uv_timer_init(scn_loop, t);
  t->data = data;
  uv_timer_start(t, cb, ms, 0);
}

static inline void hard_close(uv_timer_t* t) {
  if (!uv_is_closing((uv_handle_t*)t)) uv_close((uv_handle_t*)t, NULL);
}

#endif /* UVSIM_SCENARIOS_HARD_HARD_H */
