#include "conf.h"
static uvsim_immediate* b;
static uvsim_immediate* e;
static void a(void* d) { (void)d; LOG("a clears b"); uvsim_clear_immediate(b); }
static void clear_e(void* d) { (void)d; LOG("tick clears e"); uvsim_clear_immediate(e); }
static void dd(void* d) { (void)d; LOG("d"); uvsim_next_tick(clear_e, NULL); }
void program(void) {
  uvsim_set_immediate(a, NULL);
  b = uvsim_set_immediate(log_cb, "b never");
  uvsim_clear_immediate(uvsim_set_immediate(log_cb, "c never"));
  uvsim_set_immediate(dd, NULL);
  e = uvsim_set_immediate(log_cb, "e never");
  uvsim_set_immediate(log_cb, "f");
}
