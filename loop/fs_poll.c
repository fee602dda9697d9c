/* loop/fs_poll.c — uv_fs_poll_*: a file watcher that polls with stat, as
 * libuv 1.44's src/fs-poll.c does, on the virtual loop: an internal
 * (unreferenced) timer and an async uv_fs_stat, so each poll is a pool job
 * of the simulated world, reordered and delayed like any other.
 *
 * libuv's behaviour kept:
 *   - start stats at once; the callback runs only on a change: the first
 *     error (e.g. UV_ENOENT, with prev = the last good stat and curr
 *     zeroed), the error changing, a file appearing after an error (status
 *     0, prev zeroed), or a stat that differs (times, size, mode, owner,
 *     inode, device) from the last one. The first successful stat is only
 *     remembered;
 *   - the next stat is interval ms after the previous one began (the time
 *     the stat took is subtracted, modulo the interval); interval 0 is 1;
 *   - start on an active handle answers 0 and changes nothing; stop keeps
 *     a stat in flight running and drops its answer; a start after a stop
 *     while that stat is in flight makes a new context, and the old one
 *     goes when its stat returns;
 *   - close waits for the stat in flight and the timer's close: the close
 *     callback comes after them (uvs__make_close_pending);
 *   - getpath answers UV_EINVAL when stopped, UV_ENOBUFS with the size
 *     needed.
 * The handle is named by its callback (`fs_poll:on_poll`); its timer and
 * stat jobs are labelled after it. */
#include "loop/internal.h"

#include <stdlib.h>
#include <string.h>

#include "loop/world_io.h"

typedef struct poll_ctx {
  uv_fs_poll_t* parent;
  int busy;                     /* 0: no stat yet; 1: last was good; <0: its error */
  unsigned interval;
  uint64_t start_time;
  uv_loop_t* loop;
  uv_fs_poll_cb poll_cb;
  uv_timer_t timer;             /* internal, unreferenced                  */
  uv_fs_t req;
  uv_stat_t statbuf;            /* the last good stat                      */
  struct poll_ctx* previous;    /* from an earlier start..stop             */
  char path[];
} poll_ctx;

static const uv_stat_t zero_stat;

static void poll_stat_cb(uv_fs_t* req);
static void poll_timer_cb(uv_timer_t* timer);
static void timer_close_cb(uv_handle_t* timer);

static int stat_eq(const uv_stat_t* a, const uv_stat_t* b) {
  return a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
         a->st_ctim.tv_nsec == b->st_ctim.tv_nsec &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
         a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
         a->st_birthtim.tv_sec == b->st_birthtim.tv_sec &&
         a->st_birthtim.tv_nsec == b->st_birthtim.tv_nsec &&
         a->st_size == b->st_size && a->st_mode == b->st_mode &&
         a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
         a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
         a->st_flags == b->st_flags && a->st_gen == b->st_gen;
}

static void fs_poll_close(uv_handle_t* h) {
  uv_fs_poll_t* handle = (uv_fs_poll_t*)h;
  uv_fs_poll_stop(handle);
  /* the timer's close callback (or the stat's answer) finishes it */
  if (handle->poll_ctx != NULL) h->flags |= UVS__H_CLOSE_LATER;
}

int uv_fs_poll_init(uv_loop_t* loop, uv_fs_poll_t* handle) {
  uvs__handle_init(loop, (uv_handle_t*)handle, UV_FS_POLL);
  uvs__close_hook[UV_FS_POLL] = fs_poll_close;
  handle->poll_ctx = NULL;
  return 0;
}

int uv_fs_poll_start(uv_fs_poll_t* handle, uv_fs_poll_cb cb, const char* path,
                     unsigned int interval) {
  if (uvs__is_active((uv_handle_t*)handle)) return 0;
  UVS__ASSERT(!uvs__is_closing((uv_handle_t*)handle), "fs_poll handle is closing");
  uvs__name_handle((uv_handle_t*)handle, (const void*)cb);
  uv_loop_t* loop = handle->loop;
  size_t len = strlen(path);
  poll_ctx* ctx = uvs__wcalloc(sizeof *ctx + len + 1);
  ctx->loop = loop;
  ctx->poll_cb = cb;
  ctx->interval = interval ? interval : 1;
  ctx->start_time = uv_now(loop);
  ctx->parent = handle;
  memcpy(ctx->path, path, len + 1);
  uv_timer_init(loop, &ctx->timer);
  ctx->timer.flags |= UVS__H_INTERNAL | UVS__H_NAMED;
  uvs__set_label((uv_handle_t*)&ctx->timer,
                 sim_internf(uvs__sim(), "%s timer", uvs__label((uv_handle_t*)handle)));
  uv_unref((uv_handle_t*)&ctx->timer);
  int err = uv_fs_stat(loop, &ctx->req, ctx->path, poll_stat_cb);
  if (err < 0) {
    /* the timer never started: take it off the loop's list */
    uvs__q_remove(&ctx->timer.handle_queue);
    uvs__wfree(ctx);
    return err;
  }
  ctx->previous = handle->poll_ctx;
  handle->poll_ctx = ctx;
  uvs__handle_start((uv_handle_t*)handle);
  return 0;
}

