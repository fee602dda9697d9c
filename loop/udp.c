/* loop/udp.c — uv_udp_* on the simulated network's datagrams
 * (sim/sim_dgram.h).
 *
 * It follows libuv 1.44's src/unix/udp.c and uv-common.c, because programs
 * see its order: uv_udp_send on an empty queue sends at once (the datagram
 * is in the peer's queue before the call returns when its dgram_latency is
 * 0) and the send callback comes in the next pending phase; the handle is
 * active while it reads or has sends queued; a receive loops up to 32
 * times (alloc_cb with 64 KiB, then recv_cb) and ends with recv_cb(0,
 * addr NULL) when the queue is empty, as recvmsg's EAGAIN does; with
 * UV_UDP_RECVMMSG and a buffer of at least two 64 KiB chunks each datagram
 * is a chunk (UV_UDP_MMSG_CHUNK) and a last callback frees the buffer
 * (UV_UDP_MMSG_FREE); a datagram longer than the buffer is cut
 * (UV_UDP_PARTIAL); closing cancels queued sends (UV_ECANCELED) before the
 * close callback. Argument errors are uv-common.c's (EINVAL, EISCONN,
 * ENOTCONN, EDESTADDRREQ, EALREADY).
 *
 * Not simulated: multicast (uv_udp_set_membership and
 * uv_udp_set_source_membership check their arguments as libuv and the
 * kernel do, then answer UV_ENOSYS; uv_udp_set_multicast_ttl/loop/interface
 * only check theirs), uv_udp_open of an AF_UNIX socket, and the ICMP errors a
 * connected socket gets from a port nobody listens on (the datagram is
 * dropped silently, as for an unconnected one). */
#include "loop/internal.h"
#include "loop/stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop/world_io.h"
#include "sim/sim_dgram.h"

#define UDP_DGRAM_MAX (64 * 1024)   /* libuv's UV__UDP_DGRAM_MAXSIZE        */
#define UDP_MMSG_MAX 20             /* libuv's UV__MMSG_MAXWIDTH            */
#define UDP_READS_MAX 32            /* reads per readable event, as libuv   */

/* handle->flags: created with UV_UDP_RECVMMSG (kept after close, as
 * libuv's UV_HANDLE_UDP_RECVMMSG: uv_udp_using_recvmmsg still answers). */
#define UVS__UDP_RECVMMSG 0x100

enum {
  UDP_BOUND = 1,
  UDP_CONNECTED = 2,
  UDP_READING = 4,
  UDP_RECVMMSG = 8,
  UDP_IPV6 = 16,
  UDP_PROCESSING = 32,        /* running completed sends (no re-entry)    */
};

typedef struct udp_state {
  uv_udp_t* h;
  int sock;                   /* -1 until the socket exists               */
  unsigned flags;
  uvs__io rd;                 /* poll phase: datagrams to receive         */
  uvs__io pend;               /* pending phase: completed sends           */
  const char* lbl_recv;
  const char* lbl_send;
  int real_fd;                /* a real socket uv_udp_open adopted, or -1 */
} udp_state;

static udp_state* st_of(const uv_udp_t* h) { return (udp_state*)h->u.reserved[0]; }
/* A handle whose close has finished has no state: its socket is gone. */
#define NEED_STATE(st)            \
  do {                            \
    if ((st) == NULL) return UV_EBADF; \
  } while (0)
static sim_dgram* net(void) { return sim_dgram_current(); }

static void relabel(udp_state* st) {
  const char* label = uvs__label((uv_handle_t*)st->h);
  st->rd.label = label;
  st->pend.label = label;
  st->lbl_recv = sim_internf(uvs__sim(), "%s recv", label);
  st->lbl_send = sim_internf(uvs__sim(), "%s send", label);
  if (st->sock >= 0) sim_dgram_set_label(net(), st->sock, label);
}

static void name(udp_state* st, const void* cb) {
  if (st->h->flags & UVS__H_NAMED) return;
  uvs__name_handle((uv_handle_t*)st->h, cb);
  if (st->h->flags & UVS__H_NAMED) relabel(st);
}

