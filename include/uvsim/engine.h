/* uvsim/engine.h — the JS job model in C, with Node 18/20 + V8 semantics.
 *
 * nextTick and microtask queues, Node-style timers and immediates on a
 * uv_loop_t, promises with ECMAScript semantics (then/catch/finally, thenable
 * adoption costing the spec's extra jobs, all/allSettled/race/any), async
 * functions written as small state machines, unhandled-rejection tracking
 * with Node's modes, and Node's checkpoint after every callback: drain all
 * nextTicks, then all microtasks, repeat until both are empty, then process
 * promise rejections.
 *
 * Built on the public libuv API only (uv_timer_t, uv_check_t, uv_idle_t), so
 * it runs on real libuv and on uvsim's virtual loop alike. On the virtual
 * loop the checkpoint also runs after every raw libuv callback the loop
 * delivers; on real libuv, a raw libuv callback (uv_fs_*, uv_queue_work...)
 * must end with uvsim_checkpoint() to get Node's behaviour.
 *
 * Memory: every engine object (promise, timer, immediate, error, array,
 * string made by uvsim_strf, async frame made by uvsim_alloc) lives in a
 * per-run arena and stays valid until uvs__engine_reset(); there is nothing
 * to free one by one. Arena blocks are reused across runs.
 *
 * Single-threaded: call everything from the loop's thread.
 *
 * Example (JS: `Promise.resolve(1).then(v => v + 1).then(console.log)`):
 *
 *   static uvsim_value add1(uvsim_value v, void* d) {
 *     (void)d; return uvsim_int(v.u.i + 1);
 *   }
 *   static uvsim_value show(uvsim_value v, void* d) {
 *     (void)d; printf("%lld\n", (long long)v.u.i); return uvsim_undefined();
 *   }
 *   int main(void) {
 *     uv_loop_t loop; uv_loop_init(&loop);
 *     uvsim_engine_init(&loop);
 *     uvsim_then(uvsim_then(uvsim_promise_from(uvsim_int(1)), add1, NULL,
 *                           NULL), show, NULL, NULL);
 *     int rc = uvsim_engine_run(&loop);   // 0, or 1 like node on failure
 *     uvsim_engine_close(&loop);
 *     uv_loop_close(&loop);
 *     uvs__engine_reset();
 *     return rc;
 *   }
 */
#ifndef UVSIM_ENGINE_H
#define UVSIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- values */

/* A JS value as a tagged C value. Strings are not copied (use uvsim_strf to
 * make one that lives in the run's arena). */
typedef enum uvsim_type {
  UVSIM_T_UNDEFINED = 0,
  UVSIM_T_NULL,
  UVSIM_T_BOOL,
  UVSIM_T_INT,      /* a JS number that is an integer                     */
  UVSIM_T_DOUBLE,   /* any other JS number                                */
  UVSIM_T_STRING,
  UVSIM_T_PTR,      /* an opaque object owned by the program              */
  UVSIM_T_ERROR,    /* Error / TypeError / AggregateError ...             */
  UVSIM_T_ARRAY,    /* result of all/allSettled, errors of AggregateError */
  UVSIM_T_SETTLED,  /* one allSettled entry: {status, value|reason}       */
  UVSIM_T_PROMISE,  /* a native promise                                   */
  UVSIM_T_THENABLE  /* a non-promise object with a `then` method          */
} uvsim_type;

typedef struct uvsim_promise uvsim_promise;
typedef struct uvsim_error uvsim_error;
typedef struct uvsim_array uvsim_array;
typedef struct uvsim_settled uvsim_settled;
typedef struct uvsim_thenable uvsim_thenable;

typedef struct uvsim_value {
  uint8_t type;     /* uvsim_type                                          */
  uint8_t thrown;   /* set by uvsim_throw(): the job that returned it threw */
  union {
    int b;
    int64_t i;
    double d;
    const char* s;
    void* ptr;
    uvsim_error* err;
    uvsim_array* arr;
    uvsim_settled* settled;
    uvsim_promise* p;
    uvsim_thenable* th;
  } u;
} uvsim_value;

