/* loop/watcher.c — idle, prepare and check: the same handle three times, as
 * in libuv's loop-watcher.c. start inserts at the head, so the most recently
 * started runs first; the runner moves the list aside so callbacks may
 * start/stop watchers safely. */
#include "loop/internal.h"

#define UVS__WATCHER(name, htype)                                             \
  int uv_##name##_init(uv_loop_t* loop, uv_##name##_t* handle) {             \
    uvs__handle_init(loop, (uv_handle_t*)handle, htype);                     \
    handle->name##_cb = NULL;                                                \
    return 0;                                                                \
  }                                                                          \
                                                                             \
  int uv_##name##_start(uv_##name##_t* handle, uv_##name##_cb cb) {          \
    if (uvs__is_active((uv_handle_t*)handle)) return 0;                      \
    if (cb == NULL) return UV_EINVAL;                                        \
    UVS__ASSERT(handle->type == htype, "uv_" #name "_start on another type"); \
    uvs__q_insert_head(&handle->loop->name##_handles, &handle->queue);       \
    handle->name##_cb = cb;                                                  \
    uvs__name_handle((uv_handle_t*)handle, (const void*)cb);                 \
    uvs__handle_start((uv_handle_t*)handle);                                 \
    UVS__ASSERT(uvs__is_active((uv_handle_t*)handle),                        \
                "a started " #name " handle is not active");                 \
    return 0;                                                                \
  }                                                                          \
                                                                             \
  /* Active exactly while on the loop's list (start/stop keep both). */      \
  int uv_##name##_stop(uv_##name##_t* handle) {                              \
    if (!uvs__is_active((uv_handle_t*)handle)) return 0;                     \
    UVS__ASSERT(uvs__q_linked(&handle->queue),                               \
                "an active " #name " handle is not on the loop's list");     \
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
      /* stopping or closing one takes it off this list: what is left     \
       * is active, open, of this loop, and has a callback */             \
      UVS__ASSERT(h->type == htype && h->loop == loop,                       \
                  "a foreign handle is on the loop's " #name " list");       \
      UVS__ASSERT(uvs__is_active((uv_handle_t*)h) &&                         \
                  !uvs__is_closing((uv_handle_t*)h),                         \
                  "an inactive or closing handle is on the " #name " list"); \
      UVS__ASSERT(h->name##_cb != NULL, "a started " #name " has no callback"); \
      uvs__q_remove(e);                                                      \
      uvs__q_insert_tail(&loop->name##_handles, e);                          \
      uvs__trace_cb(uvs__label((uv_handle_t*)h));                            \
      h->name##_cb(h);                                                       \
      uvs__after_callback();                                                 \
    }                                                                        \
  }                                                                          \
                                                                             \
  void uvs__##name##_close(uv_##name##_t* handle) {                         \
    uv_##name##_stop(handle);                                                \
    UVS__ASSERT(!uvs__is_active((uv_handle_t*)handle),                       \
                "a closed " #name " handle is still active");                \
  }

UVS__WATCHER(idle, UV_IDLE)
UVS__WATCHER(prepare, UV_PREPARE)
UVS__WATCHER(check, UV_CHECK)
