/* loop/stream.c — libuv's stream machinery (read, write, shutdown, listen,
 * accept) over sockets of the simulated network (sim/sim_net.h).
 *
 * It follows libuv 1.44's src/unix/stream.c step for step, because programs
 * depend on its exact callback order: uv_write writes at once when the queue
 * is empty and reports completion in the next pending phase; one request is
 * finished per writable event; reads loop up to 32 times and stop at a
 * partial read; a connection completes in its own event; a server accepts in
 * a loop until the user leaves one unaccepted. Readiness comes from the world
 * through sim_net's notify callback and is re-reported each loop iteration
 * while it holds, as level-triggered epoll does (uvs__stream_rearm). */
#include "loop/stream.h"
#include "loop/fdshim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim_fault.h"

static void stream_io(uv_loop_t* loop, uvs__io* io);
static void stream_pending(uv_loop_t* loop, uvs__io* io);
static void stream_close(uv_handle_t* h);
static void stream_finish_close(uv_handle_t* h);

/* ------------------------------------------------------------- helpers */

static int closing(const uv_stream_t* h) { return uvs__is_closing((const uv_handle_t*)h); }

static const char* lbl(const uv_stream_t* h, const char* what) {
  return sim_internf(uvs__sim(), "%s %s", uvs__label((const uv_handle_t*)h), what);
}

/* The same for the callbacks that repeat, interned once per handle label
 * (the state and the label are the run's, as the interned strings): a
 * chain of one-byte writes (libuv's tcp_write_ready) spent about
 * a tenth of its time formatting and copying the same label, and the
 * arena grew by it with every write. */
static const char* lbl_rw(const uv_stream_t* h, int write) {
  uvs__stream* st = uvs__st(h);
  const char* what = write ? "write" : "read";
  if (st == NULL) return lbl(h, what);
  const char* hl = uvs__label((const uv_handle_t*)h);
  if (st->cb_label_of != hl) {
    st->cb_label_of = hl;
    st->cb_label[0] = st->cb_label[1] = NULL;
  }
  if (st->cb_label[write] == NULL) st->cb_label[write] = lbl(h, what);
  return st->cb_label[write];
}

/* Delivers one user callback under its label: traced, then the engine's
 * checkpoint. */
#define DELIVER_AS(label, call)         \
  do {                                  \
    uvs__trace_cb(label);               \
    call;                               \
    uvs__after_callback();              \
  } while (0)

#define DELIVER(h, what, call) DELIVER_AS(lbl((h), (what)), call)
#define DELIVER_RW(h, write, call) DELIVER_AS(lbl_rw((h), (write)), call)

static void on_net(void* data, int id, unsigned events) {
  uvs__stream* st = data;
  (void)id;
  st->events |= events;
  uvs__stream_rearm(st);
}

/* The stream has a transport: a socket, or a tty's real descriptor. */
static int has_transport(const uvs__stream* st) {
  return st->sock >= 0 || st->fd >= 0;
}

/* Readiness of the transport. A tty is always writable (writes to the real
 * descriptor block, as libuv's tty writes may) and always readable: its
 * input is at its end (tty.c). A real descriptor is what the poll phase's
 * last look saw (realstream.c). */
static unsigned poll_events(const uvs__stream* st) {
  if (st->flags & UVS__S_TTY) return SIM_NET_IN | SIM_NET_OUT;
  if (st->flags & UVS__S_REAL) return uvs__rstream_events(st);
  return sim_net_poll(uvs__net(), st->sock);
}

static void feed(uvs__stream* st) {
  if (!st->pend.queued) uvs__pending_push(st->h->loop, &st->pend);
}

/* "ip:port" or the pipe path, the target fault rules match on. */
static const char* peer_target(const uvs__stream* st, char* buf, size_t len) {
  sim_addr a;
  if (st->sock < 0 || sim_net_getpeername(uvs__net(), st->sock, &a) < 0) return NULL;
  if (a.family == AF_UNIX) {
    snprintf(buf, len, "%s", a.path);
  } else {
    char ip[64];
    inet_ntop(a.family, a.ip, ip, sizeof ip);
    snprintf(buf, len, "%s:%u", ip, a.port);
  }
  return buf;
}

static int net_fault(uvs__stream* st, sim_fault_op op, size_t* short_max) {
  char t[160];
  sim_fault_hit hit;
  sim_faults* f = sim_faults_current();
  /* no rules, nothing to match: the target is not formatted (a chain of
   * one-byte writes, libuv's tcp_write_ready, spent about a tenth of its
   * time in inet_ntop and snprintf here) */
  if (sim_fault_count(f) == 0) return 0;
  if (!sim_fault_check(f, op, peer_target(st, t, sizeof t), st->sock, &hit))
    return 0;
  if (short_max && hit.short_max) *short_max = hit.short_max;
  return hit.err ? -hit.err : 0;
}

