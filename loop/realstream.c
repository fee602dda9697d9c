/* loop/realstream.c — a stream whose transport is a real descriptor.
 *
 * uv_pipe_open and uv_tcp_open hand libuv a descriptor the simulation does
 * not own: an end of uv_pipe, uv_socketpair, pipe(2) or socketpair(2), an
 * inherited stdio pipe, a socket connected for real. Its peer is the
 * program itself, a real child or another process, so its bytes come from
 * the real kernel. The stream machinery is stream.c's, unchanged (the same
 * read loop, write queue, pending-phase write callbacks and shutdown); this
 * file is the transport under it (UVS__S_REAL, the descriptor in st->fd):
 *
 *   - readiness is looked at the way loop/poll.c looks at a polled real
 *     descriptor: one poll(2) with a zero timeout over every real stream
 *     that wants something (reading: POLLIN; queued writes: POLLOUT), at
 *     every poll phase (uvs__rstream_look, from uvs__poll_look), so a real
 *     descriptor never holds virtual time back. Only when nothing simulated
 *     can ever happen does the loop wait on them for real (uvs__poll_block
 *     takes their descriptors too; virtual time does not move meanwhile).
 *     A stream found ready is an I/O event like a simulated socket's, so
 *     the order among ready handles is the same SIM_IO_ORDER decision;
 *   - what a look saw is an observation (sim_observe, label = the handle's
 *     label, seq = which look): recorded, traced, written to the
 *     reproducer; a replay takes readiness from the recording and does not
 *     look. The bytes themselves are read and written for real in a replay
 *     too (the recording has readiness, not data): a replay reproduces when
 *     the descriptor gives the same bytes, as both ends of a pipe the
 *     program made itself do;
 *   - read(2), writev(2) and shutdown(2) for real, as libuv's; an IPC pipe
 *     reads with recvmsg(2) and keeps received descriptors (SCM_RIGHTS) for
 *     uv_pipe_pending_count / uv_pipe_pending_type / uv_accept, and
 *     uv_write2's send_handle goes out with sendmsg(2) on the request's
 *     first write;
 *   - uv_close closes the descriptor (never 0-2, as libuv), and any
 *     received descriptor nobody accepted. */
#include "loop/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Received descriptors one recvmsg(2) takes at most (libuv's limit is the
 * control buffer: 64 of them). */
#define RSTREAM_CMSG_FDS_MAX 64

/* Every real stream of the run, in order of opening, so that looks are in
 * one order. States are run-owned (uvs__wcalloc): a run that stops with
 * handles open leaves only this list, forgotten by uvs__rstream_reset. */
static uvs__queue streams_q;   /* zeroed until the first reset or link */

static uvs__queue* streams(void) {
  if (streams_q[0] == NULL) uvs__q_init(&streams_q);
  return &streams_q;
}

void uvs__rstream_reset(void) { uvs__q_init(&streams_q); }

/* The real stream at q, or NULL at the end: loops read as list walks. */
static uvs__stream* stream_at(uvs__queue* q) {
  return q == streams() ? NULL : UVS__QDATA(q, uvs__stream, real_q);
}
static uvs__stream* first_stream(void) { return stream_at(uvs__q_head(streams())); }
static uvs__stream* next_stream(uvs__stream* st) { return stream_at(uvs__q_next(&st->real_q)); }

static void link_in(uvs__stream* st) { uvs__q_insert_tail(streams(), &st->real_q); }

/* Links cleared after removal: a second unlink reads no stale neighbour. */
static void unlink_out(uvs__stream* st) {
  if (uvs__q_linked(&st->real_q)) uvs__q_remove(&st->real_q);
  st->real_q[0] = st->real_q[1] = NULL;
}

/* ------------------------------------------------------------ readiness */

/* What the stream waits for, as poll(2) events (0: nothing). */
static short wants(const uvs__stream* st) {
  uv_stream_t* h = st->h;
  if (st->fd < 0 || uvs__is_closing((const uv_handle_t*)h)) return 0;
  short ev = 0;
  if (st->flags & UVS__S_READING) ev |= POLLIN;
  if (!uvs__q_empty(&h->write_queue)) ev |= POLLOUT;
  return ev;
}

