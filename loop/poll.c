/* loop/poll.c — uv_poll_t: readiness of a descriptor, on the virtual loop.
 *
 * A poll handle watches one of two kinds of descriptor:
 *
 *   - a simulated socket (a sim_net id, as uv_fileno gives for a tcp or
 *     pipe handle): its readiness is the simulated world's state
 *     (sim_net_poll), pushed through the socket's notify callback and
 *     delivered as a uvs__io ready event, ordered with every other ready
 *     handle by SIM_IO_ORDER, exactly as a stream's;
 *   - a real descriptor the simulation does not own (a socketpair the
 *     program made itself: Python's uvloop polls one for its wake-ups,
 *     libuv's own tests poll real sockets). It is looked at for real, with
 *     poll(2) and a zero timeout, at every poll phase (uvs__poll_look), so
 *     it never holds virtual time back; only when nothing simulated can
 *     ever happen does the loop block on it for real (uvs__poll_block), and
 *     virtual time does not move while it waits. What a look saw is an
 *     observation (sim.h): recorded for the reproducer, and handed back by
 *     a replay, which never looks at the descriptor.
 *
 * libuv 1.44's rules (src/unix/poll.c) kept: the descriptor is made
 * non-blocking; a regular file or a directory is refused with EPERM, as
 * epoll refuses it; a second active poll handle on the same descriptor is
 * EEXIST; readiness is level-triggered (reported at every poll phase while
 * it holds); POLLERR without POLLPRI stops the handle and calls back
 * UV_EBADF; an error or hang-up alone reports every event the handle asked
 * for; uv_close does not close the descriptor. */
#include "loop/internal.h"
#include "loop/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loop/world_io.h"

/* What a look at a real descriptor saw: libuv's events, plus this bit
 * for POLLERR without POLLPRI (the handle stops with UV_EBADF). */
#define POLL_ERROR 0x100

typedef struct poll_state {
  uv_poll_t* h;
  int fd;                     /* the descriptor as the program gave it     */
  int sock;                   /* a simulated socket, or -1: a real one     */
  int want;                   /* UV_READABLE | UV_WRITABLE | ... started   */
  unsigned seen;              /* real: what the last look saw (+POLL_ERROR) */
  uint64_t looks;             /* real: looks so far, sim_observe's seq     */
  uvs__io rd;
  uvs__queue real_q;          /* real descriptors: every poller, in order  */
                              /* of creation, so looks are in one order    */
} poll_state;

static poll_state* st_of(const uv_poll_t* h) { return (poll_state*)h->u.reserved[0]; }

/* The real pollers of the run (a run-owned allocation each: a run that
 * stops with handles open leaves nothing behind but this list, which the
 * next run's first init forgets; see uvs__poll_reset). */
static uvs__queue real_pollers;   /* zeroed until the first reset or link */

static uvs__queue* pollers(void) {
  if (real_pollers[0] == NULL) uvs__q_init(&real_pollers);
  return &real_pollers;
}

/* The next real poller after q, or NULL at the end: loops read as list
 * walks (for (st = first(); st; st = after(st))). */
static poll_state* poller_at(uvs__queue* q) {
  return q == pollers() ? NULL : UVS__QDATA(q, poll_state, real_q);
}
static poll_state* first_poller(void) { return poller_at(uvs__q_head(pollers())); }
static poll_state* next_poller(poll_state* st) { return poller_at(uvs__q_next(&st->real_q)); }

static void real_link(poll_state* st) { uvs__q_insert_tail(pollers(), &st->real_q); }

/* Links cleared after removal, so that a second unlink (or one of a
 * poller never linked: a simulated socket's) reads no stale neighbour. */
static void real_unlink(poll_state* st) {
  if (uvs__q_linked(&st->real_q)) uvs__q_remove(&st->real_q);
  st->real_q[0] = st->real_q[1] = NULL;
}

void uvs__poll_reset(void) {
  /* The states themselves were run-owned and are freed with the run. */
  uvs__q_init(&real_pollers);
}

/* ------------------------------------------------------------ readiness */

/* Simulated readiness as libuv's events. An error or hang-up alone reports
 * everything asked for, as uv__io_poll does with POLLERR/POLLHUP. */