static void on_dgram(void* data, int id, unsigned events) {
  udp_state* st = data;
  (void)id;
  if ((events & SIM_NET_IN) && (st->flags & UDP_READING)) uvs__io_ready(st->h->loop, &st->rd);
}

static int make_socket(udp_state* st, int family) {
  if (st->sock >= 0) return 0;
  int id = sim_dgram_socket(net(), family);
  if (id < 0) return id == -EAFNOSUPPORT ? UV_EINVAL : id;
  st->sock = id;
  st->h->io_watcher.fd = id;
  if (family == AF_INET6) st->flags |= UDP_IPV6;
  sim_dgram_set_label(net(), id, uvs__label((uv_handle_t*)st->h));
  sim_dgram_set_notify(net(), id, on_dgram, st);
  return 0;
}

/* libuv's uv__udp_maybe_deferred_bind: the wildcard of the family, port 0. */
static int deferred_bind(udp_state* st, int family) {
  if (st->flags & UDP_BOUND) return 0;
  int r = make_socket(st, family);
  if (r < 0) return r;
  if (!sim_dgram_is_bound(net(), st->sock)) {
    sim_addr any;
    memset(&any, 0, sizeof any);
    any.family = (st->flags & UDP_IPV6) ? AF_INET6 : AF_INET;
    r = sim_dgram_bind(net(), st->sock, &any, 0, 0);
    if (r < 0) return r;
  }
  st->flags |= UDP_BOUND;
  return 0;
}

/* --------------------------------------------------------------- sending */

static size_t count_bufs(const uv_buf_t* bufs, unsigned n) {
  size_t total = 0;
  for (unsigned i = 0; i < n; i++) total += bufs[i].len;
  return total;
}

/* One sendmsg(2): the buffers gathered into one datagram. */
static ssize_t send_one(udp_state* st, const uv_buf_t* bufs, unsigned n,
                        const struct sockaddr* addr) {
  size_t len = count_bufs(bufs, n);
  char small[512];
  char* data = len <= sizeof small ? small : malloc(len);
  if (data == NULL) return UV_ENOMEM;
  size_t off = 0;
  for (unsigned i = 0; i < n; i++) {
    if (bufs[i].len) memcpy(data + off, bufs[i].base, bufs[i].len);
    off += bufs[i].len;
  }
  sim_addr to;
  ssize_t r;
  if (addr != NULL) {
    sim_addr_from_sockaddr(&to, addr);
    r = sim_dgram_send(net(), st->sock, data, len, &to);
  } else {
    r = sim_dgram_send(net(), st->sock, data, len, NULL);
  }
  if (data != small) free(data);
  return r;
}

/* libuv's uv__udp_sendmsg: every queued request is sent (a datagram socket
 * never waits here), moved to the completed queue, and the handle fed to
 * the pending phase. */
static void send_all(udp_state* st) {
  uv_udp_t* h = st->h;
  while (!uvs__q_empty(&h->write_queue)) {
    void* (*q)[2] = uvs__q_head(&h->write_queue);
    uv_udp_send_t* req = UVS__QDATA(q, uv_udp_send_t, queue);
    const struct sockaddr* addr =
        req->addr.ss_family == AF_UNSPEC ? NULL : (const struct sockaddr*)&req->addr;
    req->status = send_one(st, req->bufs, req->nbufs, addr);
    uvs__q_remove(q);
    uvs__q_insert_tail(&h->write_completed_queue, q);
  }
}

static void send_queued(udp_state* st) {
  send_all(st);
  if (!st->pend.queued) uvs__pending_push(st->h->loop, &st->pend);
}

static void maybe_stop(udp_state* st) {
  if (uvs__q_empty(&st->h->write_queue) && uvs__q_empty(&st->h->write_completed_queue) &&
      !(st->flags & UDP_READING))
    uvs__handle_stop((uv_handle_t*)st->h);
}

