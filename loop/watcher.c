/* loop/watcher.c — idle, prepare and check: the same handle three times, as
 * in libuv's loop-watcher.c. start inserts at the head, so the most recently
 * started runs first; the runner moves the list aside so callbacks may
 * start/stop watchers safely. */
#include "loop/internal.h"

#define UVS__WATCHER(name, type)                                              \
  int uv_##name##_init(uv_loop_t* loop, uv_##name##_t* handle) {             \
    uvs__handle_init(loop, (uv_handle_t*)handle, type);                      \
    handle->name##_cb = NULL;                                                \
    return 0;                                                                \
  }                                                                          \
                                                                             \
  int uv_##name##_start(uv_##name##_t* handle, uv_##name##_cb cb) {          \
    if (uvs__is_active((uv_handle_t*)handle)) return 0;                      \
    if (cb == NULL) return UV_EINVAL;                                        \
    uvs__q_insert_head(&handle->loop->name##_handles, &handle->queue);       \
    handle->name##_cb = cb;                                                  \
    uvs__handle_start((uv_handle_t*)handle);                                 \
    return 0;                                                                \
  }                                                                          \
                                                                             \
  int uv_##name##_stop(uv_##name##_t* handle) {                              \
    if (!uvs__is_active((uv_handle_t*)handle)) return 0;                     \
    uvs__q_remove(&handle->queue);                                           \
    uvs__handle_stop((uv_handle_t*)handle);                                  \
    return 0;                                                                \
  }                                                                          \
                                                                             \
  void uvs__run_##name(uv_loop_t* loop) {                                    \
    uvs__queue q;                                                            \
    uvs__q_move(&loop->name##_handles, &q);                                  \
    while (!uvs__q_empty(&q)) {                                              \
      void* (*e)[2] = uvs__q_head(&q);                                       \
      uv_##name##_t* h = UVS__QDATA(e, uv_##name##_t, queue);                 \
      uvs__q_remove(e);                                                      \
      uvs__q_insert_tail(&loop->name##_handles, e);                          \
      uvs__trace_cb(uvs__label((uv_handle_t*)h));                            \
      h->name##_cb(h);                                                       \
      uvs__after_callback();                                                 \
    }                                                                        \
  }                                                                          \
                                                                             \
  void uvs__##name##_close(uv_##name##_t* handle) { uv_##name##_stop(handle); }

UVS__WATCHER(idle, UV_IDLE)
UVS__WATCHER(prepare, UV_PREPARE)
UVS__WATCHER(check, UV_CHECK)
