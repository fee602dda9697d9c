/* scenarios/nexttick_starvation.c — waiting for a flag with recursive
 * process.nextTick.
 *
 *   let index = null;
 *   fs.readFile('index.bin', (e, buf) => { index = buf; });   // pool job
 *   function whenReady(cb) {                                   // buggy
 *     if (index) cb(); else process.nextTick(whenReady, cb);
 *   }
 *   setTimeout(() => whenReady(search), 1);                   // a query arrives
 *
 * Invariant: the query is answered, and the loop is never starved (the
 * engine's starvation oracle: a nextTick chain that never lets the loop
 * reach its next phase, so the read that would set the flag can never
 * complete).
 *
 * The bug: nextTick callbacks run before the loop moves on, so polling with
 * them spins forever when the flag is not set yet. On an idle machine the
 * read is done before the query arrives; one slow read (10 ms) starves the
 * loop.
 *
 * The fix: no polling — whenReady queues the callback and the read's
 * completion runs the queue (an event). A setImmediate poll would also let
 * the loop breathe on a real machine, but it burns a core while it waits.
 */
#include "scn.h"

#define NS_WAITERS_MAX 4

static struct {
  int fixed;
  int ready;
  int answered;
  uvsim_cb waiters[NS_WAITERS_MAX];
  void* waiter_data[NS_WAITERS_MAX];
  int nwaiters;
} ns;

static void search(void* data) {
  (void)data;
  UVSIM_CHECK(ns.ready, "search ran before the index was loaded");
  ns.answered++;
}

static void when_ready(void* data) {
  uvsim_cb cb = (uvsim_cb)(uintptr_t)data;
  if (ns.ready) {
    cb(NULL);
    return;
  }
  if (ns.fixed) {
    ns.waiters[ns.nwaiters] = cb;
    ns.waiter_data[ns.nwaiters++] = NULL;
    return;
  }
  uvsim_next_tick_l(when_ready, data, "whenReady: poll the flag");
}

static uvsim_value index_loaded(uvsim_value v, void* data) {
  (void)v, (void)data;
  ns.ready = 1;
  for (int i = 0; i < ns.nwaiters; i++) ns.waiters[i](ns.waiter_data[i]);
  ns.nwaiters = 0;
  return uvsim_undefined();
}

static void query_arrives(void* data) {
  (void)data;
  when_ready((void*)(uintptr_t)search);
}

static void nexttick_starvation(int fixed) {
  memset(&ns, 0, sizeof ns);
  ns.fixed = fixed;
  scn_begin();
  /* 100k polls within one checkpoint is starvation for this program. */
  uvsim_set_checkpoint_jobs_max(100000);
  uvsim_then(scn_job("fs.readFile index.bin"), index_loaded, NULL, NULL);
  uvsim_set_timeout_l(query_arrives, NULL, 1, "query arrives");
  if (scn_run()) UVSIM_CHECK(ns.answered == 1, "the query was not answered");
  scn_end();
}

static void nexttick_starvation_buggy(void) { nexttick_starvation(0); }
static void nexttick_starvation_fixed(void) { nexttick_starvation(1); }

UVSIM_SCENARIO(nexttick_starvation, buggy, nexttick_starvation_buggy,
               .description = "waiting for a flag with recursive process.nextTick",
               .invariant = "the query is answered; the loop is never starved",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(nexttick_starvation, fixed, nexttick_starvation_fixed,
               .description = "waiters queued and run by the completion (no polling)",
               .invariant = "the query is answered; the loop is never starved",
               .expect = UVSIM_EXPECT_CLEAN);
