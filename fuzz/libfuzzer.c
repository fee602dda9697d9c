/* fuzz/libfuzzer.c — a libFuzzer target: the input bytes are the decision
 * tape (SIM_SRC_TAPE: one byte per decision, wider for n > 256, 0 past the
 * end), so coverage-guided mutation explores schedules. The scenario is
 * UVSIM_SCENARIO from the environment, else the compile-time
 * UVSIM_FUZZ_SCENARIO. A failing schedule prints "uvsim-finding: <signature>"
 * and the equivalent reproducer (written to $UVSIM_FINDING_DIR when set, for
 * `uvsim replay`), then abort()s so the fuzzer records a crash.
 * fuzz/afl.c drives the same entry point for AFL++. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz.h"

#ifndef UVSIM_FUZZ_SCENARIO
#define UVSIM_FUZZ_SCENARIO "lost_update/buggy"
#endif

int LLVMFuzzerInitialize(int* argc, char*** argv);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static const uvsim_scenario* target;

int LLVMFuzzerInitialize(int* argc, char*** argv) {
  (void)argc, (void)argv;
  const char* name = getenv("UVSIM_SCENARIO");
  if (!name || !*name) name = UVSIM_FUZZ_SCENARIO;
  target = uvsim_scenario_find(name);
  if (!target) {
    fprintf(stderr, "uvsim: unknown scenario '%s' (UVSIM_SCENARIO)\n", name);
    exit(2);
  }
  fz_scenario_prepare(target);
  return 0;
}

static void report(const sim* s) {
  fz_outcome out;
  fz_outcome_from_sim(&out, s);
  sim_repro r;
  sim_repro_init(&r);
  sim_repro_take_log(&r, s);
  snprintf(r.scenario, sizeof r.scenario, "%s/%s", target->name, target->variant);
  snprintf(r.strategy, sizeof r.strategy, "tape");
  fz_signature(&out, r.signature, sizeof r.signature);
  r.has_hash = 1;
  r.hash = out.hash;
  fz_get_maps(&r);
  fprintf(stderr, "uvsim-finding: %s\n  %s\n", r.signature, out.message);
  sim_repro_fprint(&r, stderr);
  const char* dir = getenv("UVSIM_FINDING_DIR");
  if (dir && *dir) {
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/finding-%012llx.uvsim", dir,
             (unsigned long long)(fz_sig_hash(r.signature) & 0xffffffffffffull));
    if (sim_repro_write(&r, path, err, sizeof err) == 0)
      fprintf(stderr, "uvsim-finding written: %s\nreplay: uvsim replay %s\n", path, path);
  }
  sim_repro_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!target) LLVMFuzzerInitialize(NULL, NULL);
  sim_config cfg = { .source = SIM_SRC_TAPE, .tape = data, .tape_len = size };
  if (target->flags & UVSIM_SCN_AGGRESSIVE) cfg.aggressive = 1;
  sim* s = fz_world_begin(&cfg);
  target->run();
  if (sim_failed(s) || s->budget_exceeded) {
    report(s);
    abort();
  }
  fz_world_end();
  return 0;
}