/* ------------------------------------------------------------ lifecycle */

void uvs__stream_init(uv_loop_t* loop, uv_stream_t* s, uv_handle_type type) {
  uvs__handle_init(loop, (uv_handle_t*)s, type);
  uvs__close_hook[type] = stream_close;
  uvs__finish_close_hook[type] = stream_finish_close;
  s->read_cb = NULL;
  s->alloc_cb = NULL;
  s->connection_cb = NULL;
  s->connect_req = NULL;
  s->shutdown_req = NULL;
  s->accepted_fd = -1;
  s->delayed_error = 0;
  s->write_queue_size = 0;
  uvs__q_init(&s->write_queue);
  uvs__q_init(&s->write_completed_queue);
  uvs__stream* st = uvs__wcalloc(sizeof *st);
  st->h = s;
  st->sock = -1;
  st->fd = -1;
  st->real_fd = -1;
  st->accepted = -1;
  s->io_watcher.fd = -1;     /* uv_fileno: EBADF until there is a socket */
  uvs__io_init(&st->rd, stream_io, uvs__label((uv_handle_t*)s));
  uvs__io_init(&st->pend, stream_pending, uvs__label((uv_handle_t*)s));
  s->queued_fds = st;
}

void uvs__stream_attach(uv_stream_t* s, int sock, unsigned flags) {
  uvs__stream* st = uvs__st(s);
  UVS__ASSERT(st->sock < 0, "a stream is given a second socket");
  st->sock = sock;
  st->flags |= flags;
  s->io_watcher.fd = st->real_fd >= 0 ? st->real_fd : sock;
  sim_net_set_label(uvs__net(), sock, uvs__label((uv_handle_t*)s));
  sim_net_set_notify(uvs__net(), sock, on_net, st);
  uvs__stream_rearm(st);
}

void uvs__stream_relabel(uv_stream_t* s) {
  uvs__stream* st = uvs__st(s);
  const char* label = uvs__label((uv_handle_t*)s);
  st->rd.label = label;
  st->pend.label = label;
  if (st->sock >= 0) sim_net_set_label(uvs__net(), st->sock, label);
}

int uvs__stream_socket(uv_stream_t* s, int family, unsigned flags) {
  uvs__stream* st = uvs__st(s);
  if (st->sock >= 0) {
    st->flags |= flags;
    return 0;
  }
  int sock = sim_net_socket(uvs__net(), family);
  if (sock < 0) return sock;
  uvs__stream_attach(s, sock, flags);
  return 0;
}

/* --------------------------------------------------------- readiness */

void uvs__stream_rearm(uvs__stream* st) {
  uv_stream_t* h = st->h;
  if (!has_transport(st) || closing(h) || st->rd.queued) return;
  unsigned p = poll_events(st);
  int want = 0;
  if (st->flags & UVS__S_LISTENING) {
    want = st->accepted < 0 && (p & SIM_NET_IN);
  } else if (h->connect_req) {
    want = h->delayed_error == 0 && !sim_net_connecting(uvs__net(), st->sock);
  } else {
    if ((st->flags & UVS__S_READING) && (p & SIM_NET_IN)) want = 1;
    if (!uvs__q_empty(&h->write_queue) && (p & (SIM_NET_OUT | SIM_NET_ERR))) want = 1;
  }
  if (want) uvs__io_ready(h->loop, &st->rd);
}

/* --------------------------------------------------------------- reads */

static void read_stop_internal(uvs__stream* st) {
  UVS__ASSERT(st->flags & UVS__S_READING, "a stream stops reading that was not reading");
  st->flags &= ~UVS__S_READING;
  uvs__handle_stop((uv_handle_t*)st->h);
}

static void stream_eof(uvs__stream* st, const uv_buf_t* buf) {
  uv_stream_t* h = st->h;
  st->flags |= UVS__S_READ_EOF;
  read_stop_internal(st);
  DELIVER_RW(h, 0, h->read_cb(h, UV_EOF, buf));
}