/* libuv's uv__udp_run_completed. */
static void run_completed(udp_state* st) {
  uv_udp_t* h = st->h;
  UVS__ASSERT(!(st->flags & UDP_PROCESSING), "completed sends run twice at once");
  st->flags |= UDP_PROCESSING;
  while (!uvs__q_empty(&h->write_completed_queue)) {
    void* (*q)[2] = uvs__q_head(&h->write_completed_queue);
    uvs__q_remove(q);
    uv_udp_send_t* req = UVS__QDATA(q, uv_udp_send_t, queue);
    uvs__req_unregister(h->loop);
    h->send_queue_size -= count_bufs(req->bufs, req->nbufs);
    h->send_queue_count--;
    if (req->bufs != req->bufsml) free(req->bufs);
    req->bufs = NULL;
    if (req->send_cb == NULL) continue;
    uvs__trace_cb(st->lbl_send);
    req->send_cb(req, req->status >= 0 ? 0 : (int)req->status);
    uvs__after_callback();
  }
  st->flags &= ~UDP_PROCESSING;
  if (!uvs__is_closing((uv_handle_t*)h)) maybe_stop(st);
}

static void udp_pending(uv_loop_t* loop, uvs__io* io) {
  (void)loop;
  udp_state* st = UVS__QDATA(io, udp_state, pend);
  if (st->sock >= 0) send_all(st);
  run_completed(st);
}