struct uvsim_error {
  const char* name;      /* "Error", "TypeError", "AggregateError", ...   */
  const char* message;
  const char* code;      /* e.g. "ENOENT", "ERR_UNHANDLED_REJECTION"; or NULL */
  uvsim_array* errors;   /* AggregateError only, else NULL                */
};

struct uvsim_array {
  size_t len;
  uvsim_value* items;
};

struct uvsim_settled {
  int rejected;          /* status: 0 "fulfilled", 1 "rejected"           */
  uvsim_value value;     /* value or reason                               */
};

static inline uvsim_value uvsim_undefined(void) {
  uvsim_value v = {UVSIM_T_UNDEFINED, 0, {0}}; return v;
}
static inline uvsim_value uvsim_null(void) {
  uvsim_value v = {UVSIM_T_NULL, 0, {0}}; return v;
}
static inline uvsim_value uvsim_bool(int b) {
  uvsim_value v = {UVSIM_T_BOOL, 0, {0}}; v.u.b = !!b; return v;
}
static inline uvsim_value uvsim_int(int64_t i) {
  uvsim_value v = {UVSIM_T_INT, 0, {0}}; v.u.i = i; return v;
}
static inline uvsim_value uvsim_double(double d) {
  uvsim_value v = {UVSIM_T_DOUBLE, 0, {0}}; v.u.d = d; return v;
}
static inline uvsim_value uvsim_str(const char* s) {
  uvsim_value v = {UVSIM_T_STRING, 0, {0}}; v.u.s = s; return v;
}
static inline uvsim_value uvsim_ptr(void* p) {
  uvsim_value v = {UVSIM_T_PTR, 0, {0}}; v.u.ptr = p; return v;
}
static inline uvsim_value uvsim_promise_value(uvsim_promise* p) {
  uvsim_value v = {UVSIM_T_PROMISE, 0, {0}}; v.u.p = p; return v;
}