static int looks_at(const uvs__stream* st, const uv_loop_t* loop) {
  return st->h->loop == loop && !st->rd.queued && wants(st) != 0;
}

int uvs__rstream_holds(const uvs__stream* st) { return wants(st) != 0; }

/* poll(2)'s answer as the stream machinery reads it. An error or hang-up
 * is both: a read finds the end or the error, a write the error. */
static unsigned net_events(short want, short rev) {
  unsigned ev = 0;
  if (rev & POLLIN) ev |= SIM_NET_IN;
  if (rev & POLLOUT) ev |= SIM_NET_OUT;
  if (rev & (POLLERR | POLLHUP | POLLNVAL)) {
    if (want & POLLIN) ev |= SIM_NET_IN;
    if (want & POLLOUT) ev |= SIM_NET_ERR;
  }
  return ev;
}

unsigned uvs__rstream_events(const uvs__stream* st) { return st->seen; }

void uvs__rstream_consumed(uvs__stream* st) { st->seen = 0; }

int uvs__rstream_active(const uv_loop_t* loop) {
  for (uvs__stream* st = first_stream(); st; st = next_stream(st))
    if (st->h->loop == loop && wants(st)) return 1;
  return 0;
}

size_t uvs__rstream_fds(const uv_loop_t* loop, struct pollfd* fds, size_t max) {
  size_t n = 0;
  for (uvs__stream* st = first_stream(); st; st = next_stream(st)) {
    if (!looks_at(st, loop)) continue;
    if (fds && n < max) {
      fds[n].fd = st->fd;
      fds[n].events = wants(st);
      fds[n].revents = 0;
    }
    n++;
  }
  return n;
}