static void do_read(uvs__stream* st) {
  uv_stream_t* h = st->h;
  int pipe = h->type == UV_NAMED_PIPE;
  for (int count = 32; h->read_cb && (st->flags & UVS__S_READING) && count > 0; count--) {
    if (!(poll_events(st) & SIM_NET_IN)) return;
    uv_buf_t buf = uv_buf_init(NULL, 0);
    DELIVER(h, "alloc", h->alloc_cb((uv_handle_t*)h, 64 * 1024, &buf));
    if (closing(h) || !(st->flags & UVS__S_READING)) return;
    if (buf.base == NULL || buf.len == 0) {
      DELIVER_RW(h, 0, h->read_cb(h, UV_ENOBUFS, &buf));
      return;
    }
    size_t limit = buf.len;
    ssize_t n = 0;              /* a tty: read(2) finds the end of input */
    if (st->flags & UVS__S_REAL) {
      n = uvs__rstream_read(st, buf.base, limit);
    } else if (!(st->flags & UVS__S_TTY)) {
      n = net_fault(st, SIM_FOP_RECV, &limit);
      if (n == 0) n = sim_net_read(uvs__net(), st->sock, buf.base, limit);
    }
    if (n == -EAGAIN) {
      DELIVER_RW(h, 0, h->read_cb(h, 0, &buf));
      return;
    }
    if (n == -ECONNRESET && pipe) {
      stream_eof(st, &buf);
      return;
    }
    if (n < 0) {
      /* The user should close the stream now. */
      st->flags &= ~(UVS__S_READABLE | UVS__S_WRITABLE);
      DELIVER_RW(h, 0, h->read_cb(h, (ssize_t)n, &buf));
      if (!closing(h) && (st->flags & UVS__S_READING)) read_stop_internal(st);
      return;
    }
    if (n == 0) {
      stream_eof(st, &buf);
      return;
    }
    DELIVER_RW(h, 0, h->read_cb(h, n, &buf));
    if ((size_t)n < buf.len) return;   /* partial: nothing more right now */
  }
}

int uv_read_start(uv_stream_t* s, uv_alloc_cb alloc_cb, uv_read_cb read_cb) {
  if (s == NULL || alloc_cb == NULL || read_cb == NULL) return UV_EINVAL;
  if (closing(s)) return UV_EINVAL;
  uvs__stream* st = uvs__st(s);
  if (st->flags & UVS__S_READING) return UV_EALREADY;
  if (!(st->flags & UVS__S_READABLE)) return UV_ENOTCONN;
  st->flags |= UVS__S_READING;
  st->flags &= ~UVS__S_READ_EOF;
  s->read_cb = read_cb;
  s->alloc_cb = alloc_cb;
  uvs__name_handle((uv_handle_t*)s, (const void*)read_cb);
  uvs__handle_start((uv_handle_t*)s);
  uvs__stream_rearm(st);
  return 0;
}

int uv_read_stop(uv_stream_t* s) {
  uvs__stream* st = uvs__st(s);
  if (st == NULL) return 0;   /* closed: its state is gone, nothing reads */
  if (!(st->flags & UVS__S_READING)) return 0;
  read_stop_internal(st);
  s->read_cb = NULL;
  s->alloc_cb = NULL;
  return 0;
}

int uv_is_readable(const uv_stream_t* s) {
  const uvs__stream* st = uvs__st(s);
  return st != NULL && (st->flags & UVS__S_READABLE) != 0;
}

int uv_is_writable(const uv_stream_t* s) {
  const uvs__stream* st = uvs__st(s);
  return st != NULL && (st->flags & UVS__S_WRITABLE) != 0;
}

/* -------------------------------------------------------------- writes */

static size_t bufs_size(const uv_buf_t* bufs, unsigned n) {
  size_t total = 0;
  for (unsigned i = 0; i < n; i++) total += bufs[i].len;
  return total;
}

/* One writev(2): as much as fits, or an error if nothing was written.
 * send_fd (a real descriptor, or -1) goes with it (uv_write2). */
static ssize_t try_write(uvs__stream* st, const uv_buf_t* bufs, unsigned n, int send_fd) {
  if (st->flags & UVS__S_TTY) return uvs__tty_write(st->fd, bufs, n);
  if (st->flags & UVS__S_REAL) return uvs__rstream_write(st, bufs, n, send_fd);
  size_t limit = 0;
  int f = net_fault(st, SIM_FOP_SEND, &limit);
  if (f < 0) return f;
  ssize_t total = 0;
  for (unsigned i = 0; i < n; i++) {
    size_t want = bufs[i].len;
    if (limit && (size_t)total + want > limit) want = limit - (size_t)total;
    if (want == 0) {
      if (bufs[i].len == 0) continue;
      break;
    }
    ssize_t w = sim_net_write(uvs__net(), st->sock, bufs[i].base, want);
    if (w < 0) {
      if (total > 0) break;
      return w == -EAGAIN ? UV_EAGAIN : w;
    }
    total += w;
    if ((size_t)w < bufs[i].len) break;
  }
  return total;
}

