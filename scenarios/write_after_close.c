/* scenarios/write_after_close.c — an HTTP-style keep-alive client reuses a
 * pooled connection that the server is closing (plain libuv API; the
 * "ECONNRESET / socket hang up on keepAliveTimeout" family of Node bugs).
 *
 * The server answers each request line with "OK\n" and closes a connection
 * that has been idle for 5 ms (keepAliveTimeout). The client sends request
 * 1, and 4 ms after its answer sends request 2 on the same, pooled
 * connection. On end-of-stream it ends its own side, as Node's sockets do
 * (allowHalfOpen = false).
 *
 * Invariant: both requests are answered.
 *
 * The bug: the client writes request 2 without knowing whether the server
 * has started closing. On an idle machine request 2 arrives 1 ms before the
 * idle timeout. If the client's timer runs late (timer_lag) the server
 * closes first: request 2 is written after the peer's FIN (EPIPE: write
 * after end) or reaches a socket that is gone (RST: ECONNRESET). One
 * decision.
 *
 * The fix: a connection that saw end-of-stream or an error leaves the pool,
 * and a request that fails on a reused connection before any byte of its
 * answer is retried once on a fresh connection (safe for an idempotent
 * request, which is what Node's http agent does).
 */
#include "scn.h"

#define WC_PORT 7100
#define WC_IDLE_MS 5
#define WC_REUSE_MS 4
#define WC_CONNS 2
#define WC_REQUESTS 2

typedef struct cconn {
  uv_tcp_t h;
  uv_connect_t creq;
  uv_write_t wreq[WC_REQUESTS];
  uv_shutdown_t sreq;
  char slab[64];
  int sent, answered;
  int dead, closing;
} cconn;

typedef struct sconn {
  uv_tcp_t h;
  uv_timer_t idle;
  uv_write_t wreq[WC_REQUESTS];
  int nwrites;
  int closing;
  char slab[64];
} sconn;

static struct {
  int fixed;
  uv_tcp_t listener;
  sconn s[WC_CONNS];
  int ns;
  cconn c[WC_CONNS];
  int nc;
  uv_timer_t reuse;
  int answered;        /* requests answered, over all connections */
  int retried;
  int done;
} wc;

static const char wc_ok[] = "OK\n";
static const char wc_get[] = "GET /\n";

static void on_closed(uv_handle_t* h) { (void)h; }

static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)suggested;
  char* slab = h->data;
  *buf = uv_buf_init(slab, 64);
}

/* ---- server */

static void server_close(sconn* s) {
  if (s->closing) return;
  s->closing = 1;
  uv_close((uv_handle_t*)&s->h, on_closed);
  uv_close((uv_handle_t*)&s->idle, on_closed);
}

static void idle_timeout(uv_timer_t* t) {
  server_close(t->data);   /* keepAliveTimeout: drop the idle connection */
}

static void server_wrote(uv_write_t* req, int status) { (void)req, (void)status; }

static void server_read(uv_stream_t* st, ssize_t n, const uv_buf_t* buf) {
  sconn* s = (sconn*)st;
  if (n < 0) {
    server_close(s);
    return;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (buf->base[i] != '\n' || s->nwrites == WC_REQUESTS) continue;
    uv_buf_t b = uv_buf_init((char*)wc_ok, sizeof wc_ok - 1);
    uv_write(&s->wreq[s->nwrites++], st, &b, 1, server_wrote);
    uv_timer_start(&s->idle, idle_timeout, WC_IDLE_MS, 0);
  }
}

static void on_connection(uv_stream_t* srv, int status) {
  if (status != 0 || wc.ns == WC_CONNS) return;
  sconn* s = &wc.s[wc.ns++];
  uv_tcp_init(srv->loop, &s->h);
  s->h.data = s->slab;
  uv_timer_init(srv->loop, &s->idle);
  s->idle.data = s;
  if (uv_accept(srv, (uv_stream_t*)&s->h) != 0) {
    server_close(s);
    return;
  }
  uv_read_start((uv_stream_t*)&s->h, on_alloc, server_read);
}

/* ---- client */

static void client_close(cconn* c) {
  c->dead = 1;
  if (c->closing) return;
  c->closing = 1;
  uv_close((uv_handle_t*)&c->h, on_closed);
}

static void finish(void) {
  if (wc.done) return;
  wc.done = 1;
  for (int i = 0; i < wc.nc; i++) client_close(&wc.c[i]);
  uv_close((uv_handle_t*)&wc.listener, on_closed);
}

