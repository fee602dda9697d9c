/* loop/engine/engine_int.h — the engine's internal state and helpers, shared
 * by the files of loop/engine/ (arena, jobs, promise, combinators, async,
 * timers, engine). Everything lives in one static struct so that
 * uvs__engine_reset() can forget a run in O(1) and keep its storage.
 *
 * Build modes: by default the engine is part of libuvsim and reports through
 * sim_fail()/sim_choose(); compiled with UVSIM_ENGINE_REAL_LIBUV it runs on
 * the system libuv (conformance twins), where failures also print to stderr
 * the way node does. */
#ifndef UVSIM_LOOP_ENGINE_ENGINE_INT_H
#define UVSIM_LOOP_ENGINE_ENGINE_INT_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "uvsim/engine.h"
/* uvsim_set_after_callback: the virtual loop's (loop/world.c), or a no-op
 * shim when running on real libuv (tests/engine/real_shim.c). */
#include "uvsim/loop.h"

/* ------------------------------------------------------------- arena */

/* Bump allocator in blocks; a run's objects die together at reset. */
#define UVS__ARENA_BLOCK_BYTES (256u * 1024u)
#define UVS__ARENA_KEEP_BLOCKS 64u /* kept across resets (16 MiB)        */

typedef struct uvs__block {
  struct uvs__block* next;
  size_t size; /* usable bytes after the header                          */
} uvs__block;

typedef struct uvs__arena {
  uvs__block* head;  /* block being filled                               */
  uvs__block* spare; /* emptied blocks kept for reuse                    */
  size_t nspare;
  char* cur;
  char* end;
} uvs__arena;

void* uvs__arena_alloc(uvs__arena* a, size_t size);
void uvs__arena_reset(uvs__arena* a);

/* ------------------------------------------------------------- jobs */

typedef enum uvs__job_kind {
  UVS__JOB_CALLBACK,  /* a user uvsim_cb                                 */
  UVS__JOB_REACTION,  /* PromiseReactionJob                              */
  UVS__JOB_THENABLE   /* NewPromiseResolveThenableJob                    */
} uvs__job_kind;

typedef struct uvs__job {
  uint8_t kind;
  uvsim_cb fn;        /* UVS__JOB_CALLBACK                               */
  void* data;         /* callback data / reaction / thenable record       */
  const char* label;
} uvs__job;

/* A FIFO ring buffer that grows by doubling and is kept across runs. */
typedef struct uvs__jobq {
  uvs__job* buf;
  size_t cap;  /* power of two                                           */
  size_t head; /* index of the first job                                 */
  size_t len;
} uvs__jobq;

void uvs__jobq_push(uvs__jobq* q, const uvs__job* job);
/* Registers uvs__engine_reset with the loop's world begin
 * (uvsim_set_world_reset): called when the engine binds and whenever it
 * takes storage, so that any engine state a run leaves is forgotten by the
 * next uvsim_world_begin. */
void uvs__engine_attach_reset(void);
static inline int uvs__jobq_pop(uvs__jobq* q, uvs__job* out) {
  if (q->len == 0) return 0;
  *out = q->buf[q->head];
  q->head = (q->head + 1) & (q->cap - 1);
  q->len--;
  return 1;
}

/* ---------------------------------------------------------- promises */

typedef struct uvs__reaction {
  struct uvs__reaction* next;
  uvsim_reaction_fn on_ok;
  uvsim_reaction_fn on_err;
  void* data;
  uvsim_promise* derived;  /* NULL for internal reactions (await, ...)   */
  uvsim_value arg;         /* the settlement, filled when triggered      */
  uint8_t rejected;
} uvs__reaction;

/* Rejection tracking state of a promise (Node's maybeUnhandledPromises). */
enum {
  UVS__UNH_NONE = 0,
  UVS__UNH_MAYBE,    /* rejected with no handler, not yet reported       */
  UVS__UNH_WARNED    /* reported as unhandled                            */
};

struct uvsim_promise {
  uint8_t state;            /* uvsim_promise_state                       */
  uint8_t already_resolved; /* of the promise's own resolving functions  */
  uint8_t handled;          /* [[PromiseIsHandled]]                      */
  uint8_t unhandled;        /* UVS__UNH_*                                */
  uvsim_value result;
  uvs__reaction* head;      /* reactions, in registration order          */
  uvs__reaction* tail;
  uint64_t id;
  uint64_t uid;             /* rejection id (Node's lastPromiseId)       */
};

struct uvsim_resolvers {
  uvsim_promise* p;
  uint8_t already_resolved;
};

struct uvsim_thenable {
  uvsim_then_fn then;
  void* self;
};

/* A list of promises (pending unhandled / async handled). */
typedef struct uvs__plist {
  uvsim_promise** items;
  size_t len, cap;
} uvs__plist;

void uvs__plist_push(uvs__plist* l, uvsim_promise* p);

/* Internal then without a derived promise (await, combinators, adoption):
 * marks p handled, as PerformPromiseThen does. */
void uvs__promise_then_internal(uvsim_promise* p, uvsim_reaction_fn on_ok,
                                uvsim_reaction_fn on_err, void* data);
