#include "conf.h"
static uvsim_timer* c;
static uvsim_timer* d;
static uvsim_value clear_c(uvsim_value v, void* x) { (void)v; (void)x; LOG("microtask clears c"); uvsim_clear_timeout(c); return uvsim_undefined(); }
static void b(void* x) { (void)x; LOG("b clears c"); uvsim_then(uvsim_promise_from(uvsim_undefined()), clear_c, NULL, NULL); }
static void dd(void* x) { (void)x; LOG("d"); uvsim_clear_timeout(d); }
void program(void) {
  uvsim_timer* a = uvsim_set_timeout(log_cb, "a never", 5);
  uvsim_clear_timeout(a);
  uvsim_clear_timeout(a);
  uvsim_set_timeout(b, NULL, 10);
  c = uvsim_set_timeout(log_cb, "c never", 10);
  d = uvsim_set_timeout(dd, NULL, 15);
  uvsim_set_timeout(log_cb, "e", 15);
  uvsim_clear_timeout(NULL);
}