/* Consumes n written bytes from the request; 1 when it is complete. */
static int req_update(uv_stream_t* h, uv_write_t* req, size_t n) {
  UVS__ASSERT(h->write_queue_size >= n, "more bytes written than queued");
  h->write_queue_size -= n;
  uv_buf_t* b = req->bufs + req->write_index;
  uv_buf_t* end = req->bufs + req->nbufs;
  while (b < end) {
    size_t k = n < b->len ? n : b->len;
    b->base += k;
    b->len -= k;
    n -= k;
    if (b->len != 0) break;
    b++;
  }
  UVS__ASSERT(n == 0, "a write consumed more bytes than its request holds");
  req->write_index = (unsigned)(b - req->bufs);
  return req->write_index == req->nbufs;
}

static void req_finish(uvs__stream* st, uv_write_t* req) {
  UVS__ASSERT(req->handle == st->h && uvs__q_linked(&req->queue),
              "a finished write is not on its stream's write queue");
  uvs__q_remove(&req->queue);
  if (req->error == 0) {
    if (req->bufs != req->bufsml) free(req->bufs);
    req->bufs = NULL;
  }
  uvs__q_insert_tail(&st->h->write_completed_queue, &req->queue);
  feed(st);
}

/* Writes the head request; finishes at most one (as libuv does). */
static void do_write(uvs__stream* st) {
  uv_stream_t* h = st->h;
  if (uvs__q_empty(&h->write_queue)) return;
  uv_write_t* req = UVS__QDATA(uvs__q_head(&h->write_queue), uv_write_t, queue);
  /* a complete request leaves the write queue at once (req_finish) */
  UVS__ASSERT(req->handle == h && req->bufs != NULL && req->write_index < req->nbufs,
              "a complete or foreign request heads the write queue");
  int send_fd = req->send_handle ? req->send_handle->io_watcher.fd : -1;
  ssize_t n = try_write(st, req->bufs + req->write_index, req->nbufs - req->write_index,
                        send_fd);
  if (n >= 0) {
    req->send_handle = NULL;   /* sent with the first bytes: never twice */
    if (req_update(h, req, (size_t)n)) req_finish(st, req);
    return;
  }
  if (n == UV_EAGAIN) return;
  req->error = (int)n;
  req_finish(st, req);
}

static void write_callbacks(uvs__stream* st) {
  uv_stream_t* h = st->h;
  if (uvs__q_empty(&h->write_completed_queue)) return;
  uvs__queue done;
  uvs__q_move(&h->write_completed_queue, &done);
  while (!uvs__q_empty(&done)) {
    uv_write_t* req = UVS__QDATA(uvs__q_head(&done), uv_write_t, queue);
    UVS__ASSERT(req->handle == h, "a foreign write is on the completed queue");
    /* the buffers are kept only by a request that failed */
    UVS__ASSERT(req->bufs == NULL || req->error != 0,
                "a successful write still holds its buffers");
    uvs__q_remove(&req->queue);
    uvs__req_unregister(h->loop);
    if (req->bufs != NULL) {
      size_t left = bufs_size(req->bufs + req->write_index, req->nbufs - req->write_index);
      UVS__ASSERT(h->write_queue_size >= left, "a failed write had more bytes than queued");
      h->write_queue_size -= left;
      if (req->bufs != req->bufsml) free(req->bufs);
      req->bufs = NULL;
    }
    if (req->cb) DELIVER_RW(h, 1, req->cb(req, req->error));
  }
}

/* The write queue is empty: a pending shutdown happens now. */
static void drain(uvs__stream* st) {
  uv_stream_t* h = st->h;
  if (!(st->flags & UVS__S_SHUTTING)) return;
  uv_shutdown_t* req = h->shutdown_req;
  UVS__ASSERT(req != NULL && req->handle == h, "a shutting stream has no shutdown request");
  if (!closing(h) && (st->flags & UVS__S_SHUT)) return;
  h->shutdown_req = NULL;
  st->flags &= ~UVS__S_SHUTTING;
  uvs__req_unregister(h->loop);
  int err = 0;
  if (closing(h)) {
    err = UV_ECANCELED;
  } else {
    /* shutdown(2) on a tty's descriptor: not a socket */
    err = (st->flags & UVS__S_TTY)    ? UV_ENOTSOCK
          : (st->flags & UVS__S_REAL) ? uvs__rstream_shutdown(st)
                                      : sim_net_shutdown(uvs__net(), st->sock);
    if (err == 0) st->flags |= UVS__S_SHUT;
  }
  if (req->cb) DELIVER(h, "shutdown", req->cb(req, err));
}

