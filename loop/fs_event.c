/* loop/fs_event.c — uv_fs_event_*: file watchers on the simulated
 * filesystem, with Linux's inotify as the model (libuv 1.44's
 * src/unix/linux-inotify.c is what programs see on Linux).
 *
 * The kernel side, per loop (libuv opens one inotify descriptor per loop):
 *   - a watch follows an inode, not a path (a file renamed away is still
 *     watched; a file replaced by a rename is not: its watch gets
 *     DELETE_SELF, then IGNORED, and hears nothing more). Handles on the
 *     same inode share one watch and its number, and the path of the
 *     handle that made it, as libuv's watcher_list does;
 *   - sim/sim_fs.c reports every change with inotify's IN_* bits, in the
 *     order Linux queues them (sim_fs_on_change); each is queued as an
 *     event for the watch of the inode (no name) and, for entry events and
 *     a child's MODIFY/ATTRIB, for the watch of its directory (the entry's
 *     name);
 *   - the queue merges an event identical (watch, mask, name) to the last
 *     one still unread, as inotify does (fsnotify's inotify_merge).
 *
 * What the real world leaves open, asked of the decision stream only
 * where a change is racy, i.e. made by another process (an `external`
 * fault rule) or by a pool thread (an async uv_fs_* job), never by the
 * loop thread itself (the loop thread is the reader: what it changes
 * before its next poll is certainly unread):
 *   - fs_event_coalesce (2 options): a racy event identical to the last
 *     unread one of another change: 0 = the reader read the first one in
 *     between (one callback per change, the natural order), 1 = inotify
 *     merged them (one callback for two changes);
 *   - fs_event_latency (4 options: 0, 1 ms, 10 ms, 100 ms): when a racy
 *     event finds the queue empty, how late the loop reads it: 0 = the
 *     next poll phase. Events that come meanwhile queue up behind it (and
 *     merge as above).
 * Both are sound: a real reader may be that late, and may or may not have
 * read in between. The events of one change (an external write's truncate
 * and write) merge without a decision: they reach the queue together.
 *
 * A pool thread's change read at once (latency 0) is read before the
 * job's own done callback, as on libuv, where the inotify descriptor wakes
 * the loop before the worker reports back (uvs__fs_event_run_early, called
 * by the poll phase before the done callbacks).
 *
 * Delivery (the poll phase, like libuv's uv__inotify_read): the queue is
 * read whole, and for each event every handle of its watch is called with
 * UV_CHANGE for IN_MODIFY/IN_ATTRIB, UV_RENAME for anything else
 * (both for a directory's IN_ATTRIB|IN_ISDIR), and the entry's name, or
 * the basename of the watch's path for an event about the inode itself.
 * Events a callback causes are read in the same pass, as libuv reads until
 * EAGAIN. UV_FS_EVENT_RECURSIVE and the other flags are ignored, as on
 * Linux.
 *
 * Not simulated: watching a path below a writable passthrough mapping
 * (the host's files; UV_ENOSYS, with a line on stderr; below a read-only
 * mapping nothing simulated can change them: the watch hears nothing),
 * IN_Q_OVERFLOW, the watch limit (max_user_watches). */
#include "loop/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loop/os.h"
#include "loop/world_io.h"
#include "sim/sim_fault.h"
#include "sim/sim_fs.h"

#define IN_IGNORED_BIT 0x8000u   /* the watch is gone (inotify's IN_IGNORED) */

typedef struct fse_inst fse_inst;

/* One inotify watch: an inode watched through this loop's instance. */
typedef struct fse_watch {
  fse_inst* inst;
  struct fse_watch* next;
  uint64_t ino;
  int wd;
  int gone;                     /* IGNORED queued: the kernel dropped it    */
  int iterating;                /* delivering: do not free                  */
  char* path;                   /* the path of the handle that made it      */
  const char* label;            /* "fs_event:on_change" of that handle      */
  const char* io_label;         /* "fs_event:on_change inotify": the read   */
  uvs__queue handles;           /* uv_fs_event_t.watchers                   */
} fse_watch;

/* One queued (unread) event. */
typedef struct fse_event {
  struct fse_event* next;
  int wd;
  uint32_t mask;
  uint64_t change;              /* 0: the loop thread's; else one racy change */
  char name[SIM_FS_NAME_MAX + 1];
} fse_event;

