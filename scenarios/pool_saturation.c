/* scenarios/pool_saturation.c — CPU-heavy hashing saturates the 4-thread
 * pool and a heartbeat that writes to disk waits behind it.
 *
 *   setInterval(() => {                              // heartbeat, 10 ms
 *     if (!writing) { writing = true;
 *       fs.appendFile('alive', ts, () => writing = false); } // pool job
 *   }, 10);
 *   await Promise.all(files.map(f => hash(f)));      // buggy: 6 jobs of 8 ms
 *
 * Invariant: a heartbeat write starts on a worker less than 4 ms after its
 * tick (the supervisor kills the process after a missed heartbeat).
 *
 * The bug: with every worker busy hashing, the heartbeat's write queues
 * behind the hashes (libuv's pool is FIFO, one queue). On an idle machine
 * the first four hashes are done at 8 ms and the last two leave two workers
 * free at the 10 ms tick. If two of the first four hashes run long (10 ms
 * more: two decisions), the last two take the freed workers and the tick at
 * 10 ms finds all four busy until 16 ms.
 *
 * The fix: hash through a limiter of UV_THREADPOOL_SIZE - 1 lanes. At most
 * 3 hash jobs and 1 heartbeat write (never two: `writing`) exist at any
 * moment, so the write never waits for a worker, whatever the durations.
 */
#include "scn.h"
#include "uvsim/loop.h"

#define PS_FILES 6
#define PS_HASH_COST_NS (8u * 1000000u)
#define PS_TICK_MS 10
#define PS_TICKS 3
#define PS_DELAY_MAX_NS (4u * 1000000u)

typedef struct beat {
  uint64_t tick_ns;
  uint64_t start_ns;   /* written by the work callback, on the pool */
} beat;

static struct {
  int fixed;
  int writing;
  int ticks;
  int beats_written;
  int hashed;
  int next_file;
  uvsim_timer* interval;
  beat beats[PS_TICKS];
} ps;

/* ---- hashing */

static void hash_work(void* data) {
  (void)data;
  uvsim_pool_cost_ns(PS_HASH_COST_NS);
}

static uvsim_promise* hash_file(int i) {
  static const char* const label[PS_FILES] = {
    "crypto.hash file 1", "crypto.hash file 2", "crypto.hash file 3",
    "crypto.hash file 4", "crypto.hash file 5", "crypto.hash file 6" };
  return uvsim_work_promise(scn_loop, hash_work, NULL, label[i]);
}

static uvsim_value hashed(uvsim_value v, void* data);

/* fixed: a lane takes the next file when its hash is done */
static void lane_next(void) {
  if (ps.next_file >= PS_FILES) return;
  uvsim_then(hash_file(ps.next_file++), hashed, NULL, NULL);
}

static uvsim_value hashed(uvsim_value v, void* data) {
  (void)v, (void)data;
  ps.hashed++;
  if (ps.fixed) lane_next();
  return uvsim_undefined();
}

/* ---- heartbeat */

static void beat_work(void* data) {
  beat* b = data;
  b->start_ns = uvsim_now_ns();   /* when a worker picked the write up */
}

static uvsim_value beat_written(uvsim_value v, void* data) {
  (void)v;
  beat* b = data;
  ps.writing = 0;
  ps.beats_written++;
  UVSIM_CHECK(b->start_ns - b->tick_ns < PS_DELAY_MAX_NS,
              "heartbeat write waited %llu us for a worker",
              (unsigned long long)((b->start_ns - b->tick_ns) / 1000u));
  return uvsim_undefined();
}

static void tick(void* data) {
  (void)data;
  if (ps.ticks == PS_TICKS - 1) uvsim_clear_interval(ps.interval);
  beat* b = &ps.beats[ps.ticks++];
  if (ps.writing) return;
  ps.writing = 1;
  b->tick_ns = uvsim_now_ns();
  uvsim_then(uvsim_work_promise(scn_loop, beat_work, b, "fs.appendFile alive"),
             beat_written, NULL, b);
}

static void pool_saturation(int fixed) {
  memset(&ps, 0, sizeof ps);
  ps.fixed = fixed;
  scn_begin();
  ps.interval = uvsim_set_interval_l(tick, NULL, PS_TICK_MS, "heartbeat");
  if (fixed) {
    unsigned lanes = uvsim_pool_size() > 1 ? uvsim_pool_size() - 1 : 1;
    for (unsigned i = 0; i < lanes; i++) lane_next();
  } else {
    for (ps.next_file = 0; ps.next_file < PS_FILES; ps.next_file++)
      uvsim_then(hash_file(ps.next_file), hashed, NULL, NULL);
  }
  if (scn_run()) {
    UVSIM_CHECK(ps.hashed == PS_FILES, "%d of %d files hashed", ps.hashed, PS_FILES);
    UVSIM_CHECK(ps.beats_written >= 1, "no heartbeat written");
  }
  scn_end();
}

static void pool_saturation_buggy(void) { pool_saturation(0); }
static void pool_saturation_fixed(void) { pool_saturation(1); }

UVSIM_SCENARIO(pool_saturation, buggy, pool_saturation_buggy,
               .description = "6 hashes on 4 pool workers delay a heartbeat's disk write",
               .invariant = "a heartbeat write waits < 4 ms for a pool worker",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(pool_saturation, fixed, pool_saturation_fixed,
               .description = "hashes limited to pool size - 1 lanes",
               .invariant = "a heartbeat write waits < 4 ms for a pool worker",
               .expect = UVSIM_EXPECT_CLEAN);
