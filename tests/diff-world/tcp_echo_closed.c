/* An echo server answers a client that wrote and closed at once: the echo
 * reaches a closed socket (RST comes back). What the server reads next, and
 * what its shutdown gets, is what libuv's echo-server helper meets in
 * tcp_read_stop, tcp_ref4 and tcp_shutdown_after_write. */
#include "net.h"

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t cw, sw;
static uv_shutdown_t sreq;

static void on_close(uv_handle_t* h) { (void)h; }

static void on_shutdown(uv_shutdown_t* req, int status) {
  show("server shutdown", status);
  uv_close((uv_handle_t*)req->handle, on_close);
  uv_close((uv_handle_t*)&server, on_close);
}

static void on_server_wrote(uv_write_t* req, int status) {
  (void)req;
  show("server echo written", status);
}

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    printf("server read %zd\n", n);
    uv_buf_t b = uv_buf_init(buf->base, (unsigned)n);
    show("server echo", uv_write(&sw, s, &b, 1, on_server_wrote));
    return;
  }
  if (n < 0) {
    printf("server read %s\n", uv_err_name((int)n));
    printf("server writable %d\n", uv_is_writable(s));
    if (uv_is_writable(s)) show("server uv_shutdown", uv_shutdown(&sreq, s, on_shutdown));
    else {
      uv_close((uv_handle_t*)s, on_close);
      uv_close((uv_handle_t*)&server, on_close);
    }
  }
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_read_start((uv_stream_t*)&conn, alloc_cb, server_read);
}

static void on_client_wrote(uv_write_t* req, int status) {
  (void)req;
  show("client wrote", status);
  uv_close((uv_handle_t*)&client, on_close);
}

static void on_connect(uv_connect_t* req, int status) {
  (void)req;
  show("connect", status);
  uv_buf_t b = uv_buf_init("PING", 4);
  uv_write(&cw, (uv_stream_t*)&client, &b, 1, on_client_wrote);
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
