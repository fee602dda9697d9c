/* scenarios/resource_pool.c — a pool of 2 database connections whose
 * acquire() busy-polls with process.nextTick when none is free (the seed 004
 * AIModelPool shape, with the 100 ms setTimeout "optimised" into nextTick).
 *
 *   function acquire(cb) {                            // buggy
 *     if (free.length) return cb(free.pop());
 *     process.nextTick(() => acquire(cb));            // poll again
 *   }
 *   // requests 1 and 2 at 0 ms, request 3 at 2 ms; each runs one query
 *   // (a pool job) on its connection and releases it
 *
 * Invariant: every request completes, never more than 2 connections in use,
 * and the loop is never starved (the engine's starvation oracle: a nextTick
 * chain that never lets the loop reach its next phase).
 *
 * The bug: when request 3 arrives while both connections are busy, its
 * nextTick poll never yields to the poll phase, so the queries that would
 * release a connection can never complete: starvation. On an idle machine
 * the first two queries are done before request 3 arrives; one slow query
 * (10 ms) exposes it.
 *
 * The fix: a FIFO of waiters; release() hands the connection to the first
 * waiter (no polling at all).
 */
#include "scn.h"

#define RP_CONNS 2
#define RP_REQUESTS 3

typedef struct req {
  int id;
  int conn;
} req;

static struct {
  int fixed;
  int free_conns[RP_CONNS];
  int nfree;
  int in_use, max_in_use;
  req* waiters[RP_REQUESTS];   /* fixed: FIFO of waiting requests */
  int nwaiters;
  int completed;
  req reqs[RP_REQUESTS];
} rp;

static void got_conn(req* r, int conn);

static void acquire(void* data) {
  req* r = data;
  if (rp.nfree > 0) {
    got_conn(r, rp.free_conns[--rp.nfree]);
    return;
  }
  if (rp.fixed) {
    rp.waiters[rp.nwaiters++] = r;
    return;
  }
  uvsim_next_tick_l(acquire, r, "acquire: poll for a free connection");
}

static void release(int conn) {
  rp.in_use--;
  if (rp.fixed && rp.nwaiters > 0) {
    req* next = rp.waiters[0];
    memmove(rp.waiters, rp.waiters + 1, (size_t)(rp.nwaiters - 1) * sizeof rp.waiters[0]);
    rp.nwaiters--;
    got_conn(next, conn);
    return;
  }
  rp.free_conns[rp.nfree++] = conn;
}

static uvsim_value query_done(uvsim_value v, void* data) {
  (void)v;
  req* r = data;
  rp.completed++;
  release(r->conn);
  return uvsim_undefined();
}

static void got_conn(req* r, int conn) {
  r->conn = conn;
  rp.in_use++;
  if (rp.in_use > rp.max_in_use) rp.max_in_use = rp.in_use;
  UVSIM_CHECK(rp.in_use <= RP_CONNS, "%d connections in use out of %d", rp.in_use,
              RP_CONNS);
  uvsim_then(scn_job("db query"), query_done, NULL, r);
}

static void resource_pool(int fixed) {
  memset(&rp, 0, sizeof rp);
  rp.fixed = fixed;
  for (int i = 0; i < RP_CONNS; i++) rp.free_conns[rp.nfree++] = i;
  for (int i = 0; i < RP_REQUESTS; i++) rp.reqs[i].id = i;
  scn_begin();
  /* A chain of 100k polls in one checkpoint is starvation for this program
   * (Node would spin forever); keeps failing runs short. */
  uvsim_set_checkpoint_jobs_max(100000);
  acquire(&rp.reqs[0]);
  acquire(&rp.reqs[1]);
  uvsim_set_timeout_l(acquire, &rp.reqs[2], 2, "request 3 arrives");
  if (scn_run()) {
    UVSIM_CHECK(rp.completed == RP_REQUESTS, "%d of %d requests completed",
                rp.completed, RP_REQUESTS);
    UVSIM_CHECK(rp.in_use == 0, "%d connections never released", rp.in_use);
  }
  scn_end();
}

static void resource_pool_buggy(void) { resource_pool(0); }
static void resource_pool_fixed(void) { resource_pool(1); }

UVSIM_SCENARIO(resource_pool, buggy, resource_pool_buggy,
               .description = "connection pool acquire() busy-polls with nextTick",
               .invariant = "every request completes; the loop is never starved",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(resource_pool, fixed, resource_pool_fixed,
               .description = "connection pool with a FIFO of waiters",
               .invariant = "every request completes; the loop is never starved",
               .expect = UVSIM_EXPECT_CLEAN);