int uv_fs_poll_stop(uv_fs_poll_t* handle) {
  if (!uvs__is_active((uv_handle_t*)handle)) return 0;
  poll_ctx* ctx = handle->poll_ctx;
  UVS__ASSERT(ctx != NULL && ctx->parent == handle, "an active fs_poll handle has no context");
  /* an inactive timer means a stat is in flight: its callback cleans up */
  if (uvs__is_active((uv_handle_t*)&ctx->timer))
    uv_close((uv_handle_t*)&ctx->timer, timer_close_cb);
  uvs__handle_stop((uv_handle_t*)handle);
  return 0;
}

int uv_fs_poll_getpath(uv_fs_poll_t* handle, char* buffer, size_t* size) {
  if (!uvs__is_active((uv_handle_t*)handle)) {
    *size = 0;
    return UV_EINVAL;
  }
  poll_ctx* ctx = handle->poll_ctx;
  size_t need = strlen(ctx->path);
  if (need >= *size) {
    *size = need + 1;
    return UV_ENOBUFS;
  }
  memcpy(buffer, ctx->path, need + 1);
  *size = need;
  return 0;
}

static void poll_timer_cb(uv_timer_t* timer) {
  poll_ctx* ctx = UVS__QDATA(timer, poll_ctx, timer);
  UVS__ASSERT(ctx->parent->poll_ctx == ctx, "an fs_poll timer outlived its context");
  ctx->start_time = uv_now(ctx->loop);
  int err = uv_fs_stat(ctx->loop, &ctx->req, ctx->path, poll_stat_cb);
  UVS__ASSERT(err == 0, "fs_poll could not start its stat");
}

static void poll_stat_cb(uv_fs_t* req) {
  poll_ctx* ctx = UVS__QDATA(req, poll_ctx, req);
  uv_fs_poll_t* handle = ctx->parent;
  int live = uvs__is_active((uv_handle_t*)handle) && !uvs__is_closing((uv_handle_t*)handle);
  if (live && req->result != 0) {
    /* an error is reported once, until it changes */
    if (ctx->busy != req->result) {
      ctx->poll_cb(handle, (int)req->result, &ctx->statbuf, &zero_stat);
      ctx->busy = (int)req->result;
    }
  } else if (live) {
    const uv_stat_t* st = &req->statbuf;
    if (ctx->busy != 0 && (ctx->busy < 0 || !stat_eq(&ctx->statbuf, st)))
      ctx->poll_cb(handle, 0, &ctx->statbuf, st);
    ctx->statbuf = *st;
    ctx->busy = 1;
  }
  uv_fs_req_cleanup(req);
  /* the callback may have stopped or closed the handle */
  if (!uvs__is_active((uv_handle_t*)handle) || uvs__is_closing((uv_handle_t*)handle)) {
    uv_close((uv_handle_t*)&ctx->timer, timer_close_cb);
    return;
  }
  /* the next stat interval ms after this one began */
  uint64_t interval = ctx->interval;
  interval -= (uv_now(ctx->loop) - ctx->start_time) % interval;
  uv_timer_start(&ctx->timer, poll_timer_cb, interval, 0);
}

static void timer_close_cb(uv_handle_t* timer) {
  poll_ctx* ctx = UVS__QDATA(timer, poll_ctx, timer);
  uv_fs_poll_t* handle = ctx->parent;
  if (ctx == handle->poll_ctx) {
    handle->poll_ctx = ctx->previous;
    if (handle->poll_ctx == NULL && uvs__is_closing((uv_handle_t*)handle))
      uvs__make_close_pending((uv_handle_t*)handle);
  } else {
    poll_ctx* last = handle->poll_ctx;
    while (last->previous != ctx) {
      UVS__ASSERT(last->previous != NULL, "an fs_poll context is on no chain");
      last = last->previous;
    }
    last->previous = ctx->previous;
  }
  uvs__wfree(ctx);
}
