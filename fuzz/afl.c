/* fuzz/afl.c — AFL++ driver for the libFuzzer entry point (fuzz/libfuzzer.c).
 *
 *   target FILE...   replays each file (a crash AFL++ saved): the finding is
 *                    written as FILE.uvsim, and a failing schedule abort()s,
 *                    so the exit status says whether the file still crashes.
 *   target           under afl-fuzz (built with afl-clang-fast): persistent
 *                    mode, test cases in shared memory (run it without @@);
 *                    built otherwise, one input from stdin.
 *
 * Ordering coverage (sim/sim_ordcov.h) joins AFL++'s map: SIM_ORDCOV_SIZE
 * edge ids are reserved at start-up through the same guard hooks the
 * compiler's instrumentation calls, so the map is sized for them and
 * afl-fuzz sees them as edges; after each input each ordering counter's
 * hits are counted on its edge. UVSIM_ORDCOV=0 leaves them empty. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <unistd.h>   /* read(), used by the __AFL_FUZZ_TESTCASE_LEN macro */

#include "sim/sim_ordcov.h"

int LLVMFuzzerInitialize(int* argc, char*** argv);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
void fz_target_finding_name(const char* path);

#define AFL_INPUT_MAX (1u << 20)

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
__AFL_COVERAGE();   /* selective coverage: __AFL_COVERAGE_DISCARD below */

void __sanitizer_cov_trace_pc_guard_init(uint32_t* start, uint32_t* stop);
void __sanitizer_cov_trace_pc_guard(uint32_t* guard);

/* One guard per ordering counter; AFL++'s runtime numbers them as edges
 * (consecutively) and counts them in the map size it tells afl-fuzz. A
 * constructor, as the instrumentation's own, so it happens before the
 * fork server reports the map size. */
static uint32_t ordcov_guards[SIM_ORDCOV_SIZE];

__attribute__((constructor)) static void ordcov_reserve(void) {
  __sanitizer_cov_trace_pc_guard_init(ordcov_guards, ordcov_guards + SIM_ORDCOV_SIZE);
}

/* Each hit of an ordering counter is a hit of its edge, through the
 * runtime's own guard hook: this file cannot name __afl_area_ptr itself
 * (AFL++'s pass declares its own and renames ours away). */
static void ordcov_fold(void) {
  const uint8_t* m = sim_ordcov_map();
  size_t n = sim_ordcov_size();
  if (!m || n != SIM_ORDCOV_SIZE) return;
  for (size_t i = 0; i < n; i++)
    for (uint32_t k = 0; k < m[i]; k++) __sanitizer_cov_trace_pc_guard(&ordcov_guards[i]);
}
#endif

static int replay_file(const char* path) {
  static unsigned char buf[AFL_INPUT_MAX];
  FILE* in = fopen(path, "rb");
  if (!in) {
    perror(path);
    return 2;
  }
  size_t len = fread(buf, 1, sizeof buf, in);
  fclose(in);
  /* One finding per artifact, named after it. */
  static char finding[4096];
  snprintf(finding, sizeof finding, "%s.uvsim", path);
  fz_target_finding_name(finding);
  fprintf(stderr, "uvsim: replaying %s (%zu bytes)\n", path, len);
  LLVMFuzzerTestOneInput(buf, len);   /* abort()s on a finding */
  return 0;
}

int main(int argc, char** argv) {
  /* Not argc/argv: those would gain libFuzzer's flags (fuzz/libfuzzer.c). */
  LLVMFuzzerInitialize(NULL, NULL);
  if (argc > 1) {
    for (int i = 1; i < argc; i++) {
      int rc = replay_file(argv[i]);
      if (rc) return rc;
    }
    fprintf(stderr, "uvsim: no finding in %d file(s)\n", argc - 1);
    return 0;
  }
#ifdef __AFL_FUZZ_TESTCASE_LEN
  /* Caches that live as long as the process (callback names looked up once
   * per address, free lists and tables grown to the largest run so far)
   * take a first-time path the first time an input needs them and not when
   * AFL++ runs it again to calibrate: unstable edges. So each input runs
   * twice and only the second run's coverage counts, every cold path
   * already warmed by the first. Twice the CPU per input; UVSIM_AFL_STABLE=0
   * runs it once. A run is a pure function of its tape: both runs take the
   * same schedule, and a finding aborts in the first. */
  const char* st = getenv("UVSIM_AFL_STABLE");
  int twice = !(st && strcmp(st, "0") == 0);
  __AFL_INIT();
  unsigned char* buf = __AFL_FUZZ_TESTCASE_BUF;
  while (__AFL_LOOP(100000)) {
    size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
    if (twice) {
      LLVMFuzzerTestOneInput(buf, len);
      __AFL_COVERAGE_DISCARD();
    }
    LLVMFuzzerTestOneInput(buf, len);
    ordcov_fold();
  }
  return 0;
#else
  static unsigned char buf[AFL_INPUT_MAX];
  size_t len = fread(buf, 1, sizeof buf, stdin);
  LLVMFuzzerTestOneInput(buf, len);
  return 0;
#endif
}
