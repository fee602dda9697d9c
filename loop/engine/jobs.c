/* loop/engine/jobs.c — the nextTick and microtask queues and Node's
 * checkpoint. Mirrors, in C, three pieces of Node 20:
 *   - InternalCallbackScope::Close / runNextTicks(): after a callback, if no
 *     tick is scheduled and no rejection is waiting, run the microtasks;
 *     then, if ticks or rejections remain, processTicksAndRejections();
 *   - processTicksAndRejections(): all ticks, then all microtasks, repeated
 *     until the tick queue is empty and processPromiseRejections() has
 *     nothing more to do;
 *   - processPromiseRejections(): 'rejectionHandled' first, then each
 *     pending unhandled rejection per the mode.
 * A chain longer than UVSIM_CHECKPOINT_JOBS_MAX is starvation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop/engine/engine_int.h"
#include "sim/sim.h"

uvs__engine uvs__eng;

/* Jobs run in the current checkpoint, against the starvation budget. */
static uint64_t checkpoint_jobs;

static int budget_exceeded(const char* label) {
  uint64_t max = uvs__eng.jobs_max ? uvs__eng.jobs_max
                                   : UVSIM_CHECKPOINT_JOBS_MAX;
  if (++checkpoint_jobs <= max) return 0;
  uvs__engine_fail(SIM_BUG_STARVATION, label ? label : "job",
                   "more than %llu nextTick/microtask jobs in one checkpoint: "
                   "the loop never reaches its next phase",
                   (unsigned long long)max);
  return 1;
}

void uvsim_set_checkpoint_jobs_max(uint64_t max) { uvs__eng.jobs_max = max; }

void uvs__engine_fail(int oracle, const char* where, const char* fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (uvs__eng.failed) return;
  uvs__eng.failed = 1;
  sim_fail(sim_current(), (sim_oracle)oracle, where, "%s", msg);
#ifdef UVSIM_ENGINE_REAL_LIBUV
  fprintf(stderr, "uvsim: %s at %s: %s\n", sim_oracle_name((sim_oracle)oracle),
          where, msg);
#endif
  if (uvs__eng.loop != NULL) uv_stop(uvs__eng.loop);
}

int uvsim_engine_failed(void) { return uvs__eng.failed; }

uvsim_value uvsim_throw(uvsim_value v) {
  v.thrown = 0;
  uvs__eng.thrown = 1;
  uvs__eng.thrown_value = v;
  v.thrown = 1;
  return v;
}

void uvs__uncaught(uvsim_value err, int oracle, const char* where) {
  if (uvs__eng.on_uncaught != NULL) {
    uvs__eng.on_uncaught(err, uvs__eng.on_uncaught_data);
    return;
  }
  char buf[200];
  uvsim_value_fmt(err, buf, sizeof buf);
  uvs__engine_fail(oracle, where ? where : "callback", "Uncaught %s", buf);
}

int uvs__call_callback(uvsim_cb fn, void* data, const char* label) {
  uvsim_value e;
  uvs__eng.last_label = label;
  uvs__job_begin();
  fn(data);
  if (!uvs__job_threw(&e)) return 0;
  uvs__uncaught(e, SIM_BUG_UNCAUGHT, label);
  return 1;
}

/* ------------------------------------------------------------ queueing */

void uvsim_next_tick_l(uvsim_cb fn, void* data, const char* label) {
  assert(fn != NULL);
  uvs__job j = {UVS__JOB_CALLBACK, fn, data, label ? label : "nextTick"};
  uvs__jobq_push(&uvs__eng.ticks, &j);
}

void uvsim_next_tick(uvsim_cb fn, void* data) {
  uvsim_next_tick_l(fn, data, NULL);
}

void uvsim_queue_microtask_l(uvsim_cb fn, void* data, const char* label) {
  assert(fn != NULL);
  uvs__job j = {UVS__JOB_CALLBACK, fn, data, label ? label : "queueMicrotask"};
  uvs__jobq_push(&uvs__eng.micro, &j);
}

void uvsim_queue_microtask(uvsim_cb fn, void* data) {
  uvsim_queue_microtask_l(fn, data, NULL);
}

/* ------------------------------------------------------------- running */

/* V8's RunMicrotasks: until the queue is empty, including jobs queued by
 * jobs. A callback microtask that throws is an uncaught exception (V8
 * reports it and goes on; Node makes it fatal). */
void uvs__run_microtasks(void) {
  if (uvs__eng.in_microtasks) return;
  uvs__eng.in_microtasks = 1;
  uvs__job j;
  while (!uvs__eng.failed && uvs__jobq_pop(&uvs__eng.micro, &j)) {
    if (budget_exceeded(j.label)) break;
    switch ((uvs__job_kind)j.kind) {
      case UVS__JOB_CALLBACK: uvs__call_callback(j.fn, j.data, j.label); break;
      case UVS__JOB_REACTION:
        uvs__eng.last_label = j.label;
        uvs__run_reaction(j.data);
        break;
      case UVS__JOB_THENABLE:
        uvs__eng.last_label = j.label;
        uvs__run_thenable_job(j.data);
        break;
    }
  }
  uvs__eng.in_microtasks = 0;
}

static int emit_unhandled(uvsim_promise* p) {
  if (uvs__eng.on_unhandled == NULL) return 0;
  uvs__eng.on_unhandled(p->result, p, uvs__eng.on_unhandled_data);
  return 1;
}

static void warn_unhandled(uvsim_promise* p) {
  char buf[200];
  uvsim_value_fmt(p->result, buf, sizeof buf);
  fprintf(stderr,
          "(uvsim) UnhandledPromiseRejectionWarning: %s (rejection id: %llu)\n",
          buf, (unsigned long long)p->uid);
}

