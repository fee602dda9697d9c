/* uvsim/scenario.h — how a program under test registers itself with the
 * `uvsim` command line (campaigns, replay, minimisation, reports).
 *
 * A scenario is one C function that builds its loop, runs it to the end and
 * states its invariant with UVSIM_CHECK (uvsim/world.h). It is registered
 * with one macro at file scope; no table, no CMake edit:
 *
 *   static void lost_update_buggy(void) { ... uv_run(...); UVSIM_CHECK(...); }
 *   UVSIM_SCENARIO(lost_update, buggy, lost_update_buggy,
 *                  .description = "two deposits read-modify-write a balance",
 *                  .invariant = "balance == sum of deposits",
 *                  .expect = UVSIM_EXPECT_BUG);
 *
 * The macro places a pointer to a constant descriptor in the linker section
 * "uvsim_scenarios"; the driver walks __start_/__stop_uvsim_scenarios. Every
 * .c file under scenarios/ is compiled into the uvsim binary (see
 * docs/scenarios.md). `name` and `variant` are C identifiers; on the command
 * line "lost_update" means every variant, "lost_update/buggy" one of them.
 *
 * The body runs many thousand times per process: it must leave no global
 * state behind (uvsim resets the loop and the world between runs). A body
 * that cannot (real files, static caches it cannot clear) sets
 * UVSIM_SCN_FORK_EACH and gets a fresh process per run.
 */
#ifndef UVSIM_SCENARIO_H
#define UVSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the campaign self-test (`uvsim run --all --expect`) requires. */
typedef enum uvsim_expect {
  UVSIM_EXPECT_CLEAN = 0,   /* no bug may be found (a "fixed" variant)     */
  UVSIM_EXPECT_BUG = 1      /* a bug must be found (a "buggy" variant)     */
} uvsim_expect;

/* Flags. */
#define UVSIM_SCN_FORK_EACH  0x1u  /* one fresh process per run (slow)     */
#define UVSIM_SCN_AGGRESSIVE 0x2u  /* explores unsound choices (labelled)  */
/* uv_queue_work callbacks on real worker threads. By default uvsim runs them
 * inline on the loop thread (uvsim_pool_set_inline): the same schedules and
 * traces, tens of times faster. A scenario whose work callback blocks until
 * the loop does something (a semaphore the loop posts) needs real threads. */
#define UVSIM_SCN_REAL_THREADS 0x4u
/* A hard-bug benchmark scenario (scenarios/hard/, bench/hard/): its bug needs
 * several specific non-natural decisions and may take random exploration
 * more than 10,000 schedules. `uvsim run --all` leaves it out (so the
 * self-test stays fast); naming it, or its folder's names, runs it. */
#define UVSIM_SCN_HARD 0x8u

typedef struct uvsim_scenario {
  const char* name;          /* "lost_update"                              */
  const char* variant;       /* "buggy" / "fixed"                           */
  const char* description;   /* one line                                    */
  const char* invariant;     /* the property UVSIM_CHECK states, in words   */
  uvsim_expect expect;
  unsigned flags;
  uint32_t runs;             /* self-test budget; 0 = the driver's default  */
  void (*run)(void);         /* builds the loop, runs it, checks            */
} uvsim_scenario;

#define UVSIM_SCENARIO(name_, variant_, fn_, ...)                           \
  static const uvsim_scenario uvs__scn_##name_##_##variant_ = {             \
    .name = #name_, .variant = #variant_, .run = (fn_), __VA_ARGS__ };     \
  __attribute__((used, section("uvsim_scenarios")))                         \
  static const uvsim_scenario* const uvs__scnp_##name_##_##variant_ =       \
      &uvs__scn_##name_##_##variant_

/* The registry (fuzz/registry.c). Sorted by (name, variant). */
size_t uvsim_scenario_count(void);
const uvsim_scenario* uvsim_scenario_at(size_t i);
/* "name/variant" exactly; NULL when unknown. */
const uvsim_scenario* uvsim_scenario_find(const char* name_variant);

#ifdef __cplusplus
}
#endif
#endif /* UVSIM_SCENARIO_H */