/* A string copied into the run's arena, printf-style. */
uvsim_value uvsim_strf(const char* fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* new Error(message) with optional name (NULL = "Error") and code (may be
 * NULL). Strings are copied into the arena. */
uvsim_value uvsim_error_new(const char* name, const char* code,
                            const char* message);
/* An array of n values (copied into the arena). */
uvsim_value uvsim_array_new(const uvsim_value* items, size_t n);

/* JSON.stringify-like rendering into buf (always NUL-terminated; returns
 * buf). Errors render as "Name: message", promises as "Promise", undefined as
 * "undefined", numbers as JS prints them. For printing in tests. */
char* uvsim_value_fmt(uvsim_value v, char* buf, size_t len);

/* Strict equality (===) for primitives, identity for objects. */
int uvsim_value_same(uvsim_value a, uvsim_value b);

/* Memory from the run's arena, zeroed, 16-byte aligned, valid until
 * uvs__engine_reset(). Use it for async frames and closure data. */
void* uvsim_alloc(size_t size);

/* --------------------------------------------------------------- throwing */

/* JS `throw v` for a C callback. Marks the current job as having thrown v and
 * returns v with `thrown` set, so a reaction can `return uvsim_throw(e);`
 * and a void callback can `uvsim_throw(e); return;`. Inside a promise job
 * (reaction, thenable `then`, executor) it becomes a rejection; inside a
 * nextTick, microtask, timer or immediate callback it is an uncaught
 * exception (SIM_BUG_UNCAUGHT; on real libuv node's "print and exit 1"). */
uvsim_value uvsim_throw(uvsim_value v);

/* --------------------------------------------------------- job queues */

typedef void (*uvsim_cb)(void* data);

/* process.nextTick(fn). `label` names the callback in reports (NULL =
 * "nextTick"); it must live for the run (a literal or sim_intern'd). */
void uvsim_next_tick(uvsim_cb fn, void* data);
void uvsim_next_tick_l(uvsim_cb fn, void* data, const char* label);
/* queueMicrotask(fn). */
void uvsim_queue_microtask(uvsim_cb fn, void* data);
void uvsim_queue_microtask_l(uvsim_cb fn, void* data, const char* label);

/* Node's checkpoint (InternalCallbackScope::Close + processTicksAndRejections):
 * run all nextTicks, then all microtasks, repeat until both queues are empty,
 * then process pending promise rejections (which may queue more). A no-op
 * inside a checkpoint or after a failure. Call it at the end of raw libuv
 * callbacks when running on real libuv. */
void uvsim_checkpoint(void);

/* A chain of nextTicks/microtasks longer than this within one checkpoint is
 * starvation: SIM_BUG_STARVATION, labelled with the last job that ran. */
#define UVSIM_CHECKPOINT_JOBS_MAX 1000000u
/* Changes that budget for this run (0 = UVSIM_CHECKPOINT_JOBS_MAX), e.g.
 * for benchmarks that legitimately run long chains. Reset restores it. */
void uvsim_set_checkpoint_jobs_max(uint64_t max);

/* ---------------------------------------------------- timers, immediates */

typedef struct uvsim_timer uvsim_timer;
typedef struct uvsim_immediate uvsim_immediate;

/* setTimeout(cb, ms) / setInterval(cb, ms): ms < 1, NaN or > 2^31-1 becomes 1
 * (Node's rule). Timers with equal durations share one list, one uv_timer_t
 * serves the earliest list (Node's lib/internal/timers.js). The label (NULL =
 * "setTimeout"/"setInterval") names the callback in traces and reports. */
uvsim_timer* uvsim_set_timeout(uvsim_cb cb, void* data, double ms);
uvsim_timer* uvsim_set_timeout_l(uvsim_cb cb, void* data, double ms,
                                 const char* label);
uvsim_timer* uvsim_set_interval(uvsim_cb cb, void* data, double ms);
uvsim_timer* uvsim_set_interval_l(uvsim_cb cb, void* data, double ms,
                                  const char* label);
/* clearTimeout / clearInterval (the same thing). NULL and already-fired or
 * cleared timers are ignored, as in Node. */
void uvsim_clear_timeout(uvsim_timer* t);
void uvsim_clear_interval(uvsim_timer* t);
/* timeout.unref() / ref() / hasRef() / refresh(). */
void uvsim_timer_unref(uvsim_timer* t);
void uvsim_timer_ref(uvsim_timer* t);
int uvsim_timer_has_ref(const uvsim_timer* t);
void uvsim_timer_refresh(uvsim_timer* t);

/* setImmediate(cb) / clearImmediate. Run from a uv_check_t in FIFO order;
 * immediates queued while immediates run wait for the next loop iteration. */
uvsim_immediate* uvsim_set_immediate(uvsim_cb cb, void* data);
uvsim_immediate* uvsim_set_immediate_l(uvsim_cb cb, void* data,
                                       const char* label);
void uvsim_clear_immediate(uvsim_immediate* im);
void uvsim_immediate_unref(uvsim_immediate* im);
void uvsim_immediate_ref(uvsim_immediate* im);

/* -------------------------------------------------------------- promises */

typedef enum uvsim_promise_state {
  UVSIM_PENDING = 0,
  UVSIM_FULFILLED,
  UVSIM_REJECTED
} uvsim_promise_state;

/* new Promise(() => {}), keeping its resolving functions: resolve/reject
 * below are exactly the `resolve`/`reject` an executor receives (the first
 * call wins, later ones are ignored; resolving with a promise or thenable
 * adopts its state through a NewPromiseResolveThenableJob; resolving with
 * the promise itself rejects with a TypeError). */
uvsim_promise* uvsim_promise_new(void);
void uvsim_promise_resolve(uvsim_promise* p, uvsim_value v);
void uvsim_promise_reject(uvsim_promise* p, uvsim_value reason);

/* new Promise(executor): runs fn(p, data) synchronously; if it throws
 * (uvsim_throw) p is rejected with the thrown value. */
typedef void (*uvsim_executor_fn)(uvsim_promise* p, void* data);
uvsim_promise* uvsim_promise_exec(uvsim_executor_fn fn, void* data);

/* Promise.resolve(v) (returns v itself when v is a native promise) and
 * Promise.reject(reason). */
uvsim_promise* uvsim_promise_from(uvsim_value v);
uvsim_promise* uvsim_promise_rejected(uvsim_value reason);

/* A reaction: returns the value the derived promise is resolved with (a
 * promise or thenable is adopted, costing the spec's extra jobs), or
 * uvsim_throw(e) to reject it. */
typedef uvsim_value (*uvsim_reaction_fn)(uvsim_value v, void* data);
/* p.then(on_ok, on_err): NULL handlers pass the value/reason through. Both
 * handlers get the same data. */
uvsim_promise* uvsim_then(uvsim_promise* p, uvsim_reaction_fn on_ok,
                          uvsim_reaction_fn on_err, void* data);
/* p.catch(on_err) */
uvsim_promise* uvsim_catch(uvsim_promise* p, uvsim_reaction_fn on_err,
                           void* data);
/* p.finally(fn): fn gets no value; what it returns is awaited (a promise it
 * returns delays the pass-through, a rejection or throw replaces it);
 * otherwise the original outcome passes through. Costs the spec's jobs. */
typedef uvsim_value (*uvsim_finally_fn)(void* data);
uvsim_promise* uvsim_finally(uvsim_promise* p, uvsim_finally_fn fn,
                             void* data);

uvsim_promise_state uvsim_promise_state_of(const uvsim_promise* p);
/* The value or reason; undefined while pending. */
uvsim_value uvsim_promise_result(const uvsim_promise* p);
/* A stable per-run number (1, 2, ...) for labels. */
uint64_t uvsim_promise_id(const uvsim_promise* p);

/* Promise.all / allSettled / race / any over n values (each goes through
 * Promise.resolve and .then, as the spec does). all → array of values;
 * allSettled → array of UVSIM_T_SETTLED; any rejects with an AggregateError
 * whose `errors` holds the reasons ("All promises were rejected"). Empty
 * input: all/allSettled fulfil with [], any rejects, race stays pending. */
uvsim_promise* uvsim_promise_all(const uvsim_value* items, size_t n);
uvsim_promise* uvsim_promise_all_settled(const uvsim_value* items, size_t n);
uvsim_promise* uvsim_promise_race(const uvsim_value* items, size_t n);
uvsim_promise* uvsim_promise_any(const uvsim_value* items, size_t n);

/* Promise helpers for scenarios.
 * uvsim_delay: new Promise(r => setTimeout(() => r(value), ms)).
 * uvsim_work_promise: a thread-pool job as a promise, like fs.promises:
 *   work(data) runs on the pool (uv_queue_work; it must not touch the
 *   engine), the promise fulfils with uvsim_ptr(data) from the after-work
 *   callback in the poll phase, then the checkpoint runs; a cancelled job
 *   rejects with an Error of code "ECANCELED". The label names the job in
 *   reports (NULL = "work"). */
uvsim_promise* uvsim_delay(double ms, uvsim_value value);
uvsim_promise* uvsim_work_promise(uv_loop_t* loop, void (*work)(void* data),
                                  void* data, const char* label);

/* ------------------------------------------------------------- thenables */

/* The resolving functions handed to a thenable's `then` (and created for
 * each NewPromiseResolveThenableJob). The first call wins. */
typedef struct uvsim_resolvers uvsim_resolvers;
void uvsim_resolvers_resolve(uvsim_resolvers* r, uvsim_value v);
void uvsim_resolvers_reject(uvsim_resolvers* r, uvsim_value reason);

/* thenable.then(resolve, reject). May call them now or keep `r` and call
 * later (it lives in the arena); may uvsim_throw() (rejects unless already
 * resolved). */
typedef void (*uvsim_then_fn)(void* self, uvsim_resolvers* r);
/* An object { then: fn } bound to self. */
uvsim_value uvsim_thenable_new(uvsim_then_fn then, void* self);

/* -------------------------------------------------------- async functions */

/* An async function is a frame struct whose FIRST member is uvsim_async,
 * and a body function written with the macros below. Locals that must
 * survive an await live in the frame (a switch-based state machine, like
 * protothreads: no `switch` of your own may enclose an await).
 *
 *   typedef struct { uvsim_async a; int i; } count_frame;
 *   static void count(uvsim_async* f_) {
 *     count_frame* f = (count_frame*)f_;
 *     UVSIM_ASYNC_BEGIN(f);
 *     for (f->i = 0; f->i < 3; f->i++) {
 *       UVSIM_AWAIT(f, uvsim_int(f->i));   // await i
 *       printf("%d\n", (int)UVSIM_AWAITED(f).u.i);
 *     }
 *     UVSIM_ASYNC_RETURN(f, uvsim_str("done"));
 *     UVSIM_ASYNC_END(f);
 *   }
 *   ...
 *   count_frame* f = uvsim_alloc(sizeof *f);
 *   uvsim_promise* p = uvsim_async_call(&f->a, count);
 *
 * await v follows V8 >= 7.2 (the spec after "await optimization"):
 * PromiseResolve(v) then PerformPromiseThen, so awaiting a native promise or
 * a plain value resumes 1 job after it settles; a thenable costs the
 * NewPromiseResolveThenableJob on top. UVSIM_AWAIT rethrows a rejection
 * (the async function's promise rejects, like an uncaught `throw` in JS);
 * UVSIM_AWAIT_TRY resumes either way, with UVSIM_AWAIT_REJECTED(f) set. */
typedef struct uvsim_async uvsim_async;
typedef void (*uvsim_async_fn)(uvsim_async* f);
struct uvsim_async {
  int state;               /* 0 = not started; __LINE__ of the last await  */
  int rejected;            /* the last await resumed with a rejection      */
  uvsim_value value;       /* what the last await resumed with             */
  uvsim_async_fn fn;
  uvsim_promise* promise;  /* the async function's result promise          */
  /* The engine's reaction record for the pending await (an await needs no
   * allocation for plain values and native promises). */
  uint64_t uvs__reaction_space[8];
};

/* Calls the async function: runs the body synchronously up to its first
 * await and returns its promise. `f` must outlive the call (uvsim_alloc). */
uvsim_promise* uvsim_async_call(uvsim_async* f, uvsim_async_fn fn);

/* Internal to the macros. */
void uvsim__await(uvsim_async* f, uvsim_value v);
void uvsim__async_settle(uvsim_async* f, uvsim_value v, int rejected);

#define UVSIM__A(f) ((uvsim_async*)(f))
#define UVSIM_ASYNC_BEGIN(f) switch (UVSIM__A(f)->state) { case 0:
#define UVSIM_AWAIT_TRY(f, v)                                            \
  do {                                                                   \
    UVSIM__A(f)->state = __LINE__;                                       \
    uvsim__await(UVSIM__A(f), (v));                                      \
    return;                                                              \
    case __LINE__:;                                                      \
  } while (0)
#define UVSIM_AWAIT(f, v)                                                \
  do {                                                                   \
    UVSIM_AWAIT_TRY(f, v);                                               \
    if (UVSIM__A(f)->rejected) {                                         \
      uvsim__async_settle(UVSIM__A(f), UVSIM__A(f)->value, 1);           \
      return;                                                            \
    }                                                                    \
  } while (0)
#define UVSIM_AWAITED(f) (UVSIM__A(f)->value)
#define UVSIM_AWAIT_REJECTED(f) (UVSIM__A(f)->rejected)
/* return v; (v may be a promise: adopted with the spec's extra jobs) */
#define UVSIM_ASYNC_RETURN(f, v)                                         \
  do {                                                                   \
    uvsim__async_settle(UVSIM__A(f), (v), 0);                            \
    return;                                                              \
  } while (0)
/* throw e; (uncaught in the async body: rejects its promise) */
#define UVSIM_ASYNC_THROW(f, e)                                          \
  do {                                                                   \
    uvsim__async_settle(UVSIM__A(f), (e), 1);                            \
    return;                                                              \
  } while (0)
/* Falling off the end returns undefined. */
#define UVSIM_ASYNC_END(f)                                               \
  uvsim__async_settle(UVSIM__A(f), uvsim_undefined(), 0);                \
  return;                                                                \
  default: break;                                                        \
  }

