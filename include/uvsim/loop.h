/* uvsim/loop.h — what the virtual loop offers beyond libuv's API: the hook
 * the engine uses for Node's checkpoint, the pool's knobs, and the reset
 * between in-process runs used by campaigns. */
#ifndef UVSIM_LOOP_H
#define UVSIM_LOOP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called after EVERY callback the loop delivers to user code (timers,
 * idle/prepare/check, async, pool done, close, I/O). The engine registers
 * its checkpoint here (drain nextTicks, then microtasks). NULL removes it. */
typedef void (*uvsim_after_callback_fn)(void);
void uvsim_set_after_callback(uvsim_after_callback_fn fn);
/* Called by uvsim_world_begin first, before the loop resets its own state:
 * the engine registers its reset here (uvs__engine_reset) when it binds to a
 * loop or first takes storage, so that the loop never calls the engine by
 * name. Unlike the checkpoint it stays registered from run to run. NULL
 * removes it. */
typedef void (*uvsim_world_reset_fn)(void);
void uvsim_set_world_reset(uvsim_world_reset_fn fn);

/* Pool. Work callbacks run on real worker threads while the loop waits for
 * them (see docs/loop.md); inline mode runs them on the loop thread: faster
 * and fully deterministic, but a work callback that blocks on the loop
 * deadlocks. Also settable with UVSIM_POOL_INLINE=1. */
void uvsim_pool_set_inline(int on);
/* The number of virtual workers (UV_THREADPOOL_SIZE, default 4, 1..1024). */
unsigned uvsim_pool_size(void);
/* Inside a work callback: this job takes `ns` more virtual time (e.g. a
 * hash that takes 30 ms on a real machine). */
void uvsim_pool_cost_ns(uint64_t ns);

/* The callback cost model: when on, every delivered callback consumes a
 * virtual duration chosen by a SIM_CB_COST decision (choice 0 = 0 ns, then
 * 100 us, 1 ms, 10 ms), so slow callbacks make timers late. Off by default
 * (it adds one decision per callback); also UVSIM_CB_COST=1. */
void uvsim_set_cb_cost(int enabled);

/* uv_queue_work with a name for the job in traces, reports and decisive
 * decisions ("pool_finish 1/2 db.get#7"); uv_queue_work names it "work". */
struct uv_loop_s;
struct uv_work_s;
int uvsim_queue_work_l(struct uv_loop_s* loop, struct uv_work_s* req,
                       const char* label, void (*work_cb)(struct uv_work_s*),
                       void (*after_work_cb)(struct uv_work_s*, int status));

/* A peer process: a second program on the simulated machine (a server the
 * program talks to over the simulated network), run in the same world.
 * `main_fn` runs on a thread of its own with a default loop of its own
 * (uv_default_loop() there), never at the same time as the program: it
 * runs now until its loop would sleep, then whenever the program's poll
 * phase finds it something to do (loop/peer.c). What it returns is
 * ignored; a peer that never ends is forgotten at the end of the run.
 * 0, UV_EINVAL (no function), UV_ENOMEM or UV_EAGAIN (no thread). */
int uvsim_peer_start(int (*main_fn)(void));

/* In-process runs (campaigns): begin resets the current world with `cfg`
 * (a sim_config from sim/sim.h; NULL = a zeroed config, i.e. seed 0), forgets the default
 * loop, the pool's state, handle numbering and the engine's state, so run N
 * behaves exactly like run 1. end finishes the run (nothing to free). */
struct sim_config;
void uvsim_world_begin(const struct sim_config* cfg);
void uvsim_world_end(void);

#ifdef __cplusplus
}
#endif
#endif
