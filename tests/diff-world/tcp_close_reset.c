/* uv_tcp_close_reset: the peer's read gets ECONNRESET. */
#include "net.h"

static uv_tcp_t server, client, conn;
static uv_connect_t creq;

static void on_close(uv_handle_t* h) {
  printf("closed %s\n", h == (uv_handle_t*)&client ? "client" : h == (uv_handle_t*)&conn ? "conn" : "server");
}

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)buf;
  if (n > 0) { printf("server read %zd\n", n); return; }
  if (n < 0) {
    printf("server read %s\n", uv_err_name((int)n));
    uv_close((uv_handle_t*)s, on_close);
    uv_close((uv_handle_t*)&server, on_close);
  }
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_read_start((uv_stream_t*)&conn, alloc_cb, server_read);
}

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  show("close_reset", uv_tcp_close_reset((uv_tcp_t*)req->handle, on_close));
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
