#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
static void fire(void* name) {
  const char* s = name;
  LOG("%s", s);
  uvsim_next_tick(log_cb, (void*)uvsim_strf("%s tick", s).u.s);
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, (void*)uvsim_strf("%s then", s).u.s);
  uvsim_set_immediate(log_cb, (void*)uvsim_strf("%s child (next iteration)", s).u.s);
}
void program(void) {
  uvsim_set_immediate(fire, "i1");
  uvsim_set_immediate(fire, "i2");
  uvsim_set_immediate(fire, "i3");
}
