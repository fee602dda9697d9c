#include "conf.h"
static void tick_from_then(void* d) { LOG("tick from then %d", (int)(intptr_t)d); }
static uvsim_value step(uvsim_value v, void* d) {
  (void)d; LOG("then %s", show(v));
  uvsim_next_tick(tick_from_then, (void*)(intptr_t)v.u.i);
  return uvsim_int(v.u.i + 1);
}
static uvsim_value last(uvsim_value v, void* d) { (void)d; LOG("then %s", show(v)); return uvsim_undefined(); }
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
static void tick0(void* d) {
  (void)d; LOG("tick 0");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "then from tick 0");
  uvsim_next_tick(log_cb, "tick from tick 0");
}
void program(void) {
  uvsim_promise* p = uvsim_then(uvsim_promise_from(uvsim_int(1)), step, NULL, NULL);
  p = uvsim_then(p, step, NULL, NULL);
  uvsim_then(p, last, NULL, NULL);
  uvsim_next_tick(tick0, NULL);
}
