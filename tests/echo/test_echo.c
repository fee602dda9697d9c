/* tests/echo/test_echo.c — the echo session explored on uvsim.
 *
 * 1. A correct client (it reassembles lines) passes 1000 seeded schedules,
 *    and across them the client's reads arrive split in more than one way.
 * 2. A naive client (one read = one reply) passes the natural order — as on
 *    real loopback — but fails its UVSIM_CHECK on some seed; replaying that
 *    schedule from its decision list gives the same trace hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo.h"
#include "uvsim/explore.h"
#include "uvsim/world.h"

#define PATTERNS_MAX 1024
static char patterns[PATTERNS_MAX][ECHO_PATTERN_MAX];
static int npatterns;
static echo_result last;
static uint64_t last_hash;
static int last_failed;

static void remember(const char* p) {
  for (int i = 0; i < npatterns; i++)
    if (strcmp(patterns[i], p) == 0) return;
  if (npatterns < PATTERNS_MAX) snprintf(patterns[npatterns++], ECHO_PATTERN_MAX, "%s", p);
}

static void robust_body(void* arg) {
  (void)arg;
  echo_session(0, &last);
  UVSIM_CHECK(last.replies == ECHO_MESSAGES && last.ok, "replies %d ok %d",
              last.replies, last.ok);
  remember(last.pattern);
}

static void naive_body(void* arg) {
  (void)arg;
  echo_session(1, &last);
  last_hash = uvsim_trace_hash();
  last_failed = uvsim_failed();
}

static void reads_split_many_ways(void** state) {
  (void)state;
  npatterns = 0;
  uvsim_explore_options o = { .runs = 1000, .seed = 1 };
  assert_int_equal(uvsim_explore(robust_body, NULL, &o), 0);
  assert_int_equal(o.runs_done, 1000);
  printf("distinct read patterns over 1000 seeds: %d (first: %s)\n", npatterns,
         patterns[0]);
  assert_true(npatterns > 1);
  /* Schedule 0 is the natural order: one read per reply, as on loopback. */
  assert_string_equal(patterns[0], "10,10,10");
}

static void naive_client_fails_and_replays(void** state) {
  (void)state;
  uvsim_explore_options o = { .runs = 1000, .seed = 1, .no_minimize = 1 };
  FILE* quiet = fopen("/dev/null", "w");
  o.out = quiet;
  assert_int_equal(uvsim_explore(naive_body, NULL, &o), 1);
  assert_true(o.failed_schedule > 0);       /* the natural order passes */
  assert_true(last_failed);
  uint64_t failing_hash = last_hash;
  printf("naive client fails on schedule %u; replay %s\n", o.failed_schedule, o.replay);
  setenv("UVSIM_REPLAY", o.replay, 1);
  uvsim_explore_options r = { .runs = 1, .out = quiet };
  assert_int_equal(uvsim_explore(naive_body, NULL, &r), 1);
  unsetenv("UVSIM_REPLAY");
  assert_true(last_failed);
  assert_int_equal(last_hash, failing_hash);
  fclose(quiet);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(reads_split_many_ways),
    cmocka_unit_test(naive_client_fails_and_replays),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