/* uv-common.c's uv__udp_check_before_send. */
static int check_before_send(udp_state* st, const struct sockaddr* addr) {
  if (addr != NULL && (st->flags & UDP_CONNECTED)) return UV_EISCONN;
  if (addr == NULL && !(st->flags & UDP_CONNECTED)) return UV_EDESTADDRREQ;
  if (addr != NULL && addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
    return UV_EINVAL;
  return 0;
}

int uv_udp_send(uv_udp_send_t* req, uv_udp_t* handle, const uv_buf_t bufs[],
                unsigned int nbufs, const struct sockaddr* addr, uv_udp_send_cb send_cb) {
  if (handle->type != UV_UDP || nbufs < 1) return UV_EINVAL;
  udp_state* st = st_of(handle);
  NEED_STATE(st);
  int r = check_before_send(st, addr);
  if (r) return r;
  if (addr) {
    r = deferred_bind(st, addr->sa_family);
    if (r) return r;
  }
  name(st, (const void*)send_cb);
  int empty_queue = handle->send_queue_count == 0;
  void* data = req->data;
  memset(req, 0, sizeof *req);
  req->data = data;
  req->type = UV_UDP_SEND;
  uvs__req_register(handle->loop);
  if (addr == NULL)
    req->addr.ss_family = AF_UNSPEC;
  else
    memcpy(&req->addr, addr,
           addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
  req->send_cb = send_cb;
  req->handle = handle;
  req->nbufs = nbufs;
  req->bufs = req->bufsml;
  if (nbufs > sizeof req->bufsml / sizeof req->bufsml[0]) req->bufs = malloc(nbufs * sizeof bufs[0]);
  if (req->bufs == NULL) {
    uvs__req_unregister(handle->loop);
    return UV_ENOMEM;
  }
  memcpy(req->bufs, bufs, nbufs * sizeof bufs[0]);
  handle->send_queue_size += count_bufs(bufs, nbufs);
  handle->send_queue_count++;
  uvs__q_insert_tail(&handle->write_queue, &req->queue);
  uvs__handle_start((uv_handle_t*)handle);
  if (empty_queue && !(st->flags & UDP_PROCESSING)) {
    send_queued(st);            /* at once, as uv__udp_sendmsg */
  } else if (!st->pend.queued) {
    uvs__pending_push(handle->loop, &st->pend);   /* POLLOUT: next iteration */
  }
  return 0;
}

int uv_udp_try_send(uv_udp_t* handle, const uv_buf_t bufs[], unsigned int nbufs,
                    const struct sockaddr* addr) {
  if (handle->type != UV_UDP || nbufs < 1) return UV_EINVAL;
  udp_state* st = st_of(handle);
  NEED_STATE(st);
  int r = check_before_send(st, addr);
  if (r) return r;
  if (handle->send_queue_count != 0) return UV_EAGAIN;   /* already sending */
  if (addr) {
    r = deferred_bind(st, addr->sa_family);
    if (r) return r;
  }
  ssize_t n = send_one(st, bufs, nbufs, addr);
  return n == -ENOBUFS ? UV_EAGAIN : (int)n;
}

/* -------------------------------------------------------------- receiving */

/* libuv's uv__udp_recvmmsg: each datagram a 64 KiB chunk of the buffer. */
static int recv_mmsg(udp_state* st, uv_buf_t* buf) {
  uv_udp_t* h = st->h;
  size_t chunks = buf->len / UDP_DGRAM_MAX;
  if (chunks > UDP_MMSG_MAX) chunks = UDP_MMSG_MAX;
  struct sockaddr_storage peers[UDP_MMSG_MAX];
  ssize_t lens[UDP_MMSG_MAX];
  int trunc[UDP_MMSG_MAX];
  size_t n = 0;
  for (; n < chunks; n++) {
    sim_addr from;
    lens[n] = sim_dgram_recv(net(), st->sock, buf->base + n * UDP_DGRAM_MAX, UDP_DGRAM_MAX,
                             &from, &trunc[n]);
    if (lens[n] < 0) break;
    sim_addr_to_sockaddr(&from, &peers[n]);
  }
  if (n == 0) {
    uvs__trace_cb(st->lbl_recv);
    h->recv_cb(h, 0, buf, NULL, 0);
    uvs__after_callback();
    return 0;
  }
  for (size_t k = 0; k < n && h->recv_cb != NULL; k++) {
    unsigned flags = UV_UDP_MMSG_CHUNK | (trunc[k] ? UV_UDP_PARTIAL : 0);
    uv_buf_t chunk = uv_buf_init(buf->base + k * UDP_DGRAM_MAX, UDP_DGRAM_MAX);
    uvs__trace_cb(st->lbl_recv);
    h->recv_cb(h, lens[k], &chunk, (const struct sockaddr*)&peers[k], flags);
    uvs__after_callback();
  }
  if (h->recv_cb != NULL) {
    uvs__trace_cb(st->lbl_recv);
    h->recv_cb(h, 0, buf, NULL, UV_UDP_MMSG_FREE);
    uvs__after_callback();
  }
  return (int)n;
}

/* libuv's uv__udp_recvmsg. */
static void udp_io(uv_loop_t* loop, uvs__io* io) {
  (void)loop;
  udp_state* st = UVS__QDATA(io, udp_state, rd);
  uv_udp_t* h = st->h;
  int count = UDP_READS_MAX;
  ssize_t nread;
  do {
    if (!(st->flags & UDP_READING) || h->recv_cb == NULL) return;
    uv_buf_t buf = uv_buf_init(NULL, 0);
    uvs__trace_cb(st->lbl_recv);
    h->alloc_cb((uv_handle_t*)h, UDP_DGRAM_MAX, &buf);
    uvs__after_callback();
    if (h->recv_cb == NULL || st->sock < 0) return;
    if (buf.base == NULL || buf.len == 0) {
      uvs__trace_cb(st->lbl_recv);
      h->recv_cb(h, UV_ENOBUFS, &buf, NULL, 0);
      uvs__after_callback();
      return;
    }
    if ((st->flags & UDP_RECVMMSG) && buf.len >= 2 * UDP_DGRAM_MAX) {
      nread = recv_mmsg(st, &buf);
      if (nread > 0) count -= (int)nread;
      else nread = -1;
      continue;
    }
    sim_addr from;
    int trunc = 0;
    nread = sim_dgram_recv(net(), st->sock, buf.base, buf.len, &from, &trunc);
    uvs__trace_cb(st->lbl_recv);
    if (nread == -EAGAIN) {
      h->recv_cb(h, 0, &buf, NULL, 0);
      nread = -1;
    } else if (nread < 0) {
      h->recv_cb(h, (ssize_t)nread, &buf, NULL, 0);
      nread = -1;
    } else {
      struct sockaddr_storage peer;
      sim_addr_to_sockaddr(&from, &peer);
      h->recv_cb(h, nread, &buf, (const struct sockaddr*)&peer, trunc ? UV_UDP_PARTIAL : 0);
    }
    uvs__after_callback();
    count--;
  } while (nread != -1 && count > 0 && st->sock >= 0 && h->recv_cb != NULL);
  /* level-triggered: still readable, still reading: the next poll */
  if (st->sock >= 0 && (st->flags & UDP_READING) &&
      (sim_dgram_poll(net(), st->sock) & SIM_NET_IN))
    uvs__io_ready(h->loop, &st->rd);
}

int uv_udp_recv_start(uv_udp_t* handle, uv_alloc_cb alloc_cb, uv_udp_recv_cb recv_cb) {
  if (handle->type != UV_UDP || alloc_cb == NULL || recv_cb == NULL) return UV_EINVAL;
  udp_state* st = st_of(handle);
  NEED_STATE(st);
  if (st->flags & UDP_READING) return UV_EALREADY;
  int r = deferred_bind(st, AF_INET);
  if (r) return r;
  name(st, (const void*)recv_cb);
  handle->alloc_cb = alloc_cb;
  handle->recv_cb = recv_cb;
  st->flags |= UDP_READING;
  uvs__handle_start((uv_handle_t*)handle);
  if (sim_dgram_poll(net(), st->sock) & SIM_NET_IN) uvs__io_ready(handle->loop, &st->rd);
  return 0;
}

int uv_udp_recv_stop(uv_udp_t* handle) {
  if (handle->type != UV_UDP) return UV_EINVAL;
  udp_state* st = st_of(handle);
  if (st == NULL) return 0;
  st->flags &= ~UDP_READING;
  uvs__io_cancel(handle->loop, &st->rd);
  handle->alloc_cb = NULL;
  handle->recv_cb = NULL;
  if (uvs__q_empty(&handle->write_queue)) uvs__handle_stop((uv_handle_t*)handle);
  return 0;
}

int uv_udp_using_recvmmsg(const uv_udp_t* handle) {
  return handle->type == UV_UDP && (handle->flags & UVS__UDP_RECVMMSG) != 0;
}

/* ----------------------------------------------------------- the handle */

static void udp_close(uv_handle_t* hh) {
  uv_udp_t* h = (uv_udp_t*)hh;
  udp_state* st = st_of(h);
  uvs__io_cancel(h->loop, &st->rd);
  if (st->pend.queued) uvs__io_cancel(h->loop, &st->pend);
  st->flags &= ~UDP_READING;
  uvs__handle_stop(hh);
  if (st->sock >= 0) sim_dgram_close(net(), st->sock);
  st->sock = -1;
  /* an adopted real socket is closed, as libuv closes what it was given */
  if (st->real_fd > 2) close(st->real_fd);
  st->real_fd = -1;
  h->io_watcher.fd = -1;
}

/* libuv's uv__udp_finish_close: queued sends are cancelled, their
 * callbacks run before the close callback. */
static void udp_finish_close(uv_handle_t* hh) {
  uv_udp_t* h = (uv_udp_t*)hh;
  udp_state* st = st_of(h);
  while (!uvs__q_empty(&h->write_queue)) {
    void* (*q)[2] = uvs__q_head(&h->write_queue);
    uvs__q_remove(q);
    UVS__QDATA(q, uv_udp_send_t, queue)->status = UV_ECANCELED;
    uvs__q_insert_tail(&h->write_completed_queue, q);
  }
  run_completed(st);
  UVS__ASSERT(h->send_queue_count == 0, "a closed udp handle has sends queued");
  h->recv_cb = NULL;
  h->alloc_cb = NULL;
  uvs__wfree(st);
  hh->u.reserved[0] = NULL;
}

int uv_udp_init_ex(uv_loop_t* loop, uv_udp_t* handle, unsigned int flags) {
  unsigned domain = flags & 0xFF;
  if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNSPEC) return UV_EINVAL;
  if ((flags & ~0xFFu) & ~(unsigned)UV_UDP_RECVMMSG) return UV_EINVAL;
  uvs__handle_init(loop, (uv_handle_t*)handle, UV_UDP);
  uvs__close_hook[UV_UDP] = udp_close;
  uvs__finish_close_hook[UV_UDP] = udp_finish_close;
  handle->alloc_cb = NULL;
  handle->recv_cb = NULL;
  handle->send_queue_size = 0;
  handle->send_queue_count = 0;
  handle->io_watcher.fd = -1;
  uvs__q_init(&handle->write_queue);
  uvs__q_init(&handle->write_completed_queue);
  udp_state* st = uvs__wcalloc(sizeof *st);
  st->h = handle;
  st->sock = -1;
  st->real_fd = -1;
  uvs__io_init(&st->rd, udp_io, uvs__label((uv_handle_t*)handle));
  uvs__io_init(&st->pend, udp_pending, uvs__label((uv_handle_t*)handle));
  handle->u.reserved[0] = st;
  relabel(st);
  if (flags & UV_UDP_RECVMMSG) {
    st->flags |= UDP_RECVMMSG;
    handle->flags |= UVS__UDP_RECVMMSG;
  }
  if (domain != AF_UNSPEC) {
    int r = make_socket(st, (int)domain);
    if (r < 0) {
      uvs__q_remove(&handle->handle_queue);
      return r;
    }
  }
  return 0;
}

int uv_udp_init(uv_loop_t* loop, uv_udp_t* handle) { return uv_udp_init_ex(loop, handle, AF_UNSPEC); }

/* A real datagram socket the program made (socket(2), perhaps bind(2) or
 * connect(2), which for UDP only names a peer: nothing travels) is
 * adopted, as uv_tcp_open's (loop/realfd.c): a simulated twin with the
 * same local address and peer does the work, the real descriptor is what
 * uv_fileno answers and is closed with the handle. An AF_UNIX datagram
 * socket is refused: the simulated datagrams are IP only. */
/* A simulated socket's number (uv_fileno of another udp handle: Node's
 * bind({ fd }), dgram._createSocketHandle) is shared, as two libuv handles
 * share one kernel descriptor: both work on the same simulated socket, the
 * last opened takes its readiness (the other is not reading: that would
 * have been UV_EEXIST), and whichever closes first closes it for both, as
 * close(2) would; the other then meets EBADF. */
static int open_shared(udp_state* st, int id) {
  sim_addr a;
  if (sim_dgram_getsockname(net(), id, &a) < 0) return UV_EBADF;
  st->sock = id;
  st->h->io_watcher.fd = id;
  if (a.family == AF_INET6) st->flags |= UDP_IPV6;
  if (sim_dgram_is_bound(net(), id)) st->flags |= UDP_BOUND;
  if (sim_dgram_getpeername(net(), id, &a) == 0) st->flags |= UDP_CONNECTED;
  sim_dgram_set_notify(net(), id, on_dgram, st);
  relabel(st);
  return 0;
}

int uv_udp_open(uv_udp_t* handle, uv_os_sock_t sock) {
  udp_state* st = st_of(handle);
  NEED_STATE(st);
  if (uvs__realfd_taken(handle->loop, sock, (uv_handle_t*)handle)) return UV_EEXIST;
  if (st->real_fd == sock) return 0;
  if (st->sock >= 0 || st->real_fd >= 0) return UV_EBUSY;
  sim_addr shared;
  if (sim_dgram_getsockname(net(), sock, &shared) == 0) return open_shared(st, sock);
  sim_addr local, peer;
  int bound, connected;
  int r = uvs__realfd_socket(sock, SOCK_DGRAM, &local, &bound, &connected);
  if (r < 0) return r;
  if (local.family != AF_INET && local.family != AF_INET6) {
    fprintf(stderr, "uvsim: uv_udp_open: only IP datagram sockets are simulated\n");
    return UV_ENOSYS;
  }
  if (connected) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getpeername(sock, (struct sockaddr*)&ss, &sl) < 0 ||
        sim_addr_from_sockaddr(&peer, (struct sockaddr*)&ss) < 0)
      return UV_EINVAL;
  }
  r = make_socket(st, local.family);
  if (r < 0) return r;
  if (bound) {
    r = sim_dgram_bind(net(), st->sock, &local, 0, 0);
    if (r < 0) return r;
    st->flags |= UDP_BOUND;
  }
  if (connected) {
    r = sim_dgram_connect(net(), st->sock, &peer);
    if (r < 0) return r;
    st->flags |= UDP_CONNECTED;
  }
  st->real_fd = sock;
  handle->io_watcher.fd = sock;
  return 0;
}

