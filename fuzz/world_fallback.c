/* fuzz/world_fallback.c — uvsim/world.h for binaries built without the loop
 * library. The loop (loop/world.c) defines the same functions; these are
 * weak so that its definitions win whenever it is linked, and scenarios
 * written against sim/ alone still run. Same behaviour: report to the
 * current world. */
#include <stdarg.h>
#include <stdio.h>

#include "sim.h"
#include "uvsim/world.h"

__attribute__((weak)) void uvsim_invariant_failed(const char* where,
                                                  const char* fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  sim_fail(sim_current(), SIM_BUG_INVARIANT, where, "%s", msg);
}

__attribute__((weak)) uint32_t uvsim_choose(uint32_t n, const char* label) {
  return sim_choose(sim_current(), SIM_USER, n, label);
}

__attribute__((weak)) void uvsim_note(const char* label) {
  sim* s = sim_current();
  sim_trace_note(s, sim_intern(s, label));
}

__attribute__((weak)) uint64_t uvsim_now_ns(void) { return sim_now(sim_current()); }
__attribute__((weak)) uint64_t uvsim_trace_hash(void) { return sim_trace_hash(sim_current()); }
__attribute__((weak)) int uvsim_failed(void) { return sim_failed(sim_current()); }
