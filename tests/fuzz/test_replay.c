/* tests/fuzz/test_replay.c — a reproducer written by a campaign and read
 * back replays to the identical trace hash, in process and in a fork; the
 * same seed gives the same hash; a changed decision gives another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim/sim_fault.h"
#include "fuzz/fuzz.h"
#include "uvsim/world.h"

static void body(void) {
  sim* s = sim_current();
  uint32_t sum = 0;
  for (int i = 0; i < 20; i++) {
    uint32_t c = sim_choose(s, SIM_IO_ORDER, 4, "io");
    sim_advance_to(s, sim_now(s) + 1000 * (c + 1));
    sim_trace_callback(s, c ? "late" : "on time");
    sum += c;
  }
  UVSIM_CHECK(sum < 25, "sum %u", sum);
}
UVSIM_SCENARIO(replaytest, only, body, .description = "d", .invariant = "sum < 25");

static void campaign_repro_replays(void** state) {
  (void)state;
  const uvsim_scenario* sc = uvsim_scenario_find("replaytest/only");
  assert_non_null(sc);
  char dir[] = "/tmp/uvsim-replay-XXXXXX";
  assert_non_null(mkdtemp(dir));
  fz_campaign_opts o;
  memset(&o, 0, sizeof o);
  sim_strategy_defaults(&o.params);
  o.params.random_bias_max = 0;   /* uniform: the bug is common */
  o.sc = sc;
  o.seed = 7;
  o.runs = 200;
  o.jobs = 2;
  o.isolate = 1;
  o.analyse = 1;
  o.corpus_dir = dir;
  fz_campaign c;
  assert_int_equal(fz_campaign_run(&o, &c), 0);
  assert_int_equal(c.runs, 200);
  assert_int_equal(c.nbugs, 1);
  assert_true(c.distinct > 100);
  fz_bug* b = &c.bugs[0];
  assert_true(b->analysed);
  assert_true(b->path[0] != 0);
  sim_repro r;
  char err[256];
  sim_repro_init(&r);
  assert_int_equal(sim_repro_read(&r, b->path, err, sizeof err), 0);
  assert_true(r.has_hash);
  assert_string_equal(r.signature, b->signature);
  fz_outcome in, fk;
  sim_config cfg;
  uint32_t* ch = sim_repro_choices(&r);
  cfg = (sim_config){ .source = SIM_SRC_LIST, .list = ch, .list_len = r.ndecisions };
  assert_int_equal(fz_exec(sc, &cfg, FZ_EXEC_INPROC, &in, NULL, NULL), 0);
  assert_int_equal(fz_exec(sc, &cfg, FZ_EXEC_FORK, &fk, NULL, NULL), 0);
  assert_true(in.hash == r.hash);
  assert_true(fk.hash == r.hash);
  assert_int_equal(in.oracle, SIM_BUG_INVARIANT);
  assert_int_equal(fk.oracle, SIM_BUG_INVARIANT);
  /* Flip one non-zero decision: another trace. */
  for (size_t i = 0; i < r.ndecisions; i++)
    if (ch[i]) {
      ch[i] = 0;
      break;
    }
  assert_int_equal(fz_exec(sc, &cfg, FZ_EXEC_INPROC, &in, NULL, NULL), 0);
  assert_true(in.hash != r.hash);
  free(ch);
  sim_repro_free(&r);
  /* The same campaign seed finds the same first schedule, with 1 job. */
  o.jobs = 1;
  o.corpus_dir = NULL;
  o.analyse = 0;
  fz_campaign c2;
  assert_int_equal(fz_campaign_run(&o, &c2), 0);
  assert_int_equal(c2.nbugs, 1);
  assert_int_equal(c2.bugs[0].first_run, c.bugs[0].first_run);
  assert_true(c2.bugs[0].repro.hash == c.bugs[0].repro.hash);
  assert_int_equal(c2.distinct, c.distinct);
  fz_campaign_free(&c2);
  unlink(b->path);
  fz_campaign_free(&c);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

/* Writes 3 records; a write that fails is lost. The bug needs a fault. */
static void faulty(void) {
  sim* s = sim_current();
  int written = 0;
  for (int i = 0; i < 3; i++) {
    sim_choose(s, SIM_IO_ORDER, 2, "w");
    sim_fault_hit hit;
    if (sim_fault_check(sim_faults_current(), SIM_FOP_WRITE, "/data/log", 7, &hit)) {
      sim_trace_note(s, "write failed");
      continue;
    }
    written++;
  }
  UVSIM_CHECK(written == 3, "%d of 3 writes landed", written);
}
UVSIM_SCENARIO(replaytest, faulty, faulty, .description = "d", .invariant = "i");

static void fault_lines_replay(void** state) {
  (void)state;
  const uvsim_scenario* sc = uvsim_scenario_find("replaytest/faulty");
  static const char specs[1][128] = { "write path=/data/* nth=2 err=EIO" };
  char err[256];
  assert_int_equal(fz_fault_valid(specs[0], 0, err, sizeof err), 0);
  assert_int_equal(fz_fault_valid("write nth=x err=EIO", 0, err, sizeof err), -1);
  fz_set_faults(specs, 1);
  fz_campaign_opts o;
  memset(&o, 0, sizeof o);
  sim_strategy_defaults(&o.params);
  o.sc = sc;
  o.runs = 20;
  o.isolate = 1;
  o.analyse = 1;
  fz_campaign c;
  assert_int_equal(fz_campaign_run(&o, &c), 0);
  assert_int_equal(c.nbugs, 1);
  assert_int_equal(c.bugs[0].first_run, 0);   /* the natural schedule fails */
  assert_int_equal(c.bugs[0].repro.nfaults, 1);
  assert_string_equal(c.bugs[0].repro.faults[0], specs[0]);
  assert_int_equal(c.bugs[0].an.min.nfaults, 1);
  sim_repro r = c.bugs[0].an.min;
  /* Replay applies the reproducer's faults, whatever was set before. */
  fz_set_faults(NULL, 0);
  fz_outcome out;
  assert_int_equal(fz_replay(sc, &r, &out, NULL), 0);
  assert_int_equal(out.oracle, SIM_BUG_INVARIANT);
  assert_true(out.hash == r.hash);
  /* Without the fault line it passes. */
  r.nfaults = 0;
  assert_int_equal(fz_replay(sc, &r, &out, NULL), 0);
  assert_int_equal(out.oracle, SIM_BUG_NONE);
  c.bugs[0].an.min.nfaults = 1;
  fz_campaign_free(&c);
  fz_set_faults(NULL, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(campaign_repro_replays),
    cmocka_unit_test(fault_lines_replay),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