static void flush_write_queue(uvs__stream* st, int error) {
  uv_stream_t* h = st->h;
  while (!uvs__q_empty(&h->write_queue)) {
    uv_write_t* req = UVS__QDATA(uvs__q_head(&h->write_queue), uv_write_t, queue);
    uvs__q_remove(&req->queue);
    req->error = error;
    uvs__q_insert_tail(&h->write_completed_queue, &req->queue);
  }
}

/* A handle may be sent only over an IPC pipe on a real descriptor (the
 * descriptor goes with sendmsg(2)), and only one with a real descriptor:
 * a simulated socket has none a real peer could receive. */
static int send_check(uv_stream_t* s, uv_stream_t* send_handle) {
  if (send_handle == NULL) return 0;
  if (s->type != UV_NAMED_PIPE || !((uv_pipe_t*)s)->ipc) return UV_EINVAL;
  const uvs__stream* st = uvs__st(s);
  const uvs__stream* sent = uvs__st(send_handle);
  if (sent == NULL || send_handle->io_watcher.fd < 0) return UV_EBADF;
  if (!(st->flags & UVS__S_REAL) || !(sent->flags & UVS__S_REAL)) {
    fprintf(stderr, "uvsim: uv_write2: only a real descriptor can be sent over a "
            "real IPC pipe\n");
    return UV_ENOTSUP;
  }
  return 0;
}

int uv_write2(uv_write_t* req, uv_stream_t* s, const uv_buf_t bufs[],
              unsigned int nbufs, uv_stream_t* send_handle, uv_write_cb cb) {
  UVS__ASSERT(nbufs > 0, "uv_write with no buffers");
  uvs__stream* st = uvs__st(s);
  /* A closed handle's state is gone; libuv sees fd -1 and says EBADF. */
  if (st == NULL || !has_transport(st)) return UV_EBADF;
  if (!(st->flags & UVS__S_WRITABLE)) return UV_EPIPE;
  int err = send_check(s, send_handle);
  if (err < 0) return err;
  int empty_queue = s->write_queue_size == 0;
  UVS__CLEAR_REQ(req);
  req->type = UV_WRITE;
  req->cb = cb;
  req->handle = s;
  req->send_handle = send_handle;
  req->bufs = req->bufsml;
  if (nbufs > sizeof req->bufsml / sizeof *req->bufsml) {
    req->bufs = malloc(nbufs * sizeof *bufs);
    if (req->bufs == NULL) return UV_ENOMEM;
  }
  uvs__req_register(s->loop);
  memcpy(req->bufs, bufs, nbufs * sizeof *bufs);
  req->nbufs = nbufs;
  req->write_index = 0;
  s->write_queue_size += bufs_size(bufs, nbufs);
  uvs__q_insert_tail(&s->write_queue, &req->queue);
  if (s->connect_req) {
    /* still connecting: written once connected */
  } else if (empty_queue) {
    do_write(st);
  }
  uvs__stream_rearm(st);
  return 0;
}

int uv_write(uv_write_t* req, uv_stream_t* s, const uv_buf_t bufs[],
             unsigned int nbufs, uv_write_cb cb) {
  return uv_write2(req, s, bufs, nbufs, NULL, cb);
}

int uv_try_write2(uv_stream_t* s, const uv_buf_t bufs[], unsigned int nbufs,
                  uv_stream_t* send_handle) {
  uvs__stream* st = uvs__st(s);
  if (s->connect_req != NULL || s->write_queue_size != 0) return UV_EAGAIN;
  UVS__ASSERT(nbufs > 0, "uv_try_write with no buffers");
  if (st == NULL || !has_transport(st)) return UV_EBADF;
  if (!(st->flags & UVS__S_WRITABLE)) return UV_EPIPE;
  int err = send_check(s, send_handle);
  if (err < 0) return err;
  ssize_t n = try_write(st, bufs, nbufs, send_handle ? send_handle->io_watcher.fd : -1);
  return (int)n;
}

int uv_try_write(uv_stream_t* s, const uv_buf_t bufs[], unsigned int nbufs) {
  return uv_try_write2(s, bufs, nbufs, NULL);
}

/* SO_SNDBUF / SO_RCVBUF of a TCP, pipe or UDP socket (*value 0 reads it). */
static int sockbuf(uv_handle_t* h, int* value, int rcv) {
  if (h == NULL || value == NULL) return UV_EINVAL;
  if (h->type == UV_UDP) return uvs__udp_sockbuf((uv_udp_t*)h, value, rcv);
  if (h->type != UV_TCP && h->type != UV_NAMED_PIPE) return UV_ENOTSUP;
  const uvs__stream* st = uvs__st((uv_stream_t*)h);
  if (st == NULL || st->sock < 0) return UV_EBADF;
  return rcv ? sim_net_rcvbuf(uvs__net(), st->sock, value)
             : sim_net_sndbuf(uvs__net(), st->sock, value);
}

