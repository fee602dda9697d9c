/* Closing a socket that has unread data sends RST (Linux): the server's
 * read fails with ECONNRESET instead of seeing EOF. */
#include "net.h"

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t w1;

static void on_close(uv_handle_t* h) { (void)h; }

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)buf;
  if (n > 0) { printf("server read %zd\n", n); return; }
  if (n < 0) {
    printf("server read %s\n", uv_err_name((int)n));
    uv_close((uv_handle_t*)s, on_close);
    uv_close((uv_handle_t*)&server, on_close);
  }
}

static void on_server_wrote(uv_write_t* req, int status) {
  (void)req;
  show("server wrote", status);
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_buf_t b = uv_buf_init("unsolicited", 11);
  uv_write(&w1, (uv_stream_t*)&conn, &b, 1, on_server_wrote);
  uv_read_start((uv_stream_t*)&conn, alloc_cb, server_read);
}

static uv_timer_t timer;

static void on_timer(uv_timer_t* t) {
  printf("client closes with %s unread data\n", "its");
  uv_close((uv_handle_t*)&client, on_close);
  uv_close((uv_handle_t*)t, on_close);
}

static void on_connect(uv_connect_t* req, int status) {
  (void)req;
  show("connect", status);
  /* Never read: by the time the timer fires the server's bytes sit unread
   * in our receive queue, so closing sends RST instead of FIN. */
  uv_timer_init(uv_default_loop(), &timer);
  uv_timer_start(&timer, on_timer, 20, 0);
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