int uv_udp_bind(uv_udp_t* handle, const struct sockaddr* addr, unsigned int flags) {
  if (handle->type != UV_UDP || addr == NULL) return UV_EINVAL;
  if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) return UV_EINVAL;
  if (flags & ~(unsigned)(UV_UDP_IPV6ONLY | UV_UDP_REUSEADDR | UV_UDP_LINUX_RECVERR))
    return UV_EINVAL;
  if ((flags & UV_UDP_IPV6ONLY) && addr->sa_family != AF_INET6) return UV_EINVAL;
  udp_state* st = st_of(handle);
  NEED_STATE(st);
  int r = make_socket(st, addr->sa_family);
  if (r < 0) return r;
  sim_addr a;
  sim_addr_from_sockaddr(&a, addr);
  r = sim_dgram_bind(net(), st->sock, &a, (flags & UV_UDP_REUSEADDR) != 0,
                     (flags & UV_UDP_IPV6ONLY) != 0);
  if (r < 0) return r == -EAFNOSUPPORT ? UV_EINVAL : r;
  if (addr->sa_family == AF_INET6) st->flags |= UDP_IPV6;
  st->flags |= UDP_BOUND;
  return 0;
}

int uv_udp_connect(uv_udp_t* handle, const struct sockaddr* addr) {
  if (handle->type != UV_UDP) return UV_EINVAL;
  udp_state* st = st_of(handle);
  NEED_STATE(st);
  if (addr == NULL) {
    if (!(st->flags & UDP_CONNECTED)) return UV_ENOTCONN;
    sim_dgram_connect(net(), st->sock, NULL);
    st->flags &= ~UDP_CONNECTED;
    return 0;
  }
  if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) return UV_EINVAL;
  if (st->flags & UDP_CONNECTED) return UV_EISCONN;
  int r = deferred_bind(st, addr->sa_family);
  if (r) return r;
  sim_addr a;
  sim_addr_from_sockaddr(&a, addr);
  r = sim_dgram_connect(net(), st->sock, &a);
  if (r < 0) return r;
  st->flags |= UDP_CONNECTED;
  return 0;
}

