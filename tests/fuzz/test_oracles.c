/* tests/fuzz/test_oracles.c — how a schedule's end becomes a finding in a
 * forked run: abort() -> "assert" with the message from stderr, a signal ->
 * "crash", exit(3) -> "crash", a sanitizer report -> "sanitizer" (ASan
 * builds), an invariant -> "invariant" with the same hash as in process;
 * a campaign over a crashing scenario survives and keeps counting; a
 * UVSIM_SCN_FORK_EACH scenario runs each schedule in its own process. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fuzz/fuzz.h"
#include "uvsim/world.h"

static int mode;   /* which ending the body picks (set before each exec) */
static char* volatile dangling;

__attribute__((noinline)) static void poke(void) { dangling[1] = 1; }

static void endings(void) {
  sim* s = sim_current();
  uint32_t c = sim_choose(s, SIM_USER, 2, "go");
  if (c == 0) return;
  switch (mode) {
  case 0: fprintf(stderr, "endings: giving up on item 42\n"); abort();
  case 1: raise(SIGSEGV); break;
  case 2: exit(3);
  case 3: {
    dangling = malloc(8);
    free(dangling);
    poke();     /* use after free: only ASan sees it */
    break;
  }
  default: UVSIM_CHECK(0, "item %d", 42);
  }
}
UVSIM_SCENARIO(oracles, endings, endings, .description = "d", .invariant = "i");

static int forks_seen;
static void fork_each(void) {
  sim* s = sim_current();
  static int calls;   /* would leak across runs in process: fork isolates it */
  calls++;
  uint32_t c = sim_choose(s, SIM_USER, 4, "pick");
  UVSIM_CHECK(calls == 1, "static state leaked: %d calls", calls);
  UVSIM_CHECK(c != 3, "picked %u", c);
}
UVSIM_SCENARIO(oracles, fork_each, fork_each, .description = "d", .invariant = "i",
               .flags = UVSIM_SCN_FORK_EACH);

static fz_outcome run_fork(int m) {
  mode = m;
  uint32_t one = 1;
  sim_config cfg = { .source = SIM_SRC_LIST, .list = &one, .list_len = 1 };
  fz_outcome out;
  assert_int_equal(fz_exec(uvsim_scenario_find("oracles/endings"), &cfg, FZ_EXEC_FORK,
                            &out, NULL, NULL), 0);
  return out;
}

static void classifies(void** state) {
  (void)state;
  fz_outcome o = run_fork(0);
  assert_int_equal(o.oracle, SIM_BUG_ASSERT);
  assert_string_equal(o.message, "endings: giving up on item 42");
  assert_int_equal(o.signal, SIGABRT);
  assert_int_equal(o.ndecisions, 1);   /* the crash handler saved the log */
  o = run_fork(1);
  assert_int_equal(o.oracle, SIM_BUG_CRASH);
  assert_non_null(strstr(o.message, "signal 11"));
  o = run_fork(2);
  assert_int_equal(o.oracle, SIM_BUG_CRASH);
  assert_string_equal(o.message, "exited with status 3");
  o = run_fork(4);
  assert_int_equal(o.oracle, SIM_BUG_INVARIANT);
  assert_string_equal(o.message, "item 42");
  /* same schedule in process: same hash */
  uint32_t one = 1;
  sim_config cfg = { .source = SIM_SRC_LIST, .list = &one, .list_len = 1 };
  fz_outcome in;
  fz_exec(uvsim_scenario_find("oracles/endings"), &cfg, FZ_EXEC_INPROC, &in, NULL, NULL);
  assert_true(in.hash == o.hash);
#if defined(__SANITIZE_ADDRESS__)
  o = run_fork(3);
  assert_int_equal(o.oracle, SIM_BUG_SANITIZER);
  assert_non_null(strstr(o.message, "heap-use-after-free"));
#endif
}

static void campaign_survives_crashes(void** state) {
  (void)state;
  mode = 1;   /* SIGSEGV in half the schedules */
  fz_campaign_opts o;
  memset(&o, 0, sizeof o);
  sim_strategy_defaults(&o.params);
  o.params.random_bias_max = 0;
  o.sc = uvsim_scenario_find("oracles/endings");
  o.runs = 40;
  o.jobs = 2;
  o.isolate = 1;
  fz_campaign c;
  assert_int_equal(fz_campaign_run(&o, &c), 0);
  assert_int_equal(c.runs, 40);
  assert_int_equal(c.nbugs, 1);
  assert_true(c.worker_crashes >= 5);
  assert_int_equal(c.bugs[0].outcome.oracle, SIM_BUG_CRASH);
  assert_int_equal(c.bugs[0].hits, c.worker_crashes);
  assert_int_equal(c.distinct, 2);
  fz_campaign_free(&c);
}

static void fork_each_isolates(void** state) {
  (void)state;
  fz_campaign_opts o;
  memset(&o, 0, sizeof o);
  sim_strategy_defaults(&o.params);
  o.params.random_bias_max = 0;
  o.sc = uvsim_scenario_find("oracles/fork_each");
  o.runs = 30;
  o.jobs = 1;
  o.isolate = 1;
  o.analyse = 1;
  fz_campaign c;
  assert_int_equal(fz_campaign_run(&o, &c), 0);
  assert_int_equal(c.runs, 30);
  assert_int_equal(c.nbugs, 1);   /* only "picked N": no leaked state */
  assert_non_null(strstr(c.bugs[0].signature, "picked N"));
  assert_true(c.bugs[0].analysed);
  assert_int_equal(c.bugs[0].an.ndecisive, 1);
  fz_campaign_free(&c);
  (void)forks_seen;
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(classifies),
    cmocka_unit_test(campaign_survives_crashes),
    cmocka_unit_test(fork_each_isolates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
