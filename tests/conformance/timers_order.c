#include "conf.h"
void program(void) {
  uvsim_set_timeout(log_cb, "300", 300);
  uvsim_set_timeout(log_cb, "100 a", 100);
  uvsim_set_timeout(log_cb, "200", 200);
  uvsim_set_timeout(log_cb, "100 b", 100);
  uvsim_set_timeout(log_cb, "0 -> 1", 0);
  uvsim_set_timeout(log_cb, "-5 -> 1", -5);
  uvsim_set_timeout(log_cb, "huge -> 1", 2147483648.0);
  uvsim_set_timeout(log_cb, "1.9 -> 1", 1.9);
}
