/* tests/echo/echo.c — the echo session of echo.h. The server echoes every
 * chunk as it arrives; the client sends one line, waits for the whole line
 * back (or, naive, for one read), then sends the next. */
#include "echo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#ifdef ECHO_UVSIM
#include "uvsim/world.h"
#endif

typedef struct session {
  uv_tcp_t server, client, conn;
  uv_connect_t creq;
  uv_write_t creqw;
  int naive;
  int sent;                         /* messages sent by the client          */
  char msg[32];
  size_t msglen;
  char acc[64];                     /* the client's reply buffer            */
  size_t acclen;
  char slab[256];
  echo_result* out;
  int closing;
} session;

typedef struct echo_write {
  uv_write_t req;
  char data[256];
} echo_write;

static session S;

static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h; (void)suggested;
  *buf = uv_buf_init(S.slab, sizeof S.slab);
}

static void on_close(uv_handle_t* h) { (void)h; }

static void close_all(void) {
  if (S.closing) return;
  S.closing = 1;
  uv_close((uv_handle_t*)&S.client, on_close);
  uv_close((uv_handle_t*)&S.server, on_close);
}

static void on_echo_written(uv_write_t* req, int status) {
  (void)status;
  free(req);
}

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    echo_write* w = malloc(sizeof *w);
    memcpy(w->data, buf->base, (size_t)n);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
    uv_write(&w->req, s, &b, 1, on_echo_written);
  } else if (n < 0) {
    uv_close((uv_handle_t*)s, on_close);
  }
}

static void on_connection(uv_stream_t* srv, int status) {
  if (status < 0) return;
  uv_tcp_init(srv->loop, &S.conn);
  if (uv_accept(srv, (uv_stream_t*)&S.conn) == 0)
    uv_read_start((uv_stream_t*)&S.conn, on_alloc, server_read);
}

static void send_next(void);

static void on_sent(uv_write_t* req, int status) {
  (void)req; (void)status;
}

static void note_read(ssize_t n) {
  size_t len = strlen(S.out->pattern);
  snprintf(S.out->pattern + len, sizeof S.out->pattern - len, "%s%zd",
           len ? "," : "", n);
  S.out->reads++;
}

static void reply_done(const char* data, size_t len) {
  if (len != S.msglen || memcmp(data, S.msg, len) != 0) S.out->ok = 0;
  S.out->replies++;
  send_next();
}

static void client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)s;
  if (n < 0) { close_all(); return; }
  if (n == 0) return;
  note_read(n);
  if (S.naive) {
    /* The bug: one read is taken for one whole reply. */
    int whole = (size_t)n == S.msglen && memcmp(buf->base, S.msg, S.msglen) == 0;
#ifdef ECHO_UVSIM
    UVSIM_CHECK(whole, "reply %d arrived in pieces: read %zd of %zu bytes",
                S.out->replies + 1, n, S.msglen);
#endif
    if (!whole) S.out->ok = 0;
    reply_done(buf->base, (size_t)n);
    return;
  }
  memcpy(S.acc + S.acclen, buf->base, (size_t)n);
  S.acclen += (size_t)n;
  char* nl = memchr(S.acc, '\n', S.acclen);
  if (nl) {
    size_t len = (size_t)(nl - S.acc) + 1;
    reply_done(S.acc, len);
    memmove(S.acc, S.acc + len, S.acclen - len);
    S.acclen -= len;
  }
}

static void send_next(void) {
  if (S.sent == ECHO_MESSAGES) { close_all(); return; }
  S.sent++;
  S.msglen = (size_t)snprintf(S.msg, sizeof S.msg, "message-%d\n", S.sent);
  uv_buf_t b = uv_buf_init(S.msg, (unsigned)S.msglen);
  uv_write(&S.creqw, (uv_stream_t*)&S.client, &b, 1, on_sent);
}

static void on_connect(uv_connect_t* req, int status) {
  if (status < 0) { close_all(); return; }
  uv_read_start(req->handle, on_alloc, client_read);
  send_next();
}

void echo_session(int naive, echo_result* out) {
  memset(&S, 0, sizeof S);
  memset(out, 0, sizeof *out);
  out->ok = 1;
  S.naive = naive;
  S.out = out;
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  uv_tcp_init(loop, &S.server);
  uv_tcp_bind(&S.server, (const struct sockaddr*)&addr, 0);
  uv_listen((uv_stream_t*)&S.server, 8, on_connection);
  int len = sizeof addr;
  uv_tcp_getsockname(&S.server, (struct sockaddr*)&addr, &len);
  uv_tcp_init(loop, &S.client);
  uv_tcp_connect(&S.creq, &S.client, (const struct sockaddr*)&addr, on_connect);
  uv_run(loop, UV_RUN_DEFAULT);
}