/* One loop's inotify instance. */
struct fse_inst {
  uv_loop_t* loop;
  fse_inst* next;
  fse_watch* watches;
  int next_wd;
  fse_event* head;              /* unread, in queue order                   */
  fse_event* tail;
  uvs__io io;                   /* the descriptor is readable               */
  int early;                    /* readable before a pool job's done callback */
  sim_event late;               /* fs_event_latency: readable later         */
};

static fse_inst* instances;
static uint64_t pool_changes;   /* numbers the pool's racy changes          */

static void notify(void* ctx, uint64_t ino, uint32_t mask, uint64_t dir_ino,
                   const char* name);

void uvs__fs_event_reset(void) {
  /* run-owned blocks: uvs__world_io_reset frees them; queued sim events
   * are forgotten by sim_reset */
  instances = NULL;
  pool_changes = 0;
  sim_fs_on_change(sim_fs_current(), NULL, NULL);
}

/* ------------------------------------------------------------- watches */

static fse_watch* watch_by_ino(fse_inst* in, uint64_t ino) {
  for (fse_watch* w = in->watches; w; w = w->next)
    if (w->ino == ino && !w->gone) return w;
  return NULL;
}

static fse_watch* watch_by_wd(fse_inst* in, int wd) {
  for (fse_watch* w = in->watches; w; w = w->next)
    if (w->wd == wd) return w;
  return NULL;
}

/* As libuv's maybe_free_watcher_list: a watch without handles goes. */
static void watch_maybe_free(fse_watch* w) {
  if (w->iterating || !uvs__q_empty(&w->handles)) return;
  fse_watch** p = &w->inst->watches;
  while (*p != w) p = &(*p)->next;
  *p = w->next;
  uvs__wfree(w->path);
  uvs__wfree(w);
}

static fse_inst* inst_of(uv_loop_t* loop, int create);

static void read_events(uv_loop_t* loop, uvs__io* io);

static void late_fire(sim* s, sim_event* ev) {
  (void)s;
  fse_inst* in = (fse_inst*)((char*)ev - offsetof(fse_inst, late));
  if (in->head) uvs__io_ready(in->loop, &in->io);
}

static fse_inst* inst_of(uv_loop_t* loop, int create) {
  for (fse_inst* in = instances; in; in = in->next)
    if (in->loop == loop) return in;
  if (!create) return NULL;
  fse_inst* in = uvs__wcalloc(sizeof *in);
  in->loop = loop;
  in->next_wd = 1;
  uvs__io_init(&in->io, read_events, "fs_event");
  sim_event_init(&in->late, late_fire, "fs_event latency");
  in->next = instances;
  instances = in;
  return in;
}

/* --------------------------------------------------------------- queue */

static int same_event(const fse_event* a, int wd, uint32_t mask, const char* name) {
  return a->wd == wd && a->mask == mask && strcmp(a->name, name ? name : "") == 0;
}

/* Which change an event belongs to: 0 for the loop thread's own, else a
 * number per external change or per pool-thread call. */
static uint64_t change_of(void) {
  uint64_t seq;
  if (sim_fault_external(sim_faults_current(), &seq)) return seq * 2 + 1;
  if (uvs__in_pool_work()) return ++pool_changes * 2;
  return 0;
}

static void queue_event(fse_inst* in, fse_watch* w, uint32_t mask,
                        const char* name, uint64_t change) {
  sim* s = uvs__sim();
  fse_event* last = in->tail;
  if (last && same_event(last, w->wd, mask, name)) {
    /* inotify merges it; whether the first was still unread is open only
     * between two racy changes */
    if (change == 0 || change == last->change ||
        sim_choose(s, SIM_FS_EVENT_COALESCE, 2, w->label) == 1) {
      /* the merged event stands for the latest change now: that change's
       * further events merge into it without another decision */
      last->change = change;
      return;
    }
  }
  fse_event* e = uvs__wcalloc(sizeof *e);
  e->wd = w->wd;
  e->mask = mask;
  e->change = change;
  if (name) snprintf(e->name, sizeof e->name, "%s", name);
  int was_empty = in->head == NULL;
  if (last) last->next = e;
  else in->head = e;
  in->tail = e;
  if (!was_empty || sim_event_queued(&in->late)) return;
  in->io.label = w->io_label;
  if (change != 0) {
    static const uint64_t late_ms[] = { 0, 1, 10, 100 };
    uint32_t c = sim_choose(s, SIM_FS_EVENT_LATENCY,
                            (uint32_t)(sizeof late_ms / sizeof *late_ms), w->label);
    if (c > 0) {
      sim_event_schedule(s, &in->late, sim_now(s) + late_ms[c] * 1000000u);
      return;
    }
    /* a pool thread's change: the loop wakes for it before the worker
     * reports back, so it is read before the job's done callback */
    if ((change & 1) == 0) in->early = 1;
  }
  uvs__io_ready(in->loop, &in->io);
}