static int sock_name(const uv_udp_t* handle, struct sockaddr* name, int* namelen, int peer) {
  const udp_state* st = st_of(handle);
  NEED_STATE(st);
  if (st->sock < 0 || uvs__is_closing((const uv_handle_t*)handle)) return UV_EBADF;
  sim_addr a;
  int r = peer ? sim_dgram_getpeername(net(), st->sock, &a)
               : sim_dgram_getsockname(net(), st->sock, &a);
  if (r < 0) return r;
  return uvs__addr_copy_out(&a, name, namelen);
}

int uv_udp_getsockname(const uv_udp_t* handle, struct sockaddr* name, int* namelen) {
  return sock_name(handle, name, namelen, 0);
}

int uv_udp_getpeername(const uv_udp_t* handle, struct sockaddr* name, int* namelen) {
  return sock_name(handle, name, namelen, 1);
}

/* Socket options: recorded nowhere (nothing simulated depends on them),
 * checked as setsockopt(2) and libuv check them. */
static int has_socket(const uv_udp_t* handle) {
  return st_of(handle) != NULL && st_of(handle)->sock >= 0;
}

int uv_udp_set_broadcast(uv_udp_t* handle, int on) {
  (void)on;
  return has_socket(handle) ? 0 : UV_EBADF;
}

