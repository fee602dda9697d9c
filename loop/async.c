/* loop/async.c — uv_async_t, and the one place real threads meet the loop.
 *
 * uv_async_send may come from the loop thread, from a pool work callback or
 * from a real user thread. It sets the handle's pending flag atomically and
 * wakes the loop if it is waiting for real threads. Sends from the loop
 * thread and from pool work (which runs while the loop waits for it) are
 * deterministic; sends from free-running user threads are only as
 * deterministic as the program's own threads. */
#include "loop/internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static uint64_t wake_seq, wake_seen;

static void wake_init(void) {
  pthread_condattr_t a;
  pthread_condattr_init(&a);
  pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  pthread_cond_init(&wake_cv, &a);
  pthread_condattr_destroy(&a);
}

void uvs__wake(void) {
  pthread_once(&wake_once, wake_init);
  pthread_mutex_lock(&wake_mu);
  wake_seq++;
  pthread_cond_signal(&wake_cv);
  pthread_mutex_unlock(&wake_mu);
  uvs__poll_wake();   /* the loop may be waiting on real descriptors */
}

/* internal.h */
int uvs__real_wait(uint64_t max_ns) {
  pthread_once(&wake_once, wake_init);
  pthread_mutex_lock(&wake_mu);
  int woken = wake_seq != wake_seen;
  if (!woken) {
    if (max_ns == UINT64_MAX) {
      while (wake_seq == wake_seen) pthread_cond_wait(&wake_cv, &wake_mu);
    } else {
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      uint64_t ns = (uint64_t)ts.tv_nsec + max_ns;
      ts.tv_sec += (time_t)(ns / 1000000000u);
      ts.tv_nsec = (long)(ns % 1000000000u);
      while (wake_seq == wake_seen &&
             pthread_cond_timedwait(&wake_cv, &wake_mu, &ts) == 0) {}
    }
    woken = wake_seq != wake_seen;
  }
  wake_seen = wake_seq;
  pthread_mutex_unlock(&wake_mu);
  return woken;
}

int uv_async_init(uv_loop_t* loop, uv_async_t* handle, uv_async_cb async_cb) {
  uvs__handle_init(loop, (uv_handle_t*)handle, UV_ASYNC);
  uvs__name_handle((uv_handle_t*)handle, (const void*)async_cb);
  handle->async_cb = async_cb;
  atomic_store((_Atomic int*)&handle->pending, 0);
  uvs__q_insert_tail(&loop->async_handles, &handle->queue);
  uvs__handle_start((uv_handle_t*)handle);
  UVS__ASSERT(uvs__is_active((uv_handle_t*)handle), "a new async handle is not active");
  return 0;
}

int uv_async_send(uv_async_t* handle) {
  UVS__ASSERT(handle->type == UV_ASYNC, "uv_async_send on a handle that is not an async");
  _Atomic int* pending = (_Atomic int*)&handle->pending;
  if (atomic_load(pending) != 0) return 0;     /* coalesced, as in libuv */
  int expected = 0;
  if (atomic_compare_exchange_strong(pending, &expected, 1)) uvs__wake();
  return 0;
}

int uvs__async_pending_any(uv_loop_t* loop) {
  uvs__loop* L = uvs__L(loop);
  void* (*q)[2];
  UVS__QFOREACH(q, &loop->async_handles) {
    uv_async_t* h = UVS__QDATA(q, uv_async_t, queue);
    UVS__ASSERT(h->type == UV_ASYNC && h->loop == loop,
                "a foreign handle is on the loop's async list");
    if (atomic_load((_Atomic int*)&h->pending)) {
      L->async_pending = 1;
      return 1;
    }
  }
  L->async_pending = 0;
  return 0;
}

int uvs__run_async(uv_loop_t* loop) {
  uvs__loop* L = uvs__L(loop);
  int ran = 0;
  uvs__queue q;
  uvs__q_move(&loop->async_handles, &q);
  while (!uvs__q_empty(&q)) {
    void* (*e)[2] = uvs__q_head(&q);
    uv_async_t* h = UVS__QDATA(e, uv_async_t, queue);
    /* an async handle is on the list from init to close, active all along */
    UVS__ASSERT(uvs__is_active((uv_handle_t*)h) && !uvs__is_closing((uv_handle_t*)h),
                "an inactive or closing handle is on the async list");
    uvs__q_remove(e);
    uvs__q_insert_tail(&loop->async_handles, e);
    int one = 1;
    if (!atomic_compare_exchange_strong((_Atomic int*)&h->pending, &one, 0))
      continue;
    if (h->async_cb == NULL) continue;
    uvs__trace_cb(uvs__label((uv_handle_t*)h));
    h->async_cb(h);
    uvs__after_callback();
    ran++;
  }
  L->async_pending = 0;
  return ran;
}

void uvs__async_close(uv_async_t* h) {
  UVS__ASSERT(uvs__is_active((uv_handle_t*)h) && uvs__q_linked(&h->queue),
              "an async handle being closed is not on the loop's list");
  uvs__q_remove(&h->queue);
  uvs__handle_stop((uv_handle_t*)h);
}