static cconn* client_connect(void);
static void send_request(cconn* c);

static void request_failed(cconn* c, int err) {
  if (wc.fixed && wc.retried == 0) {
    wc.retried = 1;   /* idempotent: retry once on a fresh connection */
    client_close(c);
    send_request(client_connect());
    return;
  }
  UVSIM_CHECK(0, "request %d failed: %s", wc.answered + 1, uv_err_name(err));
  finish();
}

static void client_wrote(uv_write_t* req, int status) {
  cconn* c = req->data;
  if (status < 0 && c->sent > c->answered && !wc.done) request_failed(c, status);
}

static void send_request(cconn* c) {
  c->wreq[c->sent].data = c;
  uv_buf_t b = uv_buf_init((char*)wc_get, sizeof wc_get - 1);
  int rc = uv_write(&c->wreq[c->sent], (uv_stream_t*)&c->h, &b, 1, client_wrote);
  c->sent++;
  if (rc < 0) request_failed(c, rc);
}

static void reuse_timer(uv_timer_t* t) {
  uv_close((uv_handle_t*)t, on_closed);
  cconn* c = &wc.c[0];
  if (wc.fixed && c->dead) c = client_connect();   /* not from the pool */
  send_request(c);
}

/* Both directions are shut now; the handle itself is closed by whoever
 * drops the connection (finish, a failed request). The buggy pool still
 * holds it: its next write gets EPIPE (write after end). */
static void client_shut(uv_shutdown_t* req, int status) {
  (void)req, (void)status;
}

static void client_read(uv_stream_t* st, ssize_t n, const uv_buf_t* buf) {
  cconn* c = (cconn*)st;
  if (n < 0) {
    int outstanding = c->sent > c->answered;
    if (wc.fixed) c->dead = 1;
    if (n == UV_EOF && !c->closing) {
      /* allowHalfOpen = false: end our side too */
      c->sreq.data = c;
      if (uv_shutdown(&c->sreq, st, client_shut) != 0) client_close(c);
    } else {
      client_close(c);
    }
    if (outstanding && !wc.done) request_failed(c, (int)n);
    return;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (buf->base[i] != '\n') continue;
    c->answered++;
    wc.answered++;
    if (wc.answered == 1) {
      uv_timer_init(scn_loop, &wc.reuse);
      uv_timer_start(&wc.reuse, reuse_timer, WC_REUSE_MS, 0);
    } else if (wc.answered == WC_REQUESTS) {
      finish();
      return;
    }
  }
}

static void client_connected(uv_connect_t* req, int status) {
  cconn* c = req->data;
  if (status < 0) {
    if (!wc.done) request_failed(c, status);
    return;
  }
  uv_read_start((uv_stream_t*)&c->h, on_alloc, client_read);
}

static cconn* client_connect(void) {
  cconn* c = &wc.c[wc.nc++];
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", WC_PORT, &addr);
  uv_tcp_init(scn_loop, &c->h);
  c->h.data = c->slab;
  c->creq.data = c;
  int rc = uv_tcp_connect(&c->creq, &c->h, (const struct sockaddr*)&addr,
                          client_connected);
  UVSIM_CHECK(rc == 0, "connect: %s", uv_err_name(rc));
  return c;
}

static void write_after_close(int fixed) {
  memset(&wc, 0, sizeof wc);
  wc.fixed = fixed;
  uv_loop_t* loop = scn_begin();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", WC_PORT, &addr);
  uv_tcp_init(loop, &wc.listener);
  int rc = uv_tcp_bind(&wc.listener, (const struct sockaddr*)&addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t*)&wc.listener, 8, on_connection);
  UVSIM_CHECK(rc == 0, "listen: %s", uv_err_name(rc));
  send_request(client_connect());
  if (scn_run())
    UVSIM_CHECK(wc.answered == WC_REQUESTS, "%d of %d requests answered", wc.answered,
                WC_REQUESTS);
  scn_end();
}

static void write_after_close_buggy(void) { write_after_close(0); }
static void write_after_close_fixed(void) { write_after_close(1); }

UVSIM_SCENARIO(write_after_close, buggy, write_after_close_buggy,
               .description = "libuv keep-alive client writes on a connection the server is closing",
               .invariant = "every request is answered",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(write_after_close, fixed, write_after_close_fixed,
               .description = "libuv keep-alive client drops ended connections, retries once",
               .invariant = "every request is answered",
               .expect = UVSIM_EXPECT_CLEAN);