int uvs__rstream_look(uv_loop_t* loop) {
  size_t n = uvs__rstream_fds(loop, NULL, 0);
  if (n == 0) return 0;
  sim* s = uvs__sim();
  struct pollfd stack[16];
  struct pollfd* fds = n <= 16 ? stack : malloc(n * sizeof *fds);
  UVS__ASSERT(fds != NULL, "out of memory");
  size_t got = uvs__rstream_fds(loop, fds, n);
  UVS__ASSERT(got == n, "the real streams changed during a look");
  int replay = sim_observe_replaying(s);
  if (!replay) {
    while (poll(fds, (nfds_t)n, 0) < 0 && errno == EINTR) {}
  }
  int ready = 0;
  size_t i = 0;
  for (uvs__stream* st = first_stream(); st && i < n; st = next_stream(st)) {
    if (!looks_at(st, loop)) continue;
    unsigned real = replay ? 0 : net_events(fds[i].events, fds[i].revents);
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

/* -------------------------------------------------------------- opening */

int uvs__rstream_open(uv_stream_t* s, int fd, unsigned flags) {
  uvs__stream* st = uvs__st(s);
  if (st->fd == fd && (st->flags & UVS__S_REAL)) return 0;
  if (st->sock >= 0 || st->fd >= 0 || st->real_fd >= 0) return UV_EBUSY;
  /* libuv makes what it is given non-blocking (uv__nonblock) */
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return -errno;
  if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
  st->fd = fd;
  st->flags |= UVS__S_REAL | flags;
  s->io_watcher.fd = fd;
  link_in(st);
  return 0;
}

/* ---------------------------------------------------------------- reads */

static void keep_fd(uvs__stream* st, int fd) {
  uv_stream_t* h = st->h;
  if (h->accepted_fd == -1) {
    h->accepted_fd = fd;
    return;
  }
  if (st->nrfds == st->caprfds) {
    unsigned cap = st->caprfds ? st->caprfds * 2 : 8;
    int* p = realloc(st->rfds, cap * sizeof *p);
    UVS__ASSERT(p != NULL, "out of memory");
    st->rfds = p;
    st->caprfds = cap;
  }
  st->rfds[st->nrfds++] = fd;
}

static void keep_cmsg_fds(uvs__stream* st, struct msghdr* msg) {
  for (struct cmsghdr* c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char* p = CMSG_DATA(c);
    for (size_t i = 0; i < n; i++) {
      int fd;
      memcpy(&fd, p + i * sizeof fd, sizeof fd);
      keep_fd(st, fd);
    }
  }
}

ssize_t uvs__rstream_read(uvs__stream* st, char* buf, size_t len) {
  int ipc = st->h->type == UV_NAMED_PIPE && ((uv_pipe_t*)st->h)->ipc;
  ssize_t n;
  if (!ipc) {
    do n = read(st->fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n < 0 ? (errno == EWOULDBLOCK ? -EAGAIN : -errno) : n;
  }
  union {
    char b[CMSG_SPACE(RSTREAM_CMSG_FDS_MAX * sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { buf, len };
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl.b;
  msg.msg_controllen = sizeof ctl.b;
  do n = recvmsg(st->fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EWOULDBLOCK ? -EAGAIN : -errno;
  if (n > 0) keep_cmsg_fds(st, &msg);
  return n;
}

/* --------------------------------------------------------------- writes */

/* One writev(2) (sendmsg(2) with the descriptor when send_fd >= 0): what
 * the kernel took, or the error when it took nothing. */
ssize_t uvs__rstream_write(uvs__stream* st, const uv_buf_t* bufs, unsigned n, int send_fd) {
  if (n > IOV_MAX) n = IOV_MAX;
  struct iovec* iov = (struct iovec*)bufs;   /* uv_buf_t is an iovec on Unix */
  ssize_t w;
  if (send_fd < 0) {
    do w = writev(st->fd, iov, (int)n);
    while (w < 0 && errno == EINTR);
  } else {
    union {
      char b[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } ctl;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    memset(&ctl, 0, sizeof ctl);
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    msg.msg_control = ctl.b;
    msg.msg_controllen = sizeof ctl.b;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &send_fd, sizeof send_fd);
    do w = sendmsg(st->fd, &msg, 0);
    while (w < 0 && errno == EINTR);
  }
  if (w >= 0) return w;
  return errno == EWOULDBLOCK ? UV_EAGAIN : -errno;
}

int uvs__rstream_shutdown(uvs__stream* st) {
  return shutdown(st->fd, SHUT_WR) < 0 ? -errno : 0;
}

int uvs__rstream_set_blocking(uvs__stream* st, int blocking) {
  int fl = fcntl(st->fd, F_GETFL);
  if (fl < 0) return -errno;
  int want = blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK;
  if (want != fl && fcntl(st->fd, F_SETFL, want) < 0) return -errno;
  return 0;
}

/* ------------------------------------------------------ received handles */

int uvs__rstream_pending_count(const uvs__stream* st) {
  if (st->h->accepted_fd == -1) return 0;
  return 1 + (int)st->nrfds;
}

/* uv_accept on a stream holding received descriptors: the first becomes
 * the client's (a real stream), the next one moves up. */
int uvs__rstream_accept(uvs__stream* st, uv_stream_t* client) {
  uv_stream_t* h = st->h;
  int fd = h->accepted_fd;
  UVS__ASSERT(fd != -1, "uv_accept with no received descriptor");
  int err = uvs__rstream_open(client, fd, UVS__S_READABLE | UVS__S_WRITABLE);
  if (err < 0) close(fd);
  h->accepted_fd = -1;
  if (st->nrfds > 0) {
    h->accepted_fd = st->rfds[0];
    memmove(st->rfds, st->rfds + 1, (st->nrfds - 1) * sizeof *st->rfds);
    st->nrfds--;
  }
  return err;
}

/* ---------------------------------------------------------------- names */

int uvs__rstream_name(const uvs__stream* st, int peer, struct sockaddr_storage* ss,
                      socklen_t* len) {
  *len = sizeof *ss;
  memset(ss, 0, sizeof *ss);
  int r = peer ? getpeername(st->fd, (struct sockaddr*)ss, len)
               : getsockname(st->fd, (struct sockaddr*)ss, len);
  return r < 0 ? -errno : 0;
}

/* -------------------------------------------------------------- closing */

void uvs__rstream_close(uvs__stream* st) {
  uv_stream_t* h = st->h;
  unlink_out(st);
  if (h->accepted_fd != -1) close(h->accepted_fd);
  h->accepted_fd = -1;
  for (unsigned i = 0; i < st->nrfds; i++) close(st->rfds[i]);
  free(st->rfds);
  st->rfds = NULL;
  st->nrfds = st->caprfds = 0;
  if (st->fd > STDERR_FILENO) close(st->fd);
  st->fd = -1;
  st->seen = 0;
}