int uv_send_buffer_size(uv_handle_t* h, int* value) { return sockbuf(h, value, 0); }
int uv_recv_buffer_size(uv_handle_t* h, int* value) { return sockbuf(h, value, 1); }

/* As libuv's: the descriptor of a tcp, pipe or tty handle (for tcp and
 * pipes, the simulated socket's number), EBADF once closing or before
 * there is one, EINVAL for handle types without one. UDP and poll handles
 * would have one but are not simulated. */
int uv_fileno(const uv_handle_t* handle, uv_os_fd_t* fd) {
  int fd_out;
  switch (handle->type) {
  case UV_TCP:
  case UV_NAMED_PIPE:
  case UV_TTY: fd_out = ((const uv_stream_t*)handle)->io_watcher.fd; break;
  case UV_UDP: fd_out = ((const uv_udp_t*)handle)->io_watcher.fd; break;
  case UV_POLL: fd_out = ((const uv_poll_t*)handle)->io_watcher.fd; break;
  default: return UV_EINVAL;
  }
  if (uvs__is_closing(handle) || fd_out == -1) return UV_EBADF;
  uvs__fd_reserve(fd_out);    /* a simulated number the program now holds */
  *fd = fd_out;
  return 0;
}

size_t uv_stream_get_write_queue_size(const uv_stream_t* s) {
  return s->write_queue_size;
}

int uv_stream_set_blocking(uv_stream_t* s, int blocking) {
  uvs__stream* st = uvs__st(s);
  if (st != NULL && (st->flags & UVS__S_REAL)) return uvs__rstream_set_blocking(st, blocking);
  return 0;   /* simulated writes never block */
}

int uv_shutdown(uv_shutdown_t* req, uv_stream_t* s, uv_shutdown_cb cb) {
  uvs__stream* st = uvs__st(s);
  if (st == NULL) return UV_ENOTCONN;
  if (!(st->flags & UVS__S_WRITABLE) || (st->flags & (UVS__S_SHUT | UVS__S_SHUTTING)) ||
      closing(s))
    return UV_ENOTCONN;
  UVS__CLEAR_REQ(req);
  req->type = UV_SHUTDOWN;
  req->handle = s;
  req->cb = cb;
  uvs__req_register(s->loop);
  UVS__ASSERT(s->shutdown_req == NULL, "a stream has two shutdown requests");
  s->shutdown_req = req;
  st->flags |= UVS__S_SHUTTING;
  st->flags &= ~UVS__S_WRITABLE;
  if (uvs__q_empty(&s->write_queue)) feed(st);
  return 0;
}

/* ------------------------------------------------------------- connect */

int uvs__stream_connect(uv_connect_t* req, uv_stream_t* s, const sim_addr* to,
                        uv_connect_cb cb) {
  uvs__stream* st = uvs__st(s);
  if (s->connect_req != NULL) return UV_EALREADY;
  if (s->delayed_error == 0) {
    int r = uvs__stream_socket(s, to->family, UVS__S_READABLE | UVS__S_WRITABLE);
    if (r < 0) return r;
    char t[160];
    sim_fault_hit hit;
    if (to->family == AF_UNIX) snprintf(t, sizeof t, "%s", to->path);
    else {
      char ip[64];
      inet_ntop(to->family, to->ip, ip, sizeof ip);
      snprintf(t, sizeof t, "%s:%u", ip, to->port);
    }
    if (sim_fault_check(sim_faults_current(), SIM_FOP_CONNECT, t, st->sock, &hit) &&
        hit.err) {
      s->delayed_error = -hit.err;
    } else {
      r = sim_net_connect(uvs__net(), st->sock, to);
      /* libuv reports a refused TCP connect, and any failed pipe connect,
       * through the callback in the next pending phase. */
      if (r == -ECONNREFUSED || (r < 0 && s->type == UV_NAMED_PIPE))
        s->delayed_error = r;
      else if (r < 0)
        return r;
    }
  }
  UVS__CLEAR_REQ(req);
  req->type = UV_CONNECT;
  req->cb = cb;
  req->handle = s;
  uvs__req_register(s->loop);
  s->connect_req = req;
  if (s->delayed_error) feed(st);
  uvs__stream_rearm(st);
  return 0;
}

