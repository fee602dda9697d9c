/* Stream calls on a TCP handle after uv_close: real libuv answers from a
 * closed fd (EBADF, ENOTCONN, not readable/writable); uvsim once crashed
 * here because the closed handle's stream state is gone (found by
 * scenarios/write_after_close). */
#include "net.h"

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t wreq;
static uv_shutdown_t sreq;

static void probe(const char* when, uv_stream_t* s) {
  uv_buf_t b = uv_buf_init("x", 1);
  printf("%s: readable=%d writable=%d\n", when, uv_is_readable(s), uv_is_writable(s));
  show("  write", uv_write(&wreq, s, &b, 1, NULL));
  show("  try_write", uv_try_write(s, &b, 1));
  show("  shutdown", uv_shutdown(&sreq, s, NULL));
  show("  read_stop", uv_read_stop(s));
}

static void on_close(uv_handle_t* h) {
  if (h == (uv_handle_t*)&client) probe("after close cb", (uv_stream_t*)h);
  printf("closed %s\n", h == (uv_handle_t*)&client ? "client" : h == (uv_handle_t*)&conn ? "conn" : "server");
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_close((uv_handle_t*)&conn, on_close);
  uv_close((uv_handle_t*)&server, on_close);
}

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  uv_close((uv_handle_t*)req->handle, on_close);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  listen_any(loop, &server, on_connection, &addr);
  uv_tcp_init(loop, &client);
  uv_tcp_connect(&creq, &client, (const struct sockaddr*)&addr, on_connect);
  finish(loop);
  return 0;
}
