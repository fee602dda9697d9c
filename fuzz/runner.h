/* fuzz/runner.h — what a campaign's supervisor and its forked workers share
 * with the runner (fuzz/runner.c) to survive a crash: a record in shared
 * memory that a dying worker's crash handler fills with the run's outcome
 * and decisions, and the classification of a dead worker from its exit
 * status and stderr. The record's layout is the runner's own. */
#ifndef UVSIM_FUZZ_RUNNER_H
#define UVSIM_FUZZ_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz.h"

/* A crash record, mapped shared (MAP_SHARED | MAP_ANONYMOUS) so that it
 * outlives the worker that fills it. */
typedef struct fz_shm fz_shm;

/* A new, empty record; NULL when it cannot be mapped. */
fz_shm* fz_shm_new(void);
void fz_shm_free(fz_shm* m);   /* NULL is a no-op */
/* Empties it before a worker starts on it. */
void fz_shm_clear(fz_shm* m);
/* The decisions a crashed worker left behind, at most `max` (count; 0 when
 * none). */
size_t fz_shm_choices(const fz_shm* m, uint32_t* out, size_t max);

/* In a child that runs schedules: no core dumps, and a crash (fatal signal,
 * sanitizer report) fills `m` (the runner's own record when NULL) and, when
 * trace_fd >= 0, writes the trace to it before the child dies. */
void fz_crash_capture_install(fz_shm* m, int trace_fd);

/* Classifies a dead worker from its wait status and stderr tail, with what
 * its crash handler saved in `m`. Returns 0 when the handler saved nothing
 * (then `out` is zeroed), else 1. */
int fz_classify_dead(const fz_shm* m, int status, const char* err,
                       fz_outcome* out);

#endif
