/* scenarios/hard/hard_cache_lost.c — a depth-3 lost update through a cache,
 * a write queue and a timer: a write-behind cache in front of a versioned
 * store, with an expiry check.
 *
 *   set(v):   cache = v; queue(v, ++version); flush in 5 ms
 *   flush():  dirty = true; store.write(v, version, () => dirty = false)
 *   at 14 ms: if (!queued && !dirty) cache = undefined   // expiry
 *   at 500 ms: v = cache ?? await store.read(); set(v + 1)
 *
 * The client sets 1 at 0 ms and 2 at 8 ms; the increment at 500 ms must
 * read 2. The store keeps the highest version (a late write of 1 does not
 * undo 2).
 *
 * The bug: `dirty` is one flag for all writes in flight, so the first
 * write's completion clears it while the second is still in flight; the
 * expiry then drops the cached 2, and the increment reads 1 from the
 * store. Three specific non-natural decisions: the first write takes
 * exactly 10 ms (pool_duration 3: done at 15 ms, after the second flush at
 * 13 ms), the expiry timer runs 5 to 100 ms late (timer_lag 2 to 4: after
 * 15 ms, yet before the increment), and the second write takes 1 s or more
 * (pool_duration 5 or 6: still in flight at 500 ms); or the first write
 * takes 100 ms and the expiry is 100 ms late. Any other duration of the
 * first write, an expiry on time, or a second write of 100 ms or less, and
 * the increment reads 2.
 *
 * The fix: count the writes in flight; expire only when none is. */
#include "hard.h"

#define CL_FLUSH_MS 5
#define CL_SET2_MS 8
#define CL_EXPIRY_MS 14
#define CL_INCR_MS 500

static struct {
  int fixed;
  int cache, cache_valid;
  int dirty;              /* buggy: one flag; fixed: writes in flight */
  int queued, queued_ver, version;
  int store, store_ver;
  int flush_armed;
  uv_timer_t flush, set2, expiry, incr;
  uv_work_t write_req[3], read_req;
  int nwrites;
  int writes_val[3], writes_ver[3];
} cl;

static void on_written(uv_work_t* req, int status) {
  (void)status;
  int i = (int)(intptr_t)req->data;
  if (cl.writes_ver[i] > cl.store_ver) {   /* the store keeps the newest */
    cl.store = cl.writes_val[i];
    cl.store_ver = cl.writes_ver[i];
  }
  if (cl.fixed) cl.dirty--;
  else cl.dirty = 0;
}

static void on_flush(uv_timer_t* t) {
  (void)t;
  cl.flush_armed = 0;
  UVSIM_CHECK(cl.nwrites < 3, "more writes than the scenario makes");
  int i = cl.nwrites++;
  cl.writes_val[i] = cl.queued;
  cl.writes_ver[i] = cl.queued_ver;
  if (cl.fixed) cl.dirty++;
  else cl.dirty = 1;
  hard_job(&cl.write_req[i], (void*)(intptr_t)i, on_written);
}

static void cache_set(int v) {
  cl.cache = v;
  cl.cache_valid = 1;
  cl.queued = v;
  cl.queued_ver = ++cl.version;
  if (!cl.flush_armed) {
    cl.flush_armed = 1;
    uv_timer_start(&cl.flush, on_flush, CL_FLUSH_MS, 0);
  }
}

static void on_set2(uv_timer_t* t) {
  (void)t;
  cache_set(2);
  hard_close(&cl.set2);
}

static void on_expiry(uv_timer_t* t) {
  (void)t;
  /* nothing waiting for the flush timer, and (the flaw) the flag clear */
  if (!cl.flush_armed && !cl.dirty) cl.cache_valid = 0;
  hard_close(&cl.expiry);
}

static void increment(int v) {
  UVSIM_CHECK(v == 2, "the increment read %d after sets of 1 and 2: an update was lost", v);
  cache_set(v + 1);
  hard_close(&cl.incr);
}

static void on_read(uv_work_t* req, int status) {
  (void)req;
  (void)status;
  cl.cache = cl.store;     /* read-through: the cache keeps what it read */
  cl.cache_valid = 1;
  increment(cl.store);
}

static void on_incr(uv_timer_t* t) {
  (void)t;
  if (cl.cache_valid) increment(cl.cache);
  else hard_job(&cl.read_req, NULL, on_read);
}

static void cache_lost(int fixed) {
  memset(&cl, 0, sizeof cl);
  cl.fixed = fixed;
  scn_begin();
  uv_timer_init(scn_loop, &cl.flush);
  cache_set(1);
  hard_timer(&cl.set2, NULL, on_set2, CL_SET2_MS);
  hard_timer(&cl.expiry, NULL, on_expiry, CL_EXPIRY_MS);
  hard_timer(&cl.incr, NULL, on_incr, CL_INCR_MS);
  if (scn_run()) {
    /* the timers ran out; close them so the loop closes cleanly */
    hard_close(&cl.flush);
    hard_close(&cl.set2);
    hard_close(&cl.expiry);
    hard_close(&cl.incr);
    scn_run();
  }
  scn_end();
}

static void cache_lost_buggy(void) { cache_lost(0); }
static void cache_lost_fixed(void) { cache_lost(1); }

UVSIM_SCENARIO(hard_cache_lost, buggy, cache_lost_buggy,
               .description = "write-behind cache: one dirty flag for two writes, expiry drops the newer value",
               .invariant = "the increment reads the last value set",
               .expect = UVSIM_EXPECT_BUG, .flags = UVSIM_SCN_HARD, .runs = 300);
UVSIM_SCENARIO(hard_cache_lost, fixed, cache_lost_fixed,
               .description = "write-behind cache that expires only with no write in flight",
               .invariant = "the increment reads the last value set",
               .expect = UVSIM_EXPECT_CLEAN, .flags = UVSIM_SCN_HARD, .runs = 300);
