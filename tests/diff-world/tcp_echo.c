/* One client, one server, one echo, both sides close cleanly. The order of
 * the callbacks across both sides is part of the output. */
#include "net.h"

static uv_tcp_t server, client, *conn;
static uv_connect_t creq;
static uv_write_t wreq, ereq;

static void on_close(uv_handle_t* h) {
  printf("close %s\n", h == (uv_handle_t*)&server ? "server" : h == (uv_handle_t*)&client ? "client" : "conn");
  if (h == (uv_handle_t*)conn) free(conn);
}

static void on_echo_written(uv_write_t* req, int status) {
  (void)req;
  show("server wrote echo", status);
}

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    printf("server read %zd '%.*s'\n", n, (int)n, buf->base);
    static char copy[64];
    memcpy(copy, buf->base, (size_t)n);
    uv_buf_t b = uv_buf_init(copy, (unsigned)n);
    uv_write(&ereq, s, &b, 1, on_echo_written);
  } else if (n < 0) {
    printf("server read %s\n", uv_err_name((int)n));
    uv_close((uv_handle_t*)s, on_close);
    uv_close((uv_handle_t*)&server, on_close);
  }
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  conn = malloc(sizeof *conn);
  uv_tcp_init(s->loop, conn);
  show("accept", uv_accept(s, (uv_stream_t*)conn));
  uv_read_start((uv_stream_t*)conn, alloc_cb, server_read);
}

static void client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    printf("client read %zd '%.*s'\n", n, (int)n, buf->base);
    uv_close((uv_handle_t*)s, on_close);
  } else if (n < 0) {
    printf("client read %s\n", uv_err_name((int)n));
  }
}

static void on_written(uv_write_t* req, int status) {
  show("client wrote", status);
  printf("write queue after: %zu\n", req->handle->write_queue_size);
}

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  uv_buf_t b = uv_buf_init("ping", 4);
  uv_write(&wreq, req->handle, &b, 1, on_written);
  uv_read_start(req->handle, alloc_cb, client_read);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  show("listen", listen_any(loop, &server, on_connection, &addr));
  uv_tcp_init(loop, &client);
  show("tcp_connect", uv_tcp_connect(&creq, &client, (const struct sockaddr*)&addr, on_connect));
  finish(loop);
  return 0;
}