int uv_udp_set_ttl(uv_udp_t* handle, int ttl) {
  if (ttl < 1 || ttl > 255) return UV_EINVAL;
  return has_socket(handle) ? 0 : UV_EBADF;
}

int uv_udp_set_multicast_ttl(uv_udp_t* handle, int ttl) {
  if (ttl < 0 || ttl > 255) return UV_EINVAL;
  return has_socket(handle) ? 0 : UV_EBADF;
}

int uv_udp_set_multicast_loop(uv_udp_t* handle, int on) {
  (void)on;
  return has_socket(handle) ? 0 : UV_EBADF;
}

/* Is this IPv4 address one of the simulated host's (uv_interface_addresses:
 * the loopback 127.0.0.0/8) or the wildcard? setsockopt(2) refuses others. */
static int local_ip4(const unsigned char ip[4]) { return ip[0] == 127 || !(ip[0] | ip[1] | ip[2] | ip[3]); }

/* The interface is checked as Linux does (an address of the socket's family
 * that is one of the host's, or NULL for the default: EADDRNOTAVAIL for an
 * address that is not, e.g. a group address); multicast itself is not
 * simulated. An IPv6 interface is a scope id or an address: any passes. */
int uv_udp_set_multicast_interface(uv_udp_t* handle, const char* interface_addr) {
  if (!has_socket(handle)) return UV_EBADF;
  if (interface_addr == NULL) return 0;
  unsigned char ip[16];
  int family = (st_of(handle)->flags & UDP_IPV6) ? AF_INET6 : AF_INET;
  if (family == AF_INET6 && strchr(interface_addr, '%')) return 0;   /* a scope id */
  if (uv_inet_pton(family, interface_addr, ip) != 0) return UV_EINVAL;
  return family == AF_INET && !local_ip4(ip) ? UV_EADDRNOTAVAIL : 0;
}