/* ----------------------------------------------------- unhandled rejections */

/* Node's --unhandled-rejections modes. THROW is Node >= 15's default: an
 * 'unhandledRejection' listener may handle it, otherwise it is an uncaught
 * exception (SIM_BUG_UNHANDLED_REJECTION; on real libuv: print, exit 1). */
typedef enum uvsim_rejection_mode {
  UVSIM_REJECTIONS_THROW = 0,
  UVSIM_REJECTIONS_STRICT,   /* fail even if a listener exists            */
  UVSIM_REJECTIONS_WARN,     /* listener + a warning on stderr, no failure */
  UVSIM_REJECTIONS_NONE      /* listener only                             */
} uvsim_rejection_mode;
void uvsim_set_rejection_mode(uvsim_rejection_mode mode);

/* process.on('unhandledRejection', fn): called from the checkpoint after the
 * queues drain (processPromiseRejections). Setting a listener "handles" it
 * in THROW mode. NULL removes it. */
typedef void (*uvsim_unhandled_fn)(uvsim_value reason, uvsim_promise* p,
                                   void* data);
void uvsim_on_unhandled_rejection(uvsim_unhandled_fn fn, void* data);
/* process.on('rejectionHandled', fn): a handler was attached to a promise
 * already reported as unhandled. */
