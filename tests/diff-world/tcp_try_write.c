/* uv_try_write on a connected socket, queue sizes, readable/writable flags,
 * and uv_try_write/uv_write after shutdown. */
#include "net.h"

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_shutdown_t sreq;
static uv_write_t wreq;
static size_t total;

static void on_close(uv_handle_t* h) { (void)h; }

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)buf;
  if (n > 0) total += (size_t)n;
  else if (n < 0) {
    printf("server total %zu then %s\n", total, uv_err_name((int)n));
    uv_close((uv_handle_t*)s, on_close);
    uv_close((uv_handle_t*)&server, on_close);
  }
}

static void on_connection(uv_stream_t* s, int status) {
  (void)status;
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_read_start((uv_stream_t*)&conn, alloc_cb, server_read);
}

static void on_write(uv_write_t* req, int status) {
  (void)req;
  show("write after shutdown cb", status);
}

static void on_shutdown(uv_shutdown_t* req, int status) {
  show("shutdown", status);
  uv_close((uv_handle_t*)req->handle, on_close);
}

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  uv_stream_t* s = req->handle;
  printf("readable=%d writable=%d\n", uv_is_readable(s), uv_is_writable(s));
  uv_buf_t bufs[2] = { uv_buf_init("hello ", 6), uv_buf_init("there", 5) };
  printf("try_write: %d\n", uv_try_write(s, bufs, 2));
  printf("queue: %zu %zu\n", s->write_queue_size, uv_stream_get_write_queue_size(s));
  uv_shutdown(&sreq, s, on_shutdown);
  printf("try_write after shutdown: %s\n", uv_err_name(uv_try_write(s, bufs, 1)));
  show("write after shutdown", uv_write(&wreq, s, bufs, 1, on_write));
  printf("after shutdown writable=%d\n", uv_is_writable(s));
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  listen_any(loop, &server, on_connection, &addr);
  uv_tcp_init(loop, &client);
  printf("fresh readable=%d writable=%d\n", uv_is_readable((uv_stream_t*)&client),
         uv_is_writable((uv_stream_t*)&client));
  uv_tcp_connect(&creq, &client, (const struct sockaddr*)&addr, on_connect);
  finish(loop);
  return 0;
}
