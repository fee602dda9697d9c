/* tests/engine/real_shim.c — stands in for the virtual loop's hook when the
 * engine runs on the system libuv: there is no loop to call the checkpoint
 * after raw callbacks, so registering it does nothing (the engine's own
 * timer/immediate wrappers run the checkpoint themselves). */
#include <stddef.h>
#include <uv.h>

void uvsim_set_after_callback(void (*fn)(void));
int uvsim_queue_work_l(uv_loop_t* loop, uv_work_t* req, const char* label,
                       uv_work_cb work_cb, uv_after_work_cb after_work_cb);

void uvsim_set_after_callback(void (*fn)(void)) { (void)fn; }
/* No world begin on real libuv: nothing calls the engine's reset for it. */
void uvsim_set_world_reset(void (*fn)(void));
void uvsim_set_world_reset(void (*fn)(void)) { (void)fn; }

/* On real libuv a labelled pool job is a plain one. */
int uvsim_queue_work_l(uv_loop_t* loop, uv_work_t* req, const char* label,
                       uv_work_cb work_cb, uv_after_work_cb after_work_cb) {
  (void)label;
  return uv_queue_work(loop, req, work_cb, after_work_cb);
}
