/* sim/sim_ordcov.h — ordering coverage: a map of hit counters keyed by what
 * *order* a run took, not which code it ran, for coverage-guided fuzzers
 * (libFuzzer's extra counters, AFL++'s shared map). Code coverage barely moves
 * when two callbacks swap; these features do, so mutation keeps the tapes
 * that reach new orderings.
 *
 * Features, each hashed into one counter:
 *   - a pair of consecutive callback labels (previous, this one): the run's
 *     callback order, one edge at a time;
 *   - a decision: (kind, label, choice), so a tape that answers a decision
 *     differently is new even before a callback moves;
 *   - a decision in the context of the callback it follows: (previous
 *     callback label, kind, choice), which separates the same decision taken
 *     at two points of the run.
 * Hashes cover strings, kinds and choices only (never addresses), so the same
 * tape fills the same map in any process.
 *
 * Off by default: the hooks (called by sim_trace.c for every traced callback
 * and decision) cost one load and a branch until a driver attaches a map.
 * A driver does:
 *
 *   sim_ordcov_attach(NULL, 0);        // the built-in map (SIM_ORDCOV_SIZE)
 *   sim_ordcov_reset();                // before each run: zero map + chain
 *   ... run ...
 *   sim_ordcov_map(), sim_ordcov_size() // read the counters
 *
 * or attaches its own memory (a libFuzzer extra-counters section, a slice of
 * an AFL++ map) of any power-of-two size. Counters saturate at 255. */
#ifndef UVSIM_SIM_SIM_ORDCOV_H
#define UVSIM_SIM_SIM_ORDCOV_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* The built-in map: a few hundred features per scenario (labels are tens,
 * pairs and decisions hundreds), so 8192 counters keep collisions rare and
 * the map small enough to add to an AFL++ map of code edges. */
#define SIM_ORDCOV_SIZE 8192u

/* NULL while ordering coverage is off. Read by the inline hooks only. */
extern uint8_t* sim_ordcov__map;

/* Turn ordering coverage on, into `map` of `size` counters (a power of two),
 * or into the built-in map when map is NULL. Zeroes the map. */
void sim_ordcov_attach(uint8_t* map, size_t size);
/* Turn it off (the hooks become no-ops again). */
void sim_ordcov_detach(void);
static inline int sim_ordcov_on(void) { return sim_ordcov__map != NULL; }
/* Start of a run: zero the counters and forget the previous callback, so a
 * run's map depends on that run alone (persistent-mode stability). */
void sim_ordcov_reset(void);
/* Forget the previous callback only (a driver whose fuzzer zeroes the map
 * itself, as libFuzzer does for its extra counters). */
void sim_ordcov_begin(void);

/* The attached map (NULL when off), its size, and how many counters are
 * non-zero (for tests and reports). */
uint8_t* sim_ordcov_map(void);
size_t sim_ordcov_size(void);
size_t sim_ordcov_count(void);
/* A 64-bit digest of the map's contents (tests compare two runs by it). */
uint64_t sim_ordcov_digest(void);

/* Hooks. sim_trace.c calls them for every traced callback and decision;
 * anything else that delivers callbacks without the trace may call them. */
void sim_ordcov__callback(const char* label);
void sim_ordcov__decision(sim_kind kind, const char* label, uint32_t choice);
static inline void sim_ordcov_callback(const char* label) {
  if (sim_ordcov__map) sim_ordcov__callback(label);
}
static inline void sim_ordcov_decision(sim_kind kind, const char* label,
                                       uint32_t choice) {
  if (sim_ordcov__map) sim_ordcov__decision(kind, label, choice);
}

#endif /* UVSIM_SIM_SIM_ORDCOV_H */