/* A group address of either family, or EINVAL (what uv_ip4_addr and
 * uv_ip6_addr accept, as libuv tries them). */
static int group_family(const char* addr, unsigned char ip[16]) {
  if (addr == NULL) return UV_EINVAL;
  if (uv_inet_pton(AF_INET, addr, ip) == 0) return AF_INET;
  if (uv_inet_pton(AF_INET6, addr, ip) == 0) return AF_INET6;
  return UV_EINVAL;
}

static int is_multicast(int family, const unsigned char ip[16]) {
  return family == AF_INET ? (ip[0] & 0xf0) == 0xe0 : ip[0] == 0xff;
}

/* Joining or leaving a group: every argument is checked as libuv and the
 * kernel check it (EINVAL for a bad group, interface or membership, EBADF
 * on a closed handle), then UV_ENOSYS, loudly: a simulated network that
 * accepted the join but never delivered the group's datagrams would lie.
 * Like libuv, a valid call binds an unbound socket first. */
static int membership(uv_udp_t* handle, const char* group, const char* iface,
                      const char* source, uv_membership m, const char* fn) {
  unsigned char ip[16], src[16], ifip[16];
  udp_state* st = st_of(handle);
  NEED_STATE(st);
  int family = group_family(group, ip);
  if (family < 0) return family;
  if (source != NULL && uv_inet_pton(family, source, src) != 0) return UV_EINVAL;
  int r = deferred_bind(st, family);
  if (r < 0) return r;
  if (m != UV_JOIN_GROUP && m != UV_LEAVE_GROUP) return UV_EINVAL;
  if (family == AF_INET && iface != NULL && uv_inet_pton(AF_INET, iface, ifip) != 0)
    return UV_EINVAL;
  if (!is_multicast(family, ip)) return UV_EINVAL;
  fprintf(stderr, "uvsim: %s: multicast groups are not simulated\n", fn);
  return UV_ENOSYS;
}

int uv_udp_set_membership(uv_udp_t* handle, const char* multicast_addr,
                          const char* interface_addr, uv_membership m) {
  return membership(handle, multicast_addr, interface_addr, NULL, m,
                    "uv_udp_set_membership");
}

int uv_udp_set_source_membership(uv_udp_t* handle, const char* multicast_addr,
                                 const char* interface_addr, const char* source_addr,
                                 uv_membership m) {
  if (source_addr == NULL) return UV_EINVAL;
  return membership(handle, multicast_addr, interface_addr, source_addr, m,
                    "uv_udp_set_source_membership");
}

/* SO_SNDBUF / SO_RCVBUF of a UDP socket (uv_send_buffer_size and
 * uv_recv_buffer_size, loop/stream.c, send UDP handles here). */
int uvs__udp_sockbuf(uv_udp_t* handle, int* value, int rcv) {
  if (!has_socket(handle)) return UV_EBADF;
  return rcv ? sim_dgram_rcvbuf(net(), st_of(handle)->sock, value)
             : sim_dgram_sndbuf(net(), st_of(handle)->sock, value);
}

size_t uv_udp_get_send_queue_size(const uv_udp_t* handle) { return handle->send_queue_size; }
size_t uv_udp_get_send_queue_count(const uv_udp_t* handle) { return handle->send_queue_count; }
