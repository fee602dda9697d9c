/* The client writes three messages and shuts down; the server reads them
 * all, sees EOF, answers and closes; the client reads the answer and EOF. */
#include "net.h"

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t w[3], reply;
static uv_shutdown_t sreq;
static size_t got;

static void on_close(uv_handle_t* h) { (void)h; }

static void on_reply(uv_write_t* req, int status) {
  show("reply written", status);
  uv_close((uv_handle_t*)req->handle, on_close);
  uv_close((uv_handle_t*)&server, on_close);
}

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)buf;
  if (n > 0) { got += (size_t)n; return; }
  if (n == 0) return;
  printf("server got %zu bytes then %s\n", got, uv_err_name((int)n));
  printf("server readable=%d writable=%d\n", uv_is_readable(s), uv_is_writable(s));
  uv_buf_t b = uv_buf_init("done", 4);
  uv_write(&reply, s, &b, 1, on_reply);
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_read_start((uv_stream_t*)&conn, alloc_cb, server_read);
}

static void client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) printf("client read '%.*s'\n", (int)n, buf->base);
  else if (n < 0) {
    printf("client read %s\n", uv_err_name((int)n));
    uv_close((uv_handle_t*)s, on_close);
  }
}

static void on_shutdown(uv_shutdown_t* req, int status) {
  show("shutdown", status);
  printf("client readable=%d writable=%d\n", uv_is_readable(req->handle), uv_is_writable(req->handle));
}

static void on_write(uv_write_t* req, int status) {
  printf("write %d: %s\n", (int)(req - w), status ? uv_err_name(status) : "OK");
}

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  static const char* msgs[3] = { "alpha ", "beta ", "gamma" };
  for (int i = 0; i < 3; i++) {
    uv_buf_t b = uv_buf_init((char*)msgs[i], (unsigned)strlen(msgs[i]));
    uv_write(&w[i], req->handle, &b, 1, on_write);
  }
  show("shutdown req", uv_shutdown(&sreq, req->handle, on_shutdown));
  uv_read_start(req->handle, alloc_cb, client_read);
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