static int sim_events(const poll_state* st) {
  unsigned p = sim_net_poll(uvs__net(), st->sock);
  int ev = 0;
  if (p & SIM_NET_IN) ev |= UV_READABLE;
  if (p & SIM_NET_OUT) ev |= UV_WRITABLE;
  if (p & (SIM_NET_ERR | SIM_NET_HUP)) ev |= UV_DISCONNECT;
  if ((p & SIM_NET_ERR) && !(p & SIM_NET_IN)) ev |= st->want;
  return ev & st->want;
}

static void sim_rearm(poll_state* st) {
  uv_poll_t* h = st->h;
  if (uvs__is_closing((uv_handle_t*)h) || !st->want || st->rd.queued) return;
  if (sim_events(st)) uvs__io_ready(h->loop, &st->rd);
}

static void on_net(void* data, int id, unsigned events) {
  (void)id;
  (void)events;
  sim_rearm(data);
}

static short real_mask(int want) {
  short m = 0;
  if (want & UV_READABLE) m |= POLLIN;
  if (want & UV_WRITABLE) m |= POLLOUT;
  if (want & UV_DISCONNECT) m |= POLLRDHUP;
  if (want & UV_PRIORITIZED) m |= POLLPRI;
  return m;
}

/* poll(2)'s answer as libuv reports it (uv__io_poll, then uv__poll_io). */
static unsigned real_events(int want, short rev) {
  if (rev == 0) return 0;
  if (rev == POLLERR || rev == POLLHUP || rev == (POLLERR | POLLHUP))
    rev |= real_mask(want);
  if ((rev & POLLERR) && !(rev & POLLPRI)) return POLL_ERROR;
  unsigned ev = 0;
  if (rev & POLLIN) ev |= UV_READABLE;
  if (rev & POLLPRI) ev |= UV_PRIORITIZED;
  if (rev & POLLOUT) ev |= UV_WRITABLE;
  if (rev & POLLRDHUP) ev |= UV_DISCONNECT;
  return ev & (unsigned)want;
}

static int look_pollers(uv_loop_t* loop);

static int looks_real(const poll_state* st, const uv_loop_t* loop) {
  return st->h->loop == loop && st->want && !st->rd.queued &&
         !uvs__is_closing((const uv_handle_t*)st->h);
}

int uvs__poll_real_active(const uv_loop_t* loop) {
  for (poll_state* st = first_poller(); st; st = next_poller(st))
    if (st->h->loop == loop && st->want && !uvs__is_closing((uv_handle_t*)st->h)) return 1;
  return uvs__rstream_active(loop);   /* streams on real descriptors */
}

/* One look at every real descriptor of `loop` that is polled and not
 * already waiting for its callback: one poll(2) with a zero timeout (none
 * in a replay), each answer through sim_observe; then the streams on real
 * descriptors (loop/realstream.c), the same way. Returns how many became
 * ready. */
int uvs__poll_look(uv_loop_t* loop) {
  return look_pollers(loop) + uvs__rstream_look(loop);
}

static int look_pollers(uv_loop_t* loop) {
  sim* s = uvs__sim();
  size_t n = 0;
  for (poll_state* st = first_poller(); st; st = next_poller(st)) n += looks_real(st, loop);
  if (n == 0) return 0;
  struct pollfd stack[16];
  struct pollfd* fds = n <= 16 ? stack : malloc(n * sizeof *fds);
  UVS__ASSERT(fds != NULL, "out of memory");
  int replay = sim_observe_replaying(s);
  size_t i = 0;
  for (poll_state* st = first_poller(); st; st = next_poller(st)) {
    if (!looks_real(st, loop)) continue;
    fds[i].fd = st->fd;
    fds[i].events = real_mask(st->want);
    fds[i].revents = 0;
    i++;
  }
  if (!replay) {
    while (poll(fds, (nfds_t)n, 0) < 0 && errno == EINTR) {}
  }
  int ready = 0;
  i = 0;
  for (poll_state* st = first_poller(); st; st = next_poller(st)) {
    if (!looks_real(st, loop)) continue;
    unsigned real = replay ? 0 : real_events(st->want, fds[i].revents);
    if (fds[i].revents & POLLNVAL) real = POLL_ERROR;   /* closed under us */
    i++;
    st->seen = sim_observe(s, st->rd.label, st->looks++, real);
    if (st->seen) {
      uvs__io_ready(loop, &st->rd);
      ready++;
    }
  }
  if (fds != stack) free(fds);
  return ready;
}

