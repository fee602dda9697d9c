/* scenarios/debounce.c — the async debounce of seed 004, saving a document
 * 50 ms after the user stops typing.
 *
 *   function debounce(fn, delay) {                    // buggy (seed 004)
 *     let timeoutId, pending = null;
 *     return (...args) => {
 *       clearTimeout(timeoutId);
 *       if (!pending) pending = new Promise(resolve => {
 *         timeoutId = setTimeout(async () => {
 *           const result = await fn(...args);         // save: a pool job
 *           pending = null; resolve(result);
 *         }, delay);
 *       });
 *       return pending;
 *     };
 *   }
 *   save(v1) at 0 ms; save(v2) at 60 ms (the user typed again)
 *
 * Invariant: the last version typed is the one saved last, and every call's
 * promise settles.
 *
 * The bug: a call made while `pending` is set clears the timer without
 * re-arming it (stale id when it already fired) and returns the old promise.
 * On an idle machine the first save is done long before 60 ms. If the timer
 * runs late (25 ms of loop lag) the second call clears it: nothing is ever
 * saved and both callers wait forever. If the first save is slow (10 ms) the
 * second call joins the finished save's promise: v2 is dropped.
 *
 * The fix: every call re-arms the timer and records the latest arguments;
 * the timer takes the latest arguments and the waiting callers; saves are
 * chained so that they land in order.
 */
#include "scn.h"

#define DB_DELAY_MS 50
#define DB_CALLS 2

typedef struct save_frame {
  uvsim_async a;
  int version;
  uvsim_promise* resolve_me;    /* buggy: the pending promise           */
  uvsim_promise* waiters[DB_CALLS];
  int nwaiters;
} save_frame;

static struct {
  int fixed;
  int saved_version;   /* what the disk holds                          */
  int last_typed;
  int settled;
  /* buggy state (the closure of the seed's debounce) */
  uvsim_timer* timeout_id;
  uvsim_promise* pending;
  /* fixed state */
  int latest;
  uvsim_promise* waiters[DB_CALLS];
  int nwaiters;
  uvsim_promise* chain;
} db;

/* fn: write the document (a pool job), resolve with the version written. */
static uvsim_value write_done(uvsim_value v, void* data) {
  (void)v;
  db.saved_version = (int)(intptr_t)data;
  return uvsim_int((intptr_t)data);
}

static uvsim_promise* save_doc(int version) {
  return uvsim_then(scn_job("fs.writeFile doc"), write_done, NULL,
                    (void*)(intptr_t)version);
}

/* ---- buggy: seed 004 */

static void buggy_fire(uvsim_async* a) {
  save_frame* f = (save_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT(f, uvsim_promise_value(save_doc(f->version)));
  db.pending = NULL;
  uvsim_promise_resolve(f->resolve_me, UVSIM_AWAITED(f));
  UVSIM_ASYNC_END(f);
}

static void buggy_timer(void* data) {
  save_frame* f = data;
  uvsim_async_call(&f->a, buggy_fire);
}

static uvsim_promise* debounced_buggy(int version) {
  uvsim_clear_timeout(db.timeout_id);
  if (!db.pending) {
    save_frame* f = uvsim_alloc(sizeof *f);
    f->version = version;
    f->resolve_me = db.pending = uvsim_promise_new();
    db.timeout_id = uvsim_set_timeout_l(buggy_timer, f, DB_DELAY_MS, "debounce timer");
  }
  return db.pending;
}

/* ---- fixed: trailing debounce with latest args and chained saves */

static uvsim_value fixed_save_step(uvsim_value v, void* data) {
  (void)v;
  save_frame* f = data;
  return uvsim_promise_value(save_doc(f->version));
}

static uvsim_value fixed_notify(uvsim_value v, void* data) {
  save_frame* f = data;
  for (int i = 0; i < f->nwaiters; i++) uvsim_promise_resolve(f->waiters[i], v);
  return uvsim_undefined();
}

static void fixed_timer(void* data) {
  (void)data;
  save_frame* f = uvsim_alloc(sizeof *f);
  db.timeout_id = NULL;
  f->version = db.latest;
  f->nwaiters = db.nwaiters;
  memcpy(f->waiters, db.waiters, sizeof f->waiters);
  db.nwaiters = 0;
  db.chain = uvsim_then(db.chain, fixed_save_step, fixed_save_step, f);
  uvsim_then(db.chain, fixed_notify, NULL, f);
}

static uvsim_promise* debounced_fixed(int version) {
  db.latest = version;
  uvsim_clear_timeout(db.timeout_id);
  db.timeout_id = uvsim_set_timeout_l(fixed_timer, NULL, DB_DELAY_MS, "debounce timer");
  uvsim_promise* p = uvsim_promise_new();
  db.waiters[db.nwaiters++] = p;
  return p;
}

/* ---- the user */

static uvsim_value call_settled(uvsim_value v, void* data) {
  (void)v, (void)data;
  db.settled++;
  return uvsim_undefined();
}

static void type_version(void* data) {
  int version = (int)(intptr_t)data;
  db.last_typed = version;
  uvsim_promise* p = db.fixed ? debounced_fixed(version) : debounced_buggy(version);
  uvsim_then(p, call_settled, NULL, NULL);
}

static void debounce(int fixed) {
  memset(&db, 0, sizeof db);
  db.fixed = fixed;
  scn_begin();
  db.chain = uvsim_promise_from(uvsim_undefined());
  type_version((void*)(intptr_t)1);
  uvsim_set_timeout_l(type_version, (void*)(intptr_t)2, 60, "user types v2");
  if (scn_run()) {
    UVSIM_CHECK(db.saved_version == db.last_typed,
                "saved version %d, last typed %d: the last call was dropped",
                db.saved_version, db.last_typed);
    UVSIM_CHECK(db.settled == DB_CALLS, "%d of %d debounced calls settled", db.settled,
                DB_CALLS);
  }
  scn_end();
}

static void debounce_buggy(void) { debounce(0); }
static void debounce_fixed(void) { debounce(1); }

UVSIM_SCENARIO(debounce, buggy, debounce_buggy,
               .description = "seed 004's async debounce: clears a stale timer, drops calls",
               .invariant = "the last version typed is saved last; every call settles",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(debounce, fixed, debounce_fixed,
               .description = "trailing debounce with latest args and chained saves",
               .invariant = "the last version typed is saved last; every call settles",
               .expect = UVSIM_EXPECT_CLEAN);