/* sim_fs_on_change: one fsnotify() call. */
static void notify(void* ctx, uint64_t ino, uint32_t mask, uint64_t dir_ino,
                   const char* name) {
  (void)ctx;
  uint32_t what = mask & ~SIM_FS_EV_ISDIR;
  int entry = what & (SIM_FS_EV_CREATE | SIM_FS_EV_DELETE |
                      SIM_FS_EV_MOVED_FROM | SIM_FS_EV_MOVED_TO);
  int self_only = what & (SIM_FS_EV_DELETE_SELF | SIM_FS_EV_MOVE_SELF);
  uint64_t change = 0;
  int change_known = 0;
  for (fse_inst* in = instances; in; in = in->next) {
    fse_watch* w;
    if (dir_ino != 0 && !self_only && (w = watch_by_ino(in, dir_ino)) != NULL) {
      if (!change_known) change = change_of(), change_known = 1;
      queue_event(in, w, mask, name, change);
    }
    if (entry || (w = watch_by_ino(in, ino)) == NULL) continue;
    if (!change_known) change = change_of(), change_known = 1;
    queue_event(in, w, mask, NULL, change);
    if (what & SIM_FS_EV_DELETE_SELF) {
      /* the inode is gone: the kernel drops the watch */
      queue_event(in, w, IN_IGNORED_BIT, NULL, change);
      w->gone = 1;
    }
  }
}

/* ------------------------------------------------------------ delivery */

static const char* base_name(const char* path) {
  const char* b = strrchr(path, '/');
  return b ? b + 1 : path;
}

static void deliver(fse_inst* in, const fse_event* e) {
  fse_watch* w = watch_by_wd(in, e->wd);
  if (w == NULL) return;        /* stale: no handle watches it any more */
  int events = 0;
  if (e->mask & (SIM_FS_EV_ATTRIB | SIM_FS_EV_MODIFY)) events |= UV_CHANGE;
  if (e->mask & ~(SIM_FS_EV_ATTRIB | SIM_FS_EV_MODIFY)) events |= UV_RENAME;
  /* a name outlives the callbacks: one may stop the last handle */
  char name[SIM_FS_NAME_MAX + 1];
  snprintf(name, sizeof name, "%s", e->name[0] ? e->name : base_name(w->path));
  /* libuv's QUEUE_MOVE: each handle goes back before its callback, and
   * a handle stopped by an earlier callback is not called */
  uvs__queue pending;
  w->iterating = 1;
  uvs__q_move(&w->handles, &pending);
  while (!uvs__q_empty(&pending) && !sim_failed(uvs__sim())) {
    void* (*q)[2] = uvs__q_head(&pending);
    uv_fs_event_t* h = UVS__QDATA(q, uv_fs_event_t, watchers);
    uvs__q_remove(q);
    uvs__q_insert_tail(&w->handles, q);
    uvs__trace_cb(uvs__label((uv_handle_t*)h));
    h->cb(h, name, events, 0);
    uvs__after_callback();
  }
  /* a failure stopped the run: the rest stay on their watch */
  while (!uvs__q_empty(&pending)) {
    void* (*q)[2] = uvs__q_head(&pending);
    uvs__q_remove(q);
    uvs__q_insert_tail(&w->handles, q);
  }
  w->iterating = 0;
  watch_maybe_free(w);
}

/* The poll phase: read the queue until it is empty, as libuv reads until
 * EAGAIN (events the callbacks cause come in the same pass). */
