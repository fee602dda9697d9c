/* uvsim/explore.h — run a test body under many schedules, from a unit test.
 *
 *   static void body(void* arg) { ... build a loop, uv_run, UVSIM_CHECK ... }
 *   uvsim_explore_options o = { .runs = 500 };
 *   assert_int_equal(uvsim_explore(body, NULL, &o), 0);
 *
 * Each schedule resets the loop and the world and calls body(arg) in this
 * process (no fork: a body that crashes takes the test with it, which is
 * what a unit test wants). Schedule 0 is the natural order. On the first
 * failing schedule the run stops, the schedule is minimised, and one line
 * is printed:
 *
 *   uvsim: schedule 137 failed: invariant: check: balance 110 ... -
 *   replay: UVSIM_REPLAY='0,0,2' <test>
 *
 * followed by its decisive decisions. Setting UVSIM_REPLAY to that list
 * runs exactly that schedule once (with its trace printed when
 * UVSIM_TRACE=1). UVSIM_RUNS and UVSIM_EXPLORE_SEED override runs and seed.
 * Not reentrant: one uvsim_explore at a time per process.
 */
#ifndef UVSIM_EXPLORE_H
#define UVSIM_EXPLORE_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct uvsim_explore_options {
  const char* strategy;     /* "random" (default), "pct", "nodefz", "dfs"  */
  uint64_t seed;            /* 0 = 1                                         */
  uint32_t runs;            /* 0 = 1000                                      */
  int no_minimize;          /* report the schedule as found                  */
  FILE* out;                /* failure report; NULL = stderr                 */
  /* Filled on return: */
  uint32_t runs_done;
  uint32_t failed_schedule; /* index of the failing schedule                 */
  char replay[512];         /* the UVSIM_REPLAY value that reproduces it     */
} uvsim_explore_options;

/* Returns 0 when every schedule passed, 1 when one failed, -1 on misuse
 * (unknown strategy, malformed UVSIM_REPLAY). `opts` may be NULL. */
int uvsim_explore(void (*test_fn)(void* arg), void* arg, uvsim_explore_options* opts);

#ifdef __cplusplus
}
#endif
#endif
