/* loop/stream.h — what loop/stream.c shares with tcp.c and pipe.c: the
 * per-stream state that does not fit in uv_stream_t's private fields (kept
 * behind stream->queued_fds) and the stream operations the two transports
 * build on. The transport is a socket of the simulated network (sim/sim_net.h),
 * or, for a tty (UVS__S_TTY), a real stdio descriptor: writes pass through
 * to it, reads meet the end of input at once (tty.c says why). */
#ifndef UVSIM_LOOP_STREAM_H
#define UVSIM_LOOP_STREAM_H

#include <sys/socket.h>
#include <sys/types.h>

#include "loop/internal.h"
#include "sim/sim_net.h"
#include "loop/world_io.h"

/* Stream state flags (uvs__stream.flags). */
enum {
  UVS__S_READABLE = 0x001,
  UVS__S_WRITABLE = 0x002,
  UVS__S_READING = 0x004,
  UVS__S_SHUTTING = 0x008,
  UVS__S_SHUT = 0x010,
  UVS__S_READ_EOF = 0x020,
  UVS__S_LISTENING = 0x040,
  UVS__S_BOUND = 0x080,
  UVS__S_IPV6 = 0x100,
  UVS__S_RESET = 0x200,          /* close with RST (uv_tcp_close_reset)     */
  UVS__S_NODELAY = 0x400,
  UVS__S_KEEPALIVE = 0x800,
  UVS__S_TTY = 0x1000,           /* a terminal on a real stdio fd (tty.c)   */
  UVS__S_REAL = 0x2000           /* a real descriptor (realstream.c)        */
};

typedef struct uvs__stream {
  uv_stream_t* h;
  int sock;                     /* sim_net id, -1 before the socket exists */
  int fd;                       /* tty (0-2) or UVS__S_REAL: the real
                                   descriptor, the transport; else -1     */
  int real_fd;                  /* a real socket uv_tcp_open adopted (its
                                   simulated twin is `sock`): uv_fileno's
                                   answer, closed with the handle; else -1 */
  unsigned flags;
  unsigned events;              /* readiness reported by the world         */
  uvs__io rd;                   /* poll phase: the world made it ready     */
  uvs__io pend;                 /* pending phase: finished writes, errors  */
  int accepted;                 /* accepted socket waiting for uv_accept   */
  /* its "read" and "write" callbacks' labels, interned once for the
   * handle's label cb_label_of (stream.c, lbl_rw) */
  const char* cb_label_of;
  const char* cb_label[2];
  /* UVS__S_REAL only (realstream.c) */
  unsigned seen;                /* what the last look saw (SIM_NET_*)      */
  uint64_t looks;               /* looks so far: sim_observe's seq         */
  uvs__queue real_q;            /* every real stream, in order of opening  */
  int* rfds;                    /* received descriptors after accepted_fd  */
  unsigned nrfds, caprfds;
} uvs__stream;

static inline uvs__stream* uvs__st(const uv_stream_t* s) {
  return (uvs__stream*)s->queued_fds;
}
static inline sim_net* uvs__net(void) { return sim_net_current(); }

void uvs__stream_init(uv_loop_t* loop, uv_stream_t* s, uv_handle_type type);
/* Creates the socket on first need; `flags` are UVS__S_* to add. */
int uvs__stream_socket(uv_stream_t* s, int family, unsigned flags);
/* Attaches an existing socket (accept, socketpair). */
void uvs__stream_attach(uv_stream_t* s, int sock, unsigned flags);
/* A socket's address into the caller's buffer as libuv does it (tcp.c):
 * cut to *namelen, which then says the full length. Shared with udp.c. */
int uvs__addr_copy_out(const sim_addr* a, struct sockaddr* name, int* namelen);
/* SO_SNDBUF / SO_RCVBUF of a UDP handle (udp.c), for uv_*_buffer_size. */
int uvs__udp_sockbuf(uv_udp_t* handle, int* value, int rcv);
/* The handle's label changed (uvs__name_handle): its I/O and its socket
 * take the new one. */
void uvs__stream_relabel(uv_stream_t* s);
int uvs__stream_connect(uv_connect_t* req, uv_stream_t* s, const sim_addr* to,
                        uv_connect_cb cb);
/* Re-reports readiness the way level-triggered epoll would. */
void uvs__stream_rearm(uvs__stream* st);
/* listen(2) on the stream's socket and start accepting. */
int uvs__stream_listen(uv_stream_t* s, int backlog, uv_connection_cb cb);
/* Transport hooks (tcp.c, pipe.c). */
int uvs__tcp_listen(uv_tcp_t* t, int backlog, uv_connection_cb cb);
int uvs__pipe_listen(uv_pipe_t* p, int backlog, uv_connection_cb cb);
void uvs__pipe_close(uv_pipe_t* p);
/* A real descriptor's transport (realstream.c): opening one (EBUSY when
 * the stream has a transport); whether it waits for the kernel (EEXIST
 * for another handle on the descriptor); what the last look saw and its
 * consumption by the I/O callback; read(2)/recvmsg(2) (-errno, -EAGAIN);
 * one writev(2) or, with send_fd >= 0, sendmsg(2) passing it (UV_ error);
 * shutdown(2); O_NONBLOCK; received descriptors (SCM_RIGHTS) and
 * uv_accept of the first; getsockname/getpeername; closing. */
int uvs__rstream_open(uv_stream_t* s, int fd, unsigned flags);
int uvs__rstream_holds(const uvs__stream* st);
unsigned uvs__rstream_events(const uvs__stream* st);
void uvs__rstream_consumed(uvs__stream* st);
ssize_t uvs__rstream_read(uvs__stream* st, char* buf, size_t len);
ssize_t uvs__rstream_write(uvs__stream* st, const uv_buf_t* bufs, unsigned n, int send_fd);
int uvs__rstream_shutdown(uvs__stream* st);
int uvs__rstream_set_blocking(uvs__stream* st, int blocking);
int uvs__rstream_pending_count(const uvs__stream* st);
int uvs__rstream_accept(uvs__stream* st, uv_stream_t* client);
struct sockaddr_storage;
int uvs__rstream_name(const uvs__stream* st, int peer, struct sockaddr_storage* ss,
                      socklen_t* len);
void uvs__rstream_close(uvs__stream* st);
/* A tty's transport (tty.c): one writev(2) to its real descriptor. */
ssize_t uvs__tty_write(int fd, const uv_buf_t* bufs, unsigned n);

#endif
