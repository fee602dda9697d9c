/* tests/engine/engine_test.h — shared helpers of the engine's unit tests: a
 * recorder that appends events to a string (compared against the order
 * the spec/Node mandates), and per-test setup that resets the engine and
 * the current world. */
#ifndef UVSIM_ENGINE_TEST_H
#define UVSIM_ENGINE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim.h"
#include "uvsim/engine.h"

static char rec_buf[4096];

static inline void rec(const char* fmt, ...) {
  size_t n = strlen(rec_buf);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rec_buf + n, sizeof rec_buf - n, fmt, ap);
  va_end(ap);
  n = strlen(rec_buf);
  if (n + 1 < sizeof rec_buf) { rec_buf[n] = ' '; rec_buf[n + 1] = '\0'; }
}

static inline void rec_cb(void* msg) { rec("%s", (const char*)msg); }

static inline uvsim_value rec_value(uvsim_value v, void* label) {
  char b[128];
  rec("%s=%s", (const char*)label, uvsim_value_fmt(v, b, sizeof b));
  return uvsim_undefined();
}

static inline int setup(void** state) {
  (void)state;
  sim_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.source = SIM_SRC_LIST; /* empty list: every decision answers 0 */
  uvs__engine_reset();
  sim_reset(sim_current(), &cfg);
  rec_buf[0] = '\0';
  return 0;
}

static inline int teardown(void** state) {
  (void)state;
  uvs__engine_reset();
  return 0;
}

static inline sim_oracle failure_oracle(void) {
  return sim_current()->failure.oracle;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif
