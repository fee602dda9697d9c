#include "conf.h"
static int n;
static void step(void* d);
static void micro(void* d) { (void)d; LOG("micro %d", n); }
static void imm(void* d) { (void)d; LOG("immediate %d", n); if (n < 3) conf_io(step, NULL); }
static void step(void* d) {
  (void)d; n++;
  LOG("io %d", n);
  uvsim_queue_microtask(micro, NULL);
  uvsim_set_immediate(imm, NULL);
}
void program(void) { conf_io(step, NULL); }
