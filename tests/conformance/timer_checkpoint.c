#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) {
  (void)v; log_cb(msg); return uvsim_undefined();
}
static void fire(void* name) {
  LOG("%s", (const char*)name);
  uvsim_next_tick(log_cb, (void*)uvsim_strf("%s tick", (const char*)name).u.s);
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log,
             NULL, (void*)uvsim_strf("%s then", (const char*)name).u.s);
}
void program(void) {
  uvsim_set_timeout(fire, "t1", 0);
  uvsim_set_timeout(fire, "t2", 0);
  uvsim_set_timeout(fire, "t3", 0);
}
