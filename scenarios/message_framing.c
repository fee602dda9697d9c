/* scenarios/message_framing.c — a TCP client that takes one read for one
 * message (plain libuv API).
 *
 * The server speaks length-prefixed frames (4-byte big-endian length, then
 * the payload): it sends "hello" when the client connects and "world" 1 ms
 * later, then shuts down. The buggy client parses each read as one frame
 * (header, payload, and nothing else); the fixed client appends reads to a
 * buffer and takes out every complete frame.
 *
 * Invariant: the client receives exactly the messages "hello", "world", in
 * that order.
 *
 * The bug: TCP is a byte stream. On an idle loopback each write arrives as
 * one read, so the naive client works. A read that returns part of a frame
 * (read_split) or a first frame delayed until the second one has caught up
 * with it (net_latency: both arrive in one read) breaks it: one decision.
 */
#include "scn.h"

#define MF_MSGS 2
#define MF_BUF 64

typedef struct mf_write {
  uv_write_t req;
  char data[16];
} mf_write;

static struct {
  int fixed;
  uv_tcp_t server, conn, client;
  uv_connect_t connect_req;
  uv_shutdown_t shutdown_req;
  uv_timer_t second;
  mf_write writes[MF_MSGS];
  char slab[MF_BUF];
  char acc[MF_BUF];       /* fixed: bytes not yet framed          */
  size_t acclen;
  char got[MF_MSGS + 1][8];
  int ngot;
  int closed;
} mf;

static const char* const mf_msgs[MF_MSGS] = { "hello", "world" };

static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h, (void)suggested;
  *buf = uv_buf_init(mf.slab, sizeof mf.slab);
}

static void on_closed(uv_handle_t* h) {
  (void)h;
  mf.closed++;
}

/* ---- server */

static void server_wrote(uv_write_t* req, int status) {
  (void)req, (void)status;
}

static void server_send(int i) {
  mf_write* w = &mf.writes[i];
  size_t len = strlen(mf_msgs[i]);
  w->data[0] = w->data[1] = w->data[2] = 0;
  w->data[3] = (char)len;
  memcpy(w->data + 4, mf_msgs[i], len);
  uv_buf_t b = uv_buf_init(w->data, (unsigned)(4 + len));
  int rc = uv_write(&w->req, (uv_stream_t*)&mf.conn, &b, 1, server_wrote);
  UVSIM_CHECK(rc == 0, "server write: %s", uv_err_name(rc));
}

static void server_shut(uv_shutdown_t* req, int status) {
  (void)req, (void)status;
  uv_close((uv_handle_t*)&mf.conn, on_closed);
  uv_close((uv_handle_t*)&mf.server, on_closed);
}

static void send_second(uv_timer_t* t) {
  uv_close((uv_handle_t*)t, on_closed);
  server_send(1);
  uv_shutdown(&mf.shutdown_req, (uv_stream_t*)&mf.conn, server_shut);
}

static void on_connection(uv_stream_t* srv, int status) {
  UVSIM_CHECK(status == 0, "connection: %s", uv_err_name(status));
  if (status != 0) return;
  uv_tcp_init(srv->loop, &mf.conn);
  int rc = uv_accept(srv, (uv_stream_t*)&mf.conn);
  UVSIM_CHECK(rc == 0, "accept: %s", uv_err_name(rc));
  server_send(0);
  uv_timer_init(srv->loop, &mf.second);
  uv_timer_start(&mf.second, send_second, 1, 0);
}

/* ---- client */

static void deliver(const char* payload, size_t len) {
  if (mf.ngot <= MF_MSGS) {
    size_t n = len < sizeof mf.got[0] - 1 ? len : sizeof mf.got[0] - 1;
    memcpy(mf.got[mf.ngot], payload, n);
    mf.got[mf.ngot][n] = '\0';
  }
  mf.ngot++;
}

static size_t frame_len(const char* p) {
  return ((size_t)(unsigned char)p[0] << 24) | ((size_t)(unsigned char)p[1] << 16) |
         ((size_t)(unsigned char)p[2] << 8) | (size_t)(unsigned char)p[3];
}

/* buggy: one read is one frame */
static void naive_read(const char* data, size_t n) {
  if (n < 4) {
    deliver("", 0);   /* a truncated header: garbage message */
    return;
  }
  size_t len = frame_len(data);
  deliver(data + 4, len <= n - 4 ? len : n - 4);
}

/* fixed: buffer, then take out every complete frame */
static void framed_read(const char* data, size_t n) {
  if (mf.acclen + n > sizeof mf.acc) n = sizeof mf.acc - mf.acclen;
  memcpy(mf.acc + mf.acclen, data, n);
  mf.acclen += n;
  while (mf.acclen >= 4 && mf.acclen >= 4 + frame_len(mf.acc)) {
    size_t len = frame_len(mf.acc);
    deliver(mf.acc + 4, len);
    memmove(mf.acc, mf.acc + 4 + len, mf.acclen - 4 - len);
    mf.acclen -= 4 + len;
  }
}

static void client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n < 0) {
    uv_close((uv_handle_t*)s, on_closed);
    return;
  }
  if (n == 0) return;
  if (mf.fixed) framed_read(buf->base, (size_t)n);
  else naive_read(buf->base, (size_t)n);
}

static void on_connect(uv_connect_t* req, int status) {
  UVSIM_CHECK(status == 0, "connect: %s", uv_err_name(status));
  if (status != 0) {
    uv_close((uv_handle_t*)req->handle, on_closed);
    return;
  }
  uv_read_start(req->handle, on_alloc, client_read);
}

static void message_framing(int fixed) {
  memset(&mf, 0, sizeof mf);
  mf.fixed = fixed;
  uv_loop_t* loop = scn_begin();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 7000, &addr);
  uv_tcp_init(loop, &mf.server);
  int rc = uv_tcp_bind(&mf.server, (const struct sockaddr*)&addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t*)&mf.server, 8, on_connection);
  UVSIM_CHECK(rc == 0, "listen: %s", uv_err_name(rc));
  uv_tcp_init(loop, &mf.client);
  uv_tcp_connect(&mf.connect_req, &mf.client, (const struct sockaddr*)&addr, on_connect);
  if (scn_run()) {
    UVSIM_CHECK(mf.ngot == MF_MSGS, "client got %d messages instead of %d "
                "(a read was taken for one message)", mf.ngot, MF_MSGS);
    for (int i = 0; i < MF_MSGS && i < mf.ngot; i++)
      UVSIM_CHECK(strcmp(mf.got[i], mf_msgs[i]) == 0,
                  "message %d differs from the one sent (a read was taken for one "
                  "message)", i + 1);
  }
  scn_end();
}

static void message_framing_buggy(void) { message_framing(0); }
static void message_framing_fixed(void) { message_framing(1); }

UVSIM_SCENARIO(message_framing, buggy, message_framing_buggy,
               .description = "libuv TCP client takes one read for one framed message",
               .invariant = "the client receives exactly the messages sent, in order",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(message_framing, fixed, message_framing_fixed,
               .description = "libuv TCP client buffers and takes out complete frames",
               .invariant = "the client receives exactly the messages sent, in order",
               .expect = UVSIM_EXPECT_CLEAN);