/* The same with a caller-owned reaction record (not queued anywhere). */
void uvs__promise_then_record(uvsim_promise* p, uvs__reaction* r);
/* Queues r's job as if r were registered on a promise already fulfilled
 * with v (PromiseResolve(v) + PerformPromiseThen for a non-thenable v). */
void uvs__reaction_fulfilled(uvs__reaction* r, uvsim_value v);
/* Runs one reaction / thenable job (called by the microtask runner). */
void uvs__run_reaction(uvs__reaction* r);
void uvs__run_thenable_job(void* rec);

/* ------------------------------------------------------------ timers */

typedef struct uvs__tlist uvs__tlist;

struct uvsim_timer {
  uvsim_timer* prev;     /* in its duration list                         */
  uvsim_timer* next;
  uvs__tlist* list;      /* NULL when not armed                          */
  uvsim_cb cb;
  void* data;
  const char* label;
  double msecs;
  double repeat;         /* 0 for setTimeout                             */
  double start;          /* _idleStart (loop ms)                         */
  uint8_t refed;
  uint8_t destroyed;     /* fired (timeout) or cleared                   */
  uint8_t cleared;       /* clearTimeout: _idleTimeout = -1, refresh no-op */
};

struct uvs__tlist {
  uvs__tlist* free_next;
  uvsim_timer* head;
  uvsim_timer* tail;
  double msecs;
  double expiry;
  uint64_t id;           /* tie-break between lists: Node's timerListId  */
  size_t heap_index;
};

struct uvsim_immediate {
  uvsim_immediate* next;
  uvsim_immediate* prev;
  uvsim_cb cb;
  void* data;
  const char* label;
  uint8_t destroyed;
  uint8_t refed;
  uint8_t in_batch;      /* detached by processImmediate                  */
};

/* ------------------------------------------------------- engine state */

typedef struct uvs__engine {
  uv_loop_t* loop;
  int initialized;
  int handles_open;
  uvs__arena arena;

  uvs__jobq ticks;
  uvs__jobq micro;
  int in_checkpoint;
  int in_microtasks;
  int has_rejection_to_warn;
  const char* last_label;   /* label of the job that ran last            */

  /* the current job's throw slot (uvsim_throw) */
  int thrown;
  uvsim_value thrown_value;

  uint64_t jobs_max;        /* starvation budget; 0 = default           */
  int failed;               /* the engine stopped (uncaught, unhandled, starvation) */

  /* promises */
  uint64_t next_promise_id;
  uint64_t last_rejection_uid;
  size_t maybe_unhandled;   /* promises in state UVS__UNH_MAYBE or WARNED */
  uvs__plist pending_unhandled;
  uvs__plist async_handled;
  uvsim_rejection_mode mode;
  uvsim_unhandled_fn on_unhandled;
  void* on_unhandled_data;
  uvsim_handled_fn on_handled;
  void* on_handled_data;
  uvsim_uncaught_fn on_uncaught;
  void* on_uncaught_data;

  /* timers: a binary min-heap of lists by (expiry, id); lists by msecs are
   * found by a linear scan (programs use few distinct durations) */
  uv_timer_t timer_handle;
  uvs__tlist** heap;
  size_t heap_len, heap_cap;
  uvs__tlist* free_lists;
  uint64_t next_list_id;
  double next_expiry;       /* of the armed uv timer; INFINITY if none   */
  size_t timer_refs;        /* refed active timers                       */
  int in_timers;

  /* immediates */
  uv_check_t check_handle;
  uv_idle_t idle_handle;
  uvsim_immediate* imm_head;
  uvsim_immediate* imm_tail;
  size_t imm_count;
  size_t imm_refs;
  int idle_active;
  int main_done;            /* the main script's checkpoint has run      */
  int own_callback;         /* an engine handle's callback just returned  */
} uvs__engine;

extern uvs__engine uvs__eng;

/* Failure: records it (sim_fail, plus node's stderr report on real libuv),
 * stops the engine and the loop. */
void uvs__engine_fail(int oracle, const char* where, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An uncaught exception (from a nextTick/timer/immediate callback or the
 * unhandled-rejection path): goes to the uncaughtException listener if any,
 * else fails the run with `oracle`. */
void uvs__uncaught(uvsim_value err, int oracle, const char* where);

/* Throw-slot protocol around a job. */
static inline void uvs__job_begin(void) { uvs__eng.thrown = 0; }
static inline int uvs__job_threw(uvsim_value* out) {
  if (!uvs__eng.thrown) return 0;
  uvs__eng.thrown = 0;
  *out = uvs__eng.thrown_value;
  out->thrown = 0;
  return 1;
}
/* Runs a user callback as a job outside promise machinery: a throw is an
 * uncaught exception. Returns 1 when it threw. */
int uvs__call_callback(uvsim_cb fn, void* data, const char* label);

/* Node's runNextTicks(): microtasks only when no tick/rejection pending,
 * else processTicksAndRejections. */
void uvs__run_next_ticks(void);
/* V8's RunMicrotasks; a no-op when nested. */
void uvs__run_microtasks(void);

/* Timers and immediates. */
double uvs__loop_now(void);
int uvs__timers_init(uv_loop_t* loop);
void uvs__timers_before_loop(void);
void uvs__timers_close(void);

#endif /* UVSIM_LOOP_ENGINE_ENGINE_INT_H */
