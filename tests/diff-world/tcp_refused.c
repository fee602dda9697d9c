/* Connecting to a port nobody listens on. */
#include "net.h"

static uv_tcp_t probe, client;
static uv_connect_t creq;

static void on_close(uv_handle_t* h) { printf("closed %s\n", h == (uv_handle_t*)&probe ? "probe" : "client"); }

static void on_connect(uv_connect_t* req, int status) {
  show("connect", status);
  printf("readable=%d writable=%d\n", uv_is_readable(req->handle), uv_is_writable(req->handle));
  uv_close((uv_handle_t*)req->handle, on_close);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  /* Find a free port: bind, read it back, close. */
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", 0, &a);
  uv_tcp_init(loop, &probe);
  show("bind probe", uv_tcp_bind(&probe, (const struct sockaddr*)&a, 0));
  int len = sizeof a;
  uv_tcp_getsockname(&probe, (struct sockaddr*)&a, &len);
  uv_close((uv_handle_t*)&probe, on_close);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_tcp_init(loop, &client);
  show("tcp_connect", uv_tcp_connect(&creq, &client, (const struct sockaddr*)&a, on_connect));
  show("second connect", uv_tcp_connect(&creq, &client, (const struct sockaddr*)&a, on_connect));
  finish(loop);
  return 0;
}