static void connect_step(uvs__stream* st) {
  uv_stream_t* h = st->h;
  uv_connect_t* req = h->connect_req;
  UVS__ASSERT(req != NULL && req->handle == h, "a connect step without its request");
  int err;
  if (h->delayed_error) {
    err = h->delayed_error;
    h->delayed_error = 0;
  } else {
    err = sim_net_connect_result(uvs__net(), st->sock);
    if (err == -EINPROGRESS) return;
  }
  h->connect_req = NULL;
  uvs__req_unregister(h->loop);
  if (req->cb) DELIVER(h, "connect", req->cb(req, err));
  if (closing(h)) return;
  if (err < 0) {
    flush_write_queue(st, UV_ECANCELED);
    write_callbacks(st);
  } else if (!uvs__q_empty(&h->write_queue)) {
    do_write(st);
  }
}

/* ---------------------------------------------------------- listen/accept */

static void server_io(uvs__stream* st) {
  uv_stream_t* h = st->h;
  UVS__ASSERT(h->connection_cb != NULL && uvs__is_active((uv_handle_t*)h),
              "a listening stream is inactive or has no connection callback");
  while (st->sock >= 0 && !closing(h) && st->accepted < 0) {
    int r = net_fault(st, SIM_FOP_ACCEPT, NULL);
    if (r < 0) {
      DELIVER(h, "connection", h->connection_cb(h, r));
      return;   /* a persistent fault must not spin here */
    }
    int c = sim_net_accept(uvs__net(), st->sock);
    if (c == -EAGAIN) return;
    if (c < 0) {
      DELIVER(h, "connection", h->connection_cb(h, c));
      return;
    }
    st->accepted = c;
    h->accepted_fd = c;
    DELIVER(h, "connection", h->connection_cb(h, 0));
  }
}

int uvs__stream_listen(uv_stream_t* s, int backlog, uv_connection_cb cb) {
  uvs__stream* st = uvs__st(s);
  int r = sim_net_listen(uvs__net(), st->sock, backlog);
  if (r < 0) return r;
  s->connection_cb = cb;
  st->flags |= UVS__S_LISTENING | UVS__S_BOUND;
  uvs__stream_rearm(st);
  return 0;
}

int uv_listen(uv_stream_t* s, int backlog, uv_connection_cb cb) {
  if (closing(s)) return UV_EINVAL;
  uvs__name_handle((uv_handle_t*)s, (const void*)cb);
  int err;
  switch (s->type) {
  case UV_TCP: err = uvs__tcp_listen((uv_tcp_t*)s, backlog, cb); break;
  case UV_NAMED_PIPE: err = uvs__pipe_listen((uv_pipe_t*)s, backlog, cb); break;
  default: err = UV_EINVAL; break;
  }
  if (err == 0) uvs__handle_start((uv_handle_t*)s);
  return err;
}

int uv_accept(uv_stream_t* server, uv_stream_t* client) {
  UVS__ASSERT(server->loop == client->loop, "uv_accept across two loops");
  uvs__stream* st = uvs__st(server);
  if (st != NULL && (st->flags & UVS__S_REAL)) {
    /* a descriptor received over an IPC pipe */
    if (server->accepted_fd == -1) return UV_EAGAIN;
    if (client->type != UV_TCP && client->type != UV_NAMED_PIPE) return UV_ENOTSUP;
    return uvs__rstream_accept(st, client);
  }
  if (st == NULL || st->accepted < 0) return UV_EAGAIN;
  UVS__ASSERT(st->flags & UVS__S_LISTENING, "a connection waits on a stream that is not listening");
  if (client->type != UV_TCP && client->type != UV_NAMED_PIPE) return UV_EINVAL;
  int err = 0;
  if (uvs__st(client)->sock >= 0) {
    err = UV_EBUSY;
    sim_net_close(uvs__net(), st->accepted, 0);
  } else {
    uvs__stream_attach(client, st->accepted,
                       UVS__S_READABLE | UVS__S_WRITABLE | UVS__S_BOUND);
  }
  st->accepted = -1;
  server->accepted_fd = -1;
  uvs__stream_rearm(st);
  return err;
}

/* ------------------------------------------------------- the io callbacks */

static void stream_io(uv_loop_t* loop, uvs__io* io) {
  (void)loop;
  uvs__stream* st = UVS__QDATA(io, uvs__stream, rd);
  uv_stream_t* h = st->h;
  UVS__ASSERT(uvs__st(h) == st, "an I/O event of a stream whose state is gone");
  st->events = 0;
  if (closing(h) || !has_transport(st)) return;
  /* reading and listening are what make an open stream active */
  UVS__ASSERT(!(st->flags & (UVS__S_READING | UVS__S_LISTENING)) ||
              uvs__is_active((uv_handle_t*)h),
              "a reading or listening stream is not active");
  if (st->flags & UVS__S_LISTENING) {
    server_io(st);
  } else if (h->connect_req) {
    connect_step(st);
  } else {
    unsigned p = poll_events(st);
    if ((st->flags & UVS__S_READING) && (p & SIM_NET_IN)) do_read(st);
    if (closing(h)) return;
    if (!uvs__q_empty(&h->write_queue) && (p & (SIM_NET_OUT | SIM_NET_ERR))) {
      do_write(st);
      write_callbacks(st);
      if (closing(h)) return;
      if (uvs__q_empty(&h->write_queue)) drain(st);
    }
  }
  if (st->flags & UVS__S_REAL) uvs__rstream_consumed(st);   /* the next look says */
  if (!closing(h)) uvs__stream_rearm(st);
}

