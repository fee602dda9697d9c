/* tests/fuzz/test_minimize.c — minimisation and explanation on a synthetic
 * bug that needs exactly two non-zero decisions (b3 and b7 among twelve),
 * found first in a noisy schedule: it must shrink to exactly those two, both
 * decisive, the prefix must end at the last of them, and the result must
 * replay with its recorded hash. A crash-class bug (abort) minimises through
 * forked runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fuzz/fuzz.h"
#include "uvsim/world.h"

static void two_needed(void) {
  sim* s = sim_current();
  uint32_t c[12];
  char label[16];
  for (int i = 0; i < 12; i++) {
    snprintf(label, sizeof label, "b%d", i);
    c[i] = sim_choose(s, SIM_POOL_FINISH, 3, sim_intern(s, label));
    sim_trace_callback(s, sim_intern(s, label));
  }
  UVSIM_CHECK(!(c[3] && c[7]), "b3=%u and b7=%u both left the natural order", c[3], c[7]);
}
UVSIM_SCENARIO(synthetic, two_needed, two_needed, .description = "needs b3 and b7",
               .invariant = "not both", .expect = UVSIM_EXPECT_BUG);

static void aborts(void) {
  sim* s = sim_current();
  uint32_t a = sim_choose(s, SIM_POOL_FINISH, 4, "a");
  uint32_t b = sim_choose(s, SIM_POOL_FINISH, 4, "b");
  sim_choose(s, SIM_POOL_FINISH, 4, "c");
  if (b >= 1) {
    fprintf(stderr, "synthetic: about to abort (a=%u)\n", a);
    abort();
  }
}
UVSIM_SCENARIO(synthetic, aborts, aborts, .description = "aborts when b != 0",
               .invariant = "no abort", .expect = UVSIM_EXPECT_BUG);

static void noisy_repro(sim_repro* r, const uvsim_scenario* sc, const uint32_t* c, size_t n) {
  sim_config cfg = { .source = SIM_SRC_LIST, .list = c, .list_len = n };
  fz_outcome out;
  sim_repro_init(r);
  fz_exec_mode mode = strcmp(sc->variant, "aborts") == 0 ? FZ_EXEC_FORK : FZ_EXEC_INPROC;
  assert_int_equal(fz_exec(sc, &cfg, mode, &out, r, NULL), 0);
  assert_int_not_equal(out.oracle, SIM_BUG_NONE);
  snprintf(r->scenario, sizeof r->scenario, "%s/%s", sc->name, sc->variant);
  fz_signature(&out, r->signature, sizeof r->signature);
  r->has_hash = 1;
  r->hash = out.hash;
}

static void minimises_to_two(void** state) {
  (void)state;
  const uvsim_scenario* sc = uvsim_scenario_find("synthetic/two_needed");
  assert_non_null(sc);
  uint32_t noisy[12] = { 1, 2, 0, 2, 1, 1, 2, 1, 0, 2, 1, 2 };
  sim_repro r;
  noisy_repro(&r, sc, noisy, 12);
  fz_analysis a;
  fz_analysis_init(&a);
  char err[256];
  assert_int_equal(fz_analyse(sc, &r, &a, err, sizeof err), 0);
  assert_int_equal(a.orig_nonzero, 10);
  assert_int_equal(a.outcome.nonzero, 2);
  assert_int_equal(a.min.ndecisions, 8);           /* prefix ends at b7 */
  assert_int_equal(a.min.decisions[3].choice, 1);  /* lowered from 2 */
  assert_int_equal(a.min.decisions[7].choice, 1);
  assert_string_equal(a.min.decisions[3].label, "b3");
  assert_int_equal(a.ndecisive, 2);
  assert_int_equal(a.decisive[0].index, 3);
  assert_int_equal(a.decisive[1].index, 7);
  assert_string_equal(a.min.signature, r.signature);
  /* The minimised reproducer replays with its hash. */
  fz_outcome out;
  assert_int_equal(fz_replay(sc, &a.min, &out, NULL), 0);
  assert_int_equal(out.oracle, SIM_BUG_INVARIANT);
  assert_true(out.hash == a.min.hash);
  /* Isolated analysis gives the same answer. */
  fz_analysis b;
  fz_analysis_init(&b);
  assert_int_equal(fz_analyse_isolated(sc, &r, &b, err, sizeof err), 0);
  assert_int_equal(b.min.ndecisions, 8);
  assert_int_equal(b.ndecisive, 2);
  assert_true(b.min.hash == a.min.hash);
  assert_true(b.trace.len == a.trace.len && a.trace.len > 0);
  fz_analysis_free(&a);
  fz_analysis_free(&b);
  sim_repro_free(&r);
}

static void minimises_crash_in_forks(void** state) {
  (void)state;
  const uvsim_scenario* sc = uvsim_scenario_find("synthetic/aborts");
  assert_non_null(sc);
  uint32_t noisy[3] = { 3, 3, 2 };
  sim_repro r;
  noisy_repro(&r, sc, noisy, 3);
  assert_int_equal(fz_signature_oracle(r.signature), SIM_BUG_ASSERT);
  assert_non_null(strstr(r.signature, "about to abort (a=N)"));
  fz_analysis a;
  fz_analysis_init(&a);
  char err[256];
  assert_int_equal(fz_analyse(sc, &r, &a, err, sizeof err), 0);
  assert_int_equal(a.min.ndecisions, 2);
  assert_int_equal(a.min.decisions[0].choice, 0);
  assert_int_equal(a.min.decisions[1].choice, 1);
  assert_int_equal(a.ndecisive, 1);
  fz_analysis_free(&a);
  sim_repro_free(&r);
}

static void rejects_non_failing(void** state) {
  (void)state;
  const uvsim_scenario* sc = uvsim_scenario_find("synthetic/two_needed");
  sim_repro r;
  sim_repro_init(&r);
  snprintf(r.signature, sizeof r.signature, "invariant: two_needed: whatever");
  fz_analysis a;
  fz_analysis_init(&a);
  char err[256];
  assert_int_equal(fz_analyse(sc, &r, &a, err, sizeof err), -1);
  assert_non_null(strstr(err, "does not fail"));
  fz_analysis_free(&a);
  sim_repro_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(minimises_to_two),
    cmocka_unit_test(minimises_crash_in_forks),
    cmocka_unit_test(rejects_non_failing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
