/* tests/conformance/ticker.h — the "ticker" used to count jobs: a chain of
 * Promise.resolve().then(tick) printing "tick N", N up to TICKS. The JS
 * side writes the same chain inline. */
#ifndef UVSIM_CONF_TICKER_H
#define UVSIM_CONF_TICKER_H
#include "conf.h"
#ifndef TICKS
#define TICKS 6
#endif
static int ticker_n;
static uvsim_value ticker_tick(uvsim_value v, void* d) {
  (void)v; (void)d;
  LOG("tick %d", ++ticker_n);
  if (ticker_n < TICKS)
    uvsim_then(uvsim_promise_from(uvsim_undefined()), ticker_tick, NULL, NULL);
  return uvsim_undefined();
}
static inline void ticker_start(void) {
  uvsim_then(uvsim_promise_from(uvsim_undefined()), ticker_tick, NULL, NULL);
}
#endif
