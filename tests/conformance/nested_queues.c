#include "conf.h"
static void a_micro(void* d) {
  (void)d; LOG("tick A.micro");
  uvsim_next_tick(log_cb, "tick A.micro.tick");
  uvsim_queue_microtask(log_cb, "tick A.micro.micro");
}
static void tick_a(void* d) {
  (void)d; LOG("tick A");
  uvsim_next_tick(log_cb, "tick A.tick");
  uvsim_queue_microtask(a_micro, NULL);
}
static void micro_b(void* d) {
  (void)d; LOG("micro B");
  uvsim_next_tick(log_cb, "micro B.tick");
  uvsim_queue_microtask(log_cb, "micro B.micro");
}
void program(void) {
  uvsim_next_tick(tick_a, NULL);
  uvsim_queue_microtask(micro_b, NULL);
  uvsim_next_tick(log_cb, "tick C");
}