/* uvs__wake (a real thread acted) must also end a real wait on
 * descriptors: an eventfd in that wait's set. */
static _Atomic int wake_fd = -1;

void uvs__poll_wake(void) {
  int fd = atomic_load(&wake_fd);
  if (fd >= 0) {
    uint64_t one = 1;
    if (write(fd, &one, sizeof one) < 0) {
      /* full (it counts to 2^64-2) or gone: the wait ends either way */
    }
  }
}

/* Nothing simulated can ever happen and real descriptors are polled: wait
 * for them (or a real thread, or max_ns of real time) without moving the
 * virtual clock, then look once more. In a replay nothing is waited for:
 * the recording says what came. Returns 0 when nothing can come (a replay
 * past its last observation: the recorded run waited here for ever). */
int uvs__poll_block(uv_loop_t* loop, uint64_t max_ns) {
  sim* s = uvs__sim();
  if (sim_observe_replaying(s)) {
    if (sim_observe_left(s) == 0) return 0;
    uvs__poll_look(loop);
    return 1;
  }
  if (atomic_load(&wake_fd) < 0) {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int none = -1;
    if (fd >= 0 && !atomic_compare_exchange_strong(&wake_fd, &none, fd)) close(fd);
  }
  size_t n = 1, nstreams = uvs__rstream_fds(loop, NULL, 0);
  for (poll_state* st = first_poller(); st; st = next_poller(st)) n += looks_real(st, loop);
  n += nstreams;
  struct pollfd* fds = calloc(n, sizeof *fds);
  UVS__ASSERT(fds != NULL, "out of memory");
  size_t i = 0;
  fds[i].fd = atomic_load(&wake_fd);
  fds[i++].events = POLLIN;
  for (poll_state* st = first_poller(); st; st = next_poller(st)) {
    if (!looks_real(st, loop)) continue;
    fds[i].fd = st->fd;
    fds[i++].events = real_mask(st->want);
  }
  i += uvs__rstream_fds(loop, fds + i, nstreams);
  UVS__ASSERT(i == n, "the real descriptors changed during a wait");
  int ms = max_ns == UINT64_MAX ? -1
           : max_ns / 1000000u > INT32_MAX ? INT32_MAX : (int)(max_ns / 1000000u);
  while (poll(fds, (nfds_t)n, ms) < 0 && errno == EINTR) {}
  if (fds[0].revents & POLLIN) {
    uint64_t count;
    if (read(fds[0].fd, &count, sizeof count) < 0) {
      /* drained by another wait: nothing to do */
    }
  }
  free(fds);
  uvs__poll_look(loop);
  return 1;
}

/* ----------------------------------------------------------- the handle */

static void poll_io(uv_loop_t* loop, uvs__io* io) {
  (void)loop;
  poll_state* st = UVS__QDATA(io, poll_state, rd);
  uv_poll_t* h = st->h;
  if (uvs__is_closing((uv_handle_t*)h) || !st->want) return;
  UVS__ASSERT(uvs__is_active((uv_handle_t*)h) && h->poll_cb != NULL,
              "a ready poll handle is not started");
  unsigned ev = st->sock >= 0 ? (unsigned)sim_events(st) : st->seen;
  st->seen = 0;
  if (ev & POLL_ERROR) {
    st->want = 0;
    uvs__handle_stop((uv_handle_t*)h);
    h->poll_cb(h, UV_EBADF, 0);
    return;
  }
  if (ev == 0) return;        /* gone before its turn (simulated socket) */
  h->poll_cb(h, 0, (int)ev);
  if (st->sock >= 0) sim_rearm(st);   /* level-triggered: next poll phase */
}

static void poll_stop(poll_state* st) {
  st->want = 0;
  st->seen = 0;
  uvs__io_cancel(st->h->loop, &st->rd);
  uvs__handle_stop((uv_handle_t*)st->h);
}