typedef void (*uvsim_handled_fn)(uvsim_promise* p, void* data);
void uvsim_on_rejection_handled(uvsim_handled_fn fn, void* data);
/* process.on('uncaughtException', fn): with a listener an uncaught
 * exception is not a failure. */
typedef void (*uvsim_uncaught_fn)(uvsim_value err, void* data);
void uvsim_on_uncaught_exception(uvsim_uncaught_fn fn, void* data);

/* -------------------------------------------------------------- lifetime */

/* Binds the engine to a loop (if an earlier run was never reset, its state
 * is forgotten first): creates its uv_timer_t / uv_check_t /
 * uv_idle_t (unreferenced until used) and registers the checkpoint with the
 * virtual loop (uvsim_set_after_callback). Returns 0 or a libuv error. */
int uvsim_engine_init(uv_loop_t* loop);
/* The main script's end: checkpoint, then uv_run(DEFAULT) until the loop has
 * nothing left or the run failed. Returns 0, or 1 (node's exit code) when an
 * uncaught exception, unhandled rejection or starvation ended the run. */
int uvsim_engine_run(uv_loop_t* loop);
/* Closes the engine's handles and runs the loop once to deliver their close
 * callbacks, so that uv_loop_close() succeeds. */
void uvsim_engine_close(uv_loop_t* loop);
/* 1 once an uncaught exception / unhandled rejection / starvation stopped
 * the engine (it runs no more jobs or callbacks until reset). */
int uvsim_engine_failed(void);

/* Internal (called by the world reset, tests and campaigns): forget all
 * engine state for the next in-process run; arena blocks and queue storage
 * are kept for reuse. The loop must not be used by the engine afterwards. */
void uvs__engine_reset(void);

#ifdef __cplusplus
}
#endif
#endif /* UVSIM_ENGINE_H */