static void read_events(uv_loop_t* loop, uvs__io* io) {
  fse_inst* in = UVS__QDATA(io, fse_inst, io);
  while (in->head && !sim_event_queued(&in->late) && !sim_failed(uvs__sim())) {
    fse_event* batch = in->head;
    in->head = in->tail = NULL;
    while (batch) {
      fse_event* e = batch;
      batch = e->next;
      if (!sim_failed(uvs__sim())) deliver(in, e);
      uvs__wfree(e);
    }
  }
  /* read in this pass: no second wake-up for them */
  if (in->head == NULL) uvs__io_cancel(loop, &in->io);
}

int uvs__fs_event_run_early(uv_loop_t* loop) {
  fse_inst* in = instances ? inst_of(loop, 0) : NULL;
  if (in == NULL || !in->early) return 0;
  in->early = 0;
  if (in->io.queued != 1) return 0;    /* read already, or read later */
  uvs__io_cancel(loop, &in->io);
  uvs__trace_cb(in->io.label);
  read_events(loop, &in->io);
  uvs__after_callback();
  return 1;
}

/* ----------------------------------------------------------------- API */

static void fs_event_close(uv_handle_t* h) { uv_fs_event_stop((uv_fs_event_t*)h); }

int uv_fs_event_init(uv_loop_t* loop, uv_fs_event_t* handle) {
  uvs__handle_init(loop, (uv_handle_t*)handle, UV_FS_EVENT);
  uvs__close_hook[UV_FS_EVENT] = fs_event_close;
  handle->path = NULL;
  handle->cb = NULL;
  handle->wd = -1;
  return 0;
}

int uv_fs_event_start(uv_fs_event_t* handle, uv_fs_event_cb cb,
                      const char* path, unsigned int flags) {
  (void)flags;                  /* Linux ignores them (no recursive watch) */
  if (uvs__is_active((uv_handle_t*)handle)) return UV_EINVAL;
  UVS__ASSERT(!uvs__is_closing((uv_handle_t*)handle), "fs_event handle is closing");
  sim_fs* fs = sim_fs_current();
  uvs__fs_env_maps();
  uint64_t ino;
  int is_dir;
  int r = sim_fs_watch_target(fs, path, &ino, &is_dir);
  if (r == -ENOSYS) {
    fprintf(stderr, "uvsim: uv_fs_event_start: %s is below a writable "
                    "passthrough mapping; the host's files are not watched\n", path);
    return UV_ENOSYS;
  }
  if (r < 0) return r;
  uvs__name_handle((uv_handle_t*)handle, (const void*)cb);
  fse_inst* in = inst_of(handle->loop, 1);
  fse_watch* w = watch_by_ino(in, ino);
  if (w == NULL) {
    w = uvs__wcalloc(sizeof *w);
    w->inst = in;
    w->ino = ino;
    w->wd = in->next_wd++;
    size_t n = strlen(path) + 1;
    w->path = uvs__wcalloc(n);
    memcpy(w->path, path, n);
    w->label = uvs__label((uv_handle_t*)handle);
    w->io_label = sim_internf(uvs__sim(), "%s inotify", w->label);
    uvs__q_init(&w->handles);
    w->next = in->watches;
    in->watches = w;
  }
  sim_fs_on_change(fs, notify, NULL);
  uvs__handle_start((uv_handle_t*)handle);
  uvs__q_insert_tail(&w->handles, &handle->watchers);
  handle->path = w->path;
  handle->cb = cb;
  handle->wd = w->wd;
  return 0;
}

int uv_fs_event_stop(uv_fs_event_t* handle) {
  if (!uvs__is_active((uv_handle_t*)handle)) return 0;
  fse_inst* in = inst_of(handle->loop, 0);
  fse_watch* w = in ? watch_by_wd(in, handle->wd) : NULL;
  UVS__ASSERT(w != NULL, "an active fs_event handle has no watch");
  handle->wd = -1;
  handle->path = NULL;
  uvs__handle_stop((uv_handle_t*)handle);
  uvs__q_remove(&handle->watchers);
  watch_maybe_free(w);
  return 0;
}

int uv_fs_event_getpath(uv_fs_event_t* handle, char* buffer, size_t* size) {
  if (!uvs__is_active((uv_handle_t*)handle)) {
    *size = 0;
    return UV_EINVAL;
  }
  size_t need = strlen(handle->path);
  if (need >= *size) {
    *size = need + 1;
    return UV_ENOBUFS;
  }
  memcpy(buffer, handle->path, need + 1);
  *size = need;
  return 0;
}