static void poll_close(uv_handle_t* h) {
  poll_state* st = st_of((uv_poll_t*)h);
  poll_stop(st);
  if (st->sock >= 0) sim_net_set_notify(uvs__net(), st->sock, NULL, NULL);
  else real_unlink(st);
}

static void poll_finish_close(uv_handle_t* h) {
  poll_state* st = st_of((uv_poll_t*)h);
  uvs__io_cancel(h->loop, &st->rd);
  h->u.reserved[0] = NULL;
  uvs__wfree(st);
}

/* Another started poll handle of `loop` on `fd` (libuv's uv__fd_exists). */
static int fd_taken(const uv_loop_t* loop, int fd, const poll_state* self) {
  void* (*q)[2];
  UVS__QFOREACH(q, &((uv_loop_t*)loop)->handle_queue) {
    const uv_handle_t* o = UVS__QDATA(q, uv_handle_t, handle_queue);
    if (o->type != UV_POLL || uvs__is_closing(o)) continue;
    const poll_state* st = st_of((const uv_poll_t*)o);
    if (st && st != self && st->fd == fd && st->want) return 1;
  }
  return 0;
}

/* A socket of the simulated network (SIM_NET_ID_BASE and up, alive). */
static int is_sim_socket(int fd) {
  sim_addr a;
  return fd >= SIM_NET_ID_BASE && sim_net_getsockname(uvs__net(), fd, &a) == 0;
}

int uv_poll_init(uv_loop_t* loop, uv_poll_t* handle, int fd) {
  if (fd_taken(loop, fd, NULL)) return UV_EEXIST;
  int sock = is_sim_socket(fd) ? fd : -1;
  if (sock < 0) {
    /* A real descriptor: what epoll_ctl and uv__nonblock would say. */
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) < 0) return UV_EBADF;
    if (S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)) return UV_EPERM;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
      return -errno;
  }
  uvs__handle_init(loop, (uv_handle_t*)handle, UV_POLL);
  uvs__close_hook[UV_POLL] = poll_close;
  uvs__finish_close_hook[UV_POLL] = poll_finish_close;
  poll_state* st = uvs__wcalloc(sizeof *st);
  st->h = handle;
  st->fd = fd;
  st->sock = sock;
  uvs__io_init(&st->rd, poll_io, uvs__label((uv_handle_t*)handle));
  handle->u.reserved[0] = st;
  handle->io_watcher.fd = fd;
  handle->poll_cb = NULL;
  if (sock >= 0) sim_net_set_notify(uvs__net(), sock, on_net, st);
  else real_link(st);
  return 0;
}

int uv_poll_init_socket(uv_loop_t* loop, uv_poll_t* handle, uv_os_sock_t socket) {
  return uv_poll_init(loop, handle, socket);
}

int uv_poll_start(uv_poll_t* handle, int pevents, uv_poll_cb poll_cb) {
  UVS__ASSERT((pevents & ~(UV_READABLE | UV_WRITABLE | UV_DISCONNECT |
                           UV_PRIORITIZED)) == 0,
              "unknown events");
  UVS__ASSERT(!uvs__is_closing((uv_handle_t*)handle), "the handle is closing");
  poll_state* st = st_of(handle);
  if (fd_taken(handle->loop, st->fd, st)) return UV_EEXIST;
  poll_stop(st);
  if (pevents == 0) return 0;
  if (!(handle->flags & UVS__H_NAMED)) {
    uvs__name_handle((uv_handle_t*)handle, (const void*)poll_cb);
    st->rd.label = uvs__label((uv_handle_t*)handle);
  }
  st->want = pevents;
  handle->poll_cb = poll_cb;
  uvs__handle_start((uv_handle_t*)handle);
  uvs__L(handle->loop)->watchers_pending = 1;   /* as uv__io_start */
  if (st->sock >= 0) sim_rearm(st);
  return 0;
}

int uv_poll_stop(uv_poll_t* handle) {
  UVS__ASSERT(!uvs__is_closing((uv_handle_t*)handle), "the handle is closing");
  poll_stop(st_of(handle));
  return 0;
}