/* libuv's uv__io_feed: the stream's io callback with POLLOUT, in the next
 * pending phase (finished writes, a shutdown on an empty queue, a connect
 * error known at once). */
static void stream_pending(uv_loop_t* loop, uvs__io* io) {
  (void)loop;
  uvs__stream* st = UVS__QDATA(io, uvs__stream, pend);
  uv_stream_t* h = st->h;
  UVS__ASSERT(uvs__st(h) == st, "a pending event of a stream whose state is gone");
  if (closing(h)) return;
  if (h->connect_req) {
    connect_step(st);
  } else if (has_transport(st)) {
    do_write(st);
    write_callbacks(st);
    if (closing(h)) return;
    if (uvs__q_empty(&h->write_queue)) drain(st);
  }
  if (!closing(h)) uvs__stream_rearm(st);
}

/* -------------------------------------------------------------- closing */

static void stream_close(uv_handle_t* hh) {
  uv_stream_t* h = (uv_stream_t*)hh;
  uvs__stream* st = uvs__st(h);
  uv_read_stop(h);
  uvs__handle_stop(hh);
  st->flags &= ~(UVS__S_READABLE | UVS__S_WRITABLE);
  uvs__io_cancel(h->loop, &st->rd);
  if (st->sock >= 0) {
    sim_net_set_notify(uvs__net(), st->sock, NULL, NULL);
    sim_net_close(uvs__net(), st->sock, (st->flags & UVS__S_RESET) != 0);
    st->sock = -1;
    h->io_watcher.fd = -1;
  }
  if (st->accepted >= 0) {
    sim_net_close(uvs__net(), st->accepted, 0);
    st->accepted = -1;
    h->accepted_fd = -1;
  }
  /* An adopted real socket is closed, as libuv closes what it was given
   * (never stdio); a tty's real descriptor stays open. */
  if (st->real_fd > 2) close(st->real_fd);
  st->real_fd = -1;
  if (st->flags & UVS__S_REAL) uvs__rstream_close(st);
  /* A tty's real descriptor stays open: libuv never closes stdio. */
  st->fd = -1;
  h->io_watcher.fd = -1;
  UVS__ASSERT(!(st->flags & UVS__S_READING) && !st->rd.queued,
              "a closing stream still reads or has a ready event");
  if (h->type == UV_NAMED_PIPE) uvs__pipe_close((uv_pipe_t*)h);
}

/* libuv's uv__stream_destroy, run in the closing phase before close_cb:
 * a pending connect, queued writes and a pending shutdown are cancelled. */
static void stream_finish_close(uv_handle_t* hh) {
  uv_stream_t* h = (uv_stream_t*)hh;
  uvs__stream* st = uvs__st(h);
  if (h->connect_req) {
    uv_connect_t* req = h->connect_req;
    h->connect_req = NULL;
    uvs__req_unregister(h->loop);
    if (req->cb) DELIVER(h, "connect", req->cb(req, UV_ECANCELED));
  }
  flush_write_queue(st, UV_ECANCELED);
  write_callbacks(st);
  if (h->shutdown_req) {
    uv_shutdown_t* req = h->shutdown_req;
    h->shutdown_req = NULL;
    uvs__req_unregister(h->loop);
    if (req->cb) DELIVER(h, "shutdown", req->cb(req, UV_ECANCELED));
  }
  uvs__io_cancel(h->loop, &st->pend);
  uvs__io_cancel(h->loop, &st->rd);
  /* everything queued on the stream was delivered or cancelled above */
  UVS__ASSERT(h->connect_req == NULL && h->shutdown_req == NULL,
              "a closed stream still holds a connect or shutdown request");
  UVS__ASSERT(uvs__q_empty(&h->write_queue) && uvs__q_empty(&h->write_completed_queue),
              "a closed stream still holds write requests");
  UVS__ASSERT(h->write_queue_size == 0, "a closed stream still counts queued bytes");
  h->queued_fds = NULL;
  uvs__wfree(st);
}
