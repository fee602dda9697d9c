/* fuzz/replay.c — running a reproducer's schedule again.
 *
 * The schedule is answered by a sim_replay matcher (sim/sim_replay.h): by
 * kind, label and occurrence, or by position in strict mode. The run may
 * happen in a fork (a crashing bug); the matcher's account is then rebuilt
 * here from the decision log the child hands back, which gives the same
 * answers because the matcher is a pure function of the questions asked. */
#include "fuzz/fuzz.h"

#include <stdlib.h>

#include "sim/sim_child.h"

int fz_replay_matched(const uvsim_scenario* sc, const sim_repro* r, int strict,
                      fz_outcome* out, fz_trace* trace, sim_replay* acct) {
  fz_set_faults((const char (*)[128])r->faults, r->nfaults);
  sim_replay m;
  sim_replay_init(&m, r->decisions, r->ndecisions, strict);
  sim_config cfg = { .source = SIM_SRC_CUSTOM, .chooser = sim_replay_chooser,
                     .chooser_ctx = &m, .aggressive = r->aggressive, .seed = r->seed };
  sim_repro live;
  sim_repro_init(&live);
  /* what the recorded children did comes from the record (sim_child.h) */
  sim_child_replay_set(r->child, r->nchild);
  int rc = fz_exec(sc, &cfg, fz_mode_for(sc, fz_signature_oracle(r->signature)), out,
                   acct ? &live : NULL, trace);
  sim_child_replay_set(NULL, 0);
  sim_replay_free(&m);
  if (acct) {
    sim_replay_init(acct, r->decisions, r->ndecisions, strict);
    size_t differ = sim_replay_account(acct, live.decisions, live.ndecisions);
    /* A crash may cut the log short, never change an answer. */
    if (differ != 0) {
      fprintf(stderr, "uvsim: internal error: replay account disagrees with the run "
              "on %zu decisions\n", differ);
      abort();
    }
  }
  sim_repro_free(&live);
  return rc;
}

int fz_replay(const uvsim_scenario* sc, const sim_repro* r, fz_outcome* out,
               fz_trace* trace) {
  return fz_replay_matched(sc, r, 0, out, trace, NULL);
}
