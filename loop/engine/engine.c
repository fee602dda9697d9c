/* loop/engine/engine.c — the engine's lifetime: bind to a loop, run the
 * main script's end (checkpoint, then uv_run), close, and reset every
 * global for the next in-process run while keeping storage for reuse. */
#include <math.h>
#include <string.h>

#include "loop/engine/engine_int.h"

/* Called by the virtual loop after every callback it delivers. The engine's
 * own handles (timer, check, idle) already ran the checkpoint exactly where
 * node does — and node runs none after a check phase with no immediates —
 * so the call right after one of them is skipped. */
static void after_callback(void) {
  if (uvs__eng.own_callback) {
    uvs__eng.own_callback = 0;
    return;
  }
  uvsim_checkpoint();
}

void uvs__engine_attach_reset(void) { uvsim_set_world_reset(uvs__engine_reset); }

int uvsim_engine_init(uv_loop_t* loop) {
  assert(loop != NULL);
  uvs__engine_attach_reset();
  /* A run that ended without a reset (a scenario body that bailed out):
   * forget it rather than abort the campaign; its loop is not touched. */
  if (uvs__eng.initialized) uvs__engine_reset();
  uvs__eng.loop = loop;
  int rc = uvs__timers_init(loop);
  if (rc) return rc;
  uvs__eng.initialized = 1;
  uvs__eng.handles_open = 1;
  uvsim_set_after_callback(after_callback);
  return 0;
}

int uvsim_engine_run(uv_loop_t* loop) {
  assert(loop == uvs__eng.loop);
  uvsim_checkpoint();
  uvs__eng.main_done = 1;
  if (!uvs__eng.failed) {
    uvs__timers_before_loop();
    uv_run(loop, UV_RUN_DEFAULT);
  }
  return uvs__eng.failed ? 1 : 0;
}

void uvsim_engine_close(uv_loop_t* loop) {
  assert(loop == uvs__eng.loop);
  if (!uvs__eng.handles_open) return;
  uvs__eng.handles_open = 0;
  uvs__timers_close();
  uv_run(loop, UV_RUN_NOWAIT);
}

void uvs__engine_reset(void) {
  uvs__engine* e = &uvs__eng;
  /* keep: arena blocks, job ring buffers, promise lists, timer heap */
  uvs__arena arena = e->arena;
  uvs__jobq ticks = e->ticks, micro = e->micro;
  uvs__plist pend = e->pending_unhandled, handled = e->async_handled;
  uvs__tlist** heap = e->heap;
  size_t heap_cap = e->heap_cap;

  if (e->initialized) uvsim_set_after_callback(NULL);
  uvs__arena_reset(&arena);
  ticks.head = ticks.len = 0;
  micro.head = micro.len = 0;
  pend.len = 0;
  handled.len = 0;

  memset(e, 0, sizeof(*e));
  e->arena = arena;
  e->ticks = ticks;
  e->micro = micro;
  e->pending_unhandled = pend;
  e->async_handled = handled;
  e->heap = heap;
  e->heap_cap = heap_cap;
  e->next_expiry = INFINITY;
}
