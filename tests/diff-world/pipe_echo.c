/* A named pipe server and client exchange a message; errors of bind and
 * connect on paths. */
#include "net.h"

static uv_pipe_t server, client, conn, other, lost;
static uv_connect_t creq, lreq;
static uv_write_t wreq;

static void on_close(uv_handle_t* h) { (void)h; }

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) printf("server read '%.*s'\n", (int)n, buf->base);
  else if (n < 0) {
    printf("server read %s\n", uv_err_name((int)n));
    uv_close((uv_handle_t*)s, on_close);
    uv_close((uv_handle_t*)&server, on_close);
  }
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  uv_pipe_init(s->loop, &conn, 0);
  show("accept", uv_accept(s, (uv_stream_t*)&conn));
  uv_read_start((uv_stream_t*)&conn, alloc_cb, server_read);
}

static void on_written(uv_write_t* req, int status) {
  show("client wrote", status);
  uv_close((uv_handle_t*)req->handle, on_close);
}

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  char name[512];
  size_t len = sizeof name;
  if (uv_pipe_getpeername((uv_pipe_t*)req->handle, name, &len) == 0) printf("peer: %s\n", rel(name));
  uv_buf_t b = uv_buf_init("over the pipe", 13);
  uv_write(&wreq, req->handle, &b, 1, on_written);
}

static void on_lost(uv_connect_t* req, int status) {
  show("connect missing path", status);
  uv_close((uv_handle_t*)req->handle, on_close);
}

int main(void) {
  mktmp();
  uv_loop_t* loop = uv_default_loop();
  uv_pipe_init(loop, &lost, 0);
  uv_pipe_connect(&lreq, &lost, P("nobody"), on_lost);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_pipe_init(loop, &server, 0);
  show("bind", uv_pipe_bind(&server, P("sock")));
  show("listen", uv_listen((uv_stream_t*)&server, 4, on_connection));
  char name[512];
  size_t len = sizeof name;
  if (uv_pipe_getsockname(&server, name, &len) == 0) printf("sockname: %s len=%zu\n", rel(name), len - strlen(diff_base));
  uv_pipe_init(loop, &other, 0);
  show("bind taken path", uv_pipe_bind(&other, P("sock")));
  uv_close((uv_handle_t*)&other, on_close);
  uv_pipe_init(loop, &client, 0);
  uv_pipe_connect(&creq, &client, P("sock"), on_connect);
  finish(loop);
  rmtmp();
  return 0;
}
