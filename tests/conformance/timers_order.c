#include "conf.h"
void program(void) {
  uvsim_set_timeout(log_cb, "30", 30);
  uvsim_set_timeout(log_cb, "10 a", 10);
  uvsim_set_timeout(log_cb, "20", 20);
  uvsim_set_timeout(log_cb, "10 b", 10);
  uvsim_set_timeout(log_cb, "0 -> 1", 0);
  uvsim_set_timeout(log_cb, "-5 -> 1", -5);
  uvsim_set_timeout(log_cb, "huge -> 1", 2147483648.0);
  uvsim_set_timeout(log_cb, "1.9 -> 1", 1.9);
}
