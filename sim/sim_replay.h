/* sim/sim_replay.h — replaying a reproducer's decisions by what they decide.
 *
 * A reproducer lists decisions as `KIND CHOICE/N LABEL`. Replaying them by
 * position breaks as soon as the program changes a little: one extra timer
 * or pool job earlier in the run shifts every later decision, and the
 * recorded choice lands on some other question. Here a live decision takes
 * the choice of the recorded one with the same kind, the same label and the
 * same occurrence (the k-th decision with that kind and label in the run),
 * wherever it now comes; a decision with no record takes 0 (the natural
 * order), as past the end of a positional list.
 *
 * Everything that did not match is counted, so that a replay can say how it
 * diverged instead of only whether the bug came back: the first position
 * where the file and the run disagree, live decisions with no record within
 * the recorded span, option counts that changed (the choice is clamped), and
 * recorded decisions never asked for.
 *
 * Strict mode answers by position (today's exact replay, for determinism
 * checks) and records the same disagreements.
 *
 * The matcher is a pure function of the recorded list and the sequence of
 * live (kind, label, n) questions: a parent process can run a second one
 * over a child's decision log and get the same answers and the same
 * account, without shared memory. */
#ifndef UVSIM_SIM_SIM_REPLAY_H
#define UVSIM_SIM_SIM_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sim.h"

/* One decision, with its label copied (live labels die with the run). */
typedef struct sim_replay_item {
  uint16_t kind;
  uint32_t n;
  uint32_t choice;
  size_t pos;                   /* 0-based position in its sequence */
  char label[SIM_LABEL_MAX + 1];
} sim_replay_item;

typedef struct sim_replay {
  const sim_decision* rec;      /* the recorded decisions (not copied) */
  size_t nrec;
  int strict;
  uint32_t* occ;                /* occurrence of each record among its key */
  uint8_t* used;
  size_t nused;
  uint64_t* slot_key;           /* recorded (kind, label, occurrence) -> index */
  uint32_t* slot_idx;
  size_t slot_cap;
  uint64_t* cnt_key;            /* live (kind, label) -> how many so far */
  uint32_t* cnt_val;
  size_t cnt_cap, cnt_len;
  size_t pos;                   /* live decisions answered so far */
  /* the account */
  int diverged_at_set;
  sim_replay_item div_rec, div_live;   /* first positional disagreement;
                                          div_rec.kind == UINT16_MAX: the
                                          file had ended */
  size_t unrecorded;             /* asked within the recorded span, no record */
  sim_replay_item first_unrecorded;
  size_t count_changed;
  sim_replay_item changed_rec;         /* first option-count change: as recorded */
  uint32_t changed_n;                  /* ... and what the program offered */
  size_t clamped;
} sim_replay;

void sim_replay_init(sim_replay* r, const sim_decision* rec, size_t nrec, int strict);
void sim_replay_free(sim_replay* r);

/* The answer to the next live decision. */
uint32_t sim_replay_answer(sim_replay* r, sim_kind kind, uint32_t n, const char* label);

/* sim_chooser adapter (ctx: a sim_replay*), for SIM_SRC_CUSTOM. */
uint32_t sim_replay_chooser(void* ctx, sim* s, sim_kind kind, uint32_t n,
                            const char* label);

/* Feeds a finished run's decision log through a fresh matcher: afterwards
 * `r` holds the account of that run. Returns the number of log entries
 * whose choice differs from the matcher's answer (0 when the log came from
 * this same matcher: the parent's view equals the child's). */
size_t sim_replay_account(sim_replay* r, const sim_decision* log, size_t len);

/* Recorded decisions never asked for (off the natural order: `nonzero`). */
size_t sim_replay_unused(const sim_replay* r, size_t* nonzero);

/* Anything that did not match one to one, in place and options. */
int sim_replay_diverged(const sim_replay* r);

/* The account in a few lines ("replay diverged at decision 7: recorded
 * `pool_duration 2/4 fs.write a`, program asked `timer_lag timer b`"...),
 * each starting with `prefix`. Nothing when nothing diverged. */
void sim_replay_fprint(const sim_replay* r, FILE* out, const char* prefix);

#endif /* UVSIM_SIM_SIM_REPLAY_H */
