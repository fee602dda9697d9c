/* scenarios/scn.h — plumbing shared by the C scenarios under scenarios/
 * (not the examples): one loop per run, the engine bound to it, small
 * helpers for the shapes every scenario uses (a pool job as a promise, a
 * delay), and the end-of-run protocol.
 *
 * A scenario body runs many thousand times in one process (a campaign), so
 * it keeps its state in one static struct that it zeroes at the top of every
 * run, allocates async frames and closures from the engine's per-run arena
 * (uvsim_alloc), and leaves nothing behind: the loop it closes lives in
 * static storage here, so a run that stops early (a failed invariant stops
 * the loop at the next callback boundary with requests still in flight)
 * leaves no dangling pointer into a dead stack frame; the next
 * uvsim_world_begin forgets it.
 *
 * Header-only and static: each scenario is one translation unit. */
#ifndef UVSIM_SCENARIOS_SCN_H
#define UVSIM_SCENARIOS_SCN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <uv.h>

#include "uvsim/engine.h"
#include "uvsim/scenario.h"
#include "uvsim/world.h"

static uv_loop_t scn_loop_storage;
static uv_loop_t* scn_loop;

/* The start of a run: a fresh loop with the engine bound to it. */
static inline uv_loop_t* scn_begin(void) {
  scn_loop = &scn_loop_storage;
  memset(scn_loop, 0, sizeof *scn_loop);
  int rc = uv_loop_init(scn_loop);
  UVSIM_CHECK(rc == 0, "uv_loop_init: %s", uv_err_name(rc));
  rc = uvsim_engine_init(scn_loop);
  UVSIM_CHECK(rc == 0, "uvsim_engine_init: %s", uv_err_name(rc));
  return scn_loop;
}

/* The end of the main script: Node's checkpoint, then the loop until it has
 * nothing left or the run failed. Returns 1 when the run ended cleanly and
 * the scenario's final invariants should be checked. */
static inline int scn_run(void) {
  int rc = uvsim_engine_run(scn_loop);
  return rc == 0 && !uvsim_failed();
}

/* Closes the engine and the loop. A loop that ended cleanly must close
 * cleanly; one stopped by a finding may still hold requests. */
static inline void scn_end(void) {
  int failed = uvsim_failed();
  uvsim_engine_close(scn_loop);
  int rc = uv_loop_close(scn_loop);
  if (!failed) UVSIM_CHECK(rc == 0, "uv_loop_close: %s", uv_err_name(rc));
  scn_loop = NULL;
}

/* The thread-pool side of a job whose result the loop thread computes: the
 * work callback only declares what the job costs (virtual time on top of the
 * pool's duration decision); it touches no shared state. */
static void scn_job_nop(void* data) { (void)data; }

/* fs.promises-style: a pool job as a promise (fulfils in the poll phase). */
static inline uvsim_promise* scn_job(const char* label) {
  return uvsim_work_promise(scn_loop, scn_job_nop, NULL, label);
}

/* A JS Error value with a code ("ENOENT", "ETIMEDOUT", ...). */
static inline uvsim_value scn_err(const char* code, const char* msg) {
  return uvsim_error_new(NULL, code, msg);
}

/* The code of a rejection reason, or "" when it has none. */
static inline const char* scn_code(uvsim_value v) {
  if (v.type != UVSIM_T_ERROR || v.u.err == NULL || v.u.err->code == NULL)
    return "";
  return v.u.err->code;
}

/* An arena-allocated async frame of type T, started with fn. */
#define SCN_ASYNC(T, fn, frame_out)                                       \
  ((frame_out) = (T*)uvsim_alloc(sizeof(T)),                              \
   uvsim_async_call(&(frame_out)->a, (fn)))

#endif
