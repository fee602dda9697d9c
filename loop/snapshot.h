/* loop/snapshot.h — in-process snapshot and restore of the fork server's
 * worker (loop/snapshot.c; the worker is loop/forkserver.c's). */
#ifndef UVSIM_LOOP_SNAPSHOT_H
#define UVSIM_LOOP_SNAPSHOT_H

#include <stddef.h>

/* UVSIM_SNAPSHOT_CAP_MB's default and largest value: a worker whose memory
 * to save is over the cap takes no snapshot. exec checks a value before it
 * starts the program (a worker's error line would go nowhere). */
#define UVS__SNAP_CAP_MB 64u
#define UVS__SNAP_CAP_MB_MAX (1u << 20)

/* Whether this build and process may use snapshot mode at all: not under
 * a sanitizer, not with UVSIM_SNAPSHOT=0. NULL when it may, else why not. */
const char* uvs__snap_allowed(void);

/* In the worker, at the fork point: takes the snapshot (its exit hook
 * registered first). Returns 0 after taking it, 1 when the process comes
 * back here restored after a run (uvs__snap_status says how that run
 * exited), -1 when snapshot mode is refused (`why` says why): the worker
 * then serves one run and exits as a forked child does. */
int uvs__snap_take(char* why, size_t len);

/* After uvs__snap_take returned 1: the wait status of the run that just
 * ended (its exit code << 8). */
int uvs__snap_status(void);

/* UVSIM_SNAPSHOT_LOG=PATH: a line per refusal and fallback (a debugging
 * aid; the tests read it). */
void uvs__snap_log(const char* what, const char* why);

/* loop/forkserver.c: whether the process was started with descriptor fd. */
int uvs__fd_inherited(int fd);

#endif