/* The error that node throws for a non-Error reason. */
static uvsim_value rejection_error(uvsim_value reason) {
  if (reason.type == UVSIM_T_ERROR) return reason;
  char buf[160], msg[400];
  uvsim_value_fmt(reason, buf, sizeof buf);
  snprintf(msg, sizeof msg,
           "This error originated either by throwing inside of an async "
           "function without a catch block, or by rejecting a promise which "
           "was not handled with .catch(). The promise rejected with the "
           "reason \"%s\".", buf);
  return uvsim_error_new("UnhandledPromiseRejection", "ERR_UNHANDLED_REJECTION",
                         msg);
}

static void fail_rejection(uvsim_promise* p) {
  uvsim_value err = rejection_error(p->result);
  if (uvs__eng.on_uncaught != NULL) {
    uvs__eng.on_uncaught(err, uvs__eng.on_uncaught_data);
    return;
  }
  char buf[200], where[48];
  uvsim_value_fmt(p->result, buf, sizeof buf);
  snprintf(where, sizeof where, "promise#%llu", (unsigned long long)p->id);
  uvs__engine_fail(SIM_BUG_UNHANDLED_REJECTION, where,
                   "unhandled rejection: %s", buf);
}

/* Node's processPromiseRejections(). Returns 1 when user code may have
 * queued more work. */
static int process_promise_rejections(void) {
  int more = uvs__eng.async_handled.len > 0;
  for (size_t i = 0; i < uvs__eng.async_handled.len && !uvs__eng.failed; i++) {
    uvsim_promise* p = uvs__eng.async_handled.items[i];
    if (uvs__eng.on_handled != NULL)
      uvs__eng.on_handled(p, uvs__eng.on_handled_data);
    else if (uvs__eng.mode != UVSIM_REJECTIONS_NONE)
      fprintf(stderr, "(uvsim) PromiseRejectionHandledWarning: Promise "
              "rejection was handled asynchronously (rejection id: %llu)\n",
              (unsigned long long)p->uid);
  }
  uvs__eng.async_handled.len = 0;

  /* Only those pending now; listeners may add more (Node's `len--`). */
  size_t n = uvs__eng.pending_unhandled.len;
  for (size_t i = 0; i < n && !uvs__eng.failed; i++) {
    uvsim_promise* p = uvs__eng.pending_unhandled.items[i];
    if (p->unhandled != UVS__UNH_MAYBE) continue;  /* handled meanwhile */
    p->unhandled = UVS__UNH_WARNED;
    switch (uvs__eng.mode) {
      case UVSIM_REJECTIONS_STRICT:
        fail_rejection(p);
        if (!uvs__eng.failed && !emit_unhandled(p)) warn_unhandled(p);
        break;
      case UVSIM_REJECTIONS_NONE: emit_unhandled(p); break;
      case UVSIM_REJECTIONS_WARN:
        emit_unhandled(p);
        warn_unhandled(p);
        break;
      case UVSIM_REJECTIONS_THROW:
        if (!emit_unhandled(p)) fail_rejection(p);
        break;
    }
    more = 1;
  }
  /* drop the processed prefix */
  size_t rest = uvs__eng.pending_unhandled.len - n;
  if (rest)
    memmove(uvs__eng.pending_unhandled.items,
            uvs__eng.pending_unhandled.items + n, rest * sizeof(uvsim_promise*));
  uvs__eng.pending_unhandled.len = rest;
  return more || rest != 0;
}

/* Node's processTicksAndRejections(). */
static void process_ticks_and_rejections(void) {
  uvs__job j;
  do {
    while (!uvs__eng.failed && uvs__jobq_pop(&uvs__eng.ticks, &j)) {
      if (budget_exceeded(j.label)) return;
      /* A throw unwinds processTicksAndRejections: after the
       * 'uncaughtException' listener, the rest waits for the next callback
       * scope (measured: node runs them after the next timer). */
      if (uvs__call_callback(j.fn, j.data, j.label)) return;
    }
    if (uvs__eng.failed) return;
    uvs__run_microtasks();
    if (uvs__eng.failed) return;
  } while (uvs__eng.ticks.len != 0 || process_promise_rejections());
  uvs__eng.has_rejection_to_warn = 0;
}

void uvs__run_next_ticks(void) {
  if (uvs__eng.failed || uvs__eng.in_microtasks) return;
  if (uvs__eng.ticks.len == 0 && !uvs__eng.has_rejection_to_warn)
    uvs__run_microtasks();
  if (uvs__eng.ticks.len == 0 && !uvs__eng.has_rejection_to_warn) return;
  process_ticks_and_rejections();
}

void uvsim_checkpoint(void) {
  if (uvs__eng.in_checkpoint || uvs__eng.failed) return;
  uvs__eng.in_checkpoint = 1;
  checkpoint_jobs = 0;
  uvs__run_next_ticks();
  uvs__eng.in_checkpoint = 0;
}

void uvsim_set_rejection_mode(uvsim_rejection_mode mode) {
  uvs__eng.mode = mode;
}

void uvsim_on_unhandled_rejection(uvsim_unhandled_fn fn, void* data) {
  uvs__eng.on_unhandled = fn;
  uvs__eng.on_unhandled_data = data;
}

void uvsim_on_rejection_handled(uvsim_handled_fn fn, void* data) {
  uvs__eng.on_handled = fn;
  uvs__eng.on_handled_data = data;
}

void uvsim_on_uncaught_exception(uvsim_uncaught_fn fn, void* data) {
  uvs__eng.on_uncaught = fn;
  uvs__eng.on_uncaught_data = data;
}
