/* 4 MiB in one uv_write and 64 small writes behind it: the write completes
 * once the reader has drained enough (partial writes, writable again), the
 * reader sees every byte in order, then EOF after the shutdown. */
#include "net.h"

#define BULK (4u << 20)

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t big, small[64];
static uv_shutdown_t sreq;
static char* bulk;
static size_t got, reads;
static unsigned char expect;
static int in_order = 1;

static void on_close(uv_handle_t* h) { (void)h; }

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    reads++;
    for (ssize_t i = 0; i < n; i++) {
      if ((unsigned char)buf->base[i] != expect) in_order = 0;
      expect = (unsigned char)(expect + 1) % 251;
    }
    got += (size_t)n;
    return;
  }
  if (n < 0) {
    printf("server got %zu bytes in order=%d, then %s; more than one read: %d\n", got,
           in_order, uv_err_name((int)n), reads > 1);
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

static void on_big(uv_write_t* req, int status) {
  show("big write", status);
  printf("queue after big: %zu\n", req->handle->write_queue_size);
}

static int small_done;
static void on_small(uv_write_t* req, int status) {
  (void)req;
  if (status) show("small write", status);
  if (++small_done == 64) printf("all small writes done\n");
}

static void on_shutdown(uv_shutdown_t* req, int status) {
  show("shutdown", status);
  uv_close((uv_handle_t*)req->handle, on_close);
}

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  uv_buf_t b = uv_buf_init(bulk, BULK);
  uv_write(&big, req->handle, &b, 1, on_big);
  printf("queue nonempty after big uv_write: %d\n", req->handle->write_queue_size > 0);
  static char tail[64][16];
  for (int i = 0; i < 64; i++) {
    size_t off = BULK + (size_t)i * 16;
    for (int k = 0; k < 16; k++) tail[i][k] = (char)((off + (size_t)k) % 251);
    uv_buf_t t = uv_buf_init(tail[i], 16);
    uv_write(&small[i], req->handle, &t, 1, on_small);
  }
  uv_shutdown(&sreq, req->handle, on_shutdown);
}

int main(void) {
  bulk = malloc(BULK);
  for (size_t i = 0; i < BULK; i++) bulk[i] = (char)(i % 251);
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  listen_any(loop, &server, on_connection, &addr);
  uv_tcp_init(loop, &client);
  uv_tcp_connect(&creq, &client, (const struct sockaddr*)&addr, on_connect);
  finish(loop);
  free(bulk);
  return 0;
}
