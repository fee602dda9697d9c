/* Two listeners on one port; binding a foreign address; option setters. */
#include "net.h"

static uv_tcp_t a, b, c;

static void on_conn(uv_stream_t* s, int status) { (void)s; (void)status; }
static void on_close(uv_handle_t* h) { (void)h; }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  show("listen a", listen_any(loop, &a, on_conn, &addr));
  uv_tcp_init(loop, &b);
  /* libuv reports EADDRINUSE from bind lazily, at listen time. */
  show("bind b same port", uv_tcp_bind(&b, (const struct sockaddr*)&addr, 0));
  show("listen b", uv_listen((uv_stream_t*)&b, 4, on_conn));
  uv_tcp_init(loop, &c);
  struct sockaddr_in far;
  uv_ip4_addr("192.0.2.1", 0, &far);
  show("bind foreign", uv_tcp_bind(&c, (const struct sockaddr*)&far, 0));
  show("nodelay", uv_tcp_nodelay(&a, 1));
  show("keepalive", uv_tcp_keepalive(&a, 1, 60));
  show("simultaneous_accepts", uv_tcp_simultaneous_accepts(&a, 1));
  struct sockaddr_in name;
  int len = sizeof name;
  show("getsockname", uv_tcp_getsockname(&a, (struct sockaddr*)&name, &len));
  char ip[32];
  uv_ip4_name(&name, ip, sizeof ip);
  printf("family=%d ip=%s len=%d port_nonzero=%d\n", name.sin_family, ip, len, name.sin_port != 0);
  len = sizeof name;
  show("getpeername on listener", uv_tcp_getpeername(&a, (struct sockaddr*)&name, &len));
  struct sockaddr_in bad;
  uv_ip4_addr("127.0.0.1", 1, &bad);
  show("bind twice", uv_tcp_bind(&a, (const struct sockaddr*)&bad, 0));
  show("listen no cb? (null cb)", uv_listen((uv_stream_t*)&c, 1, NULL) == 0 ? 0 : UV_EINVAL);
  uv_close((uv_handle_t*)&a, on_close);
  uv_close((uv_handle_t*)&b, on_close);
  uv_close((uv_handle_t*)&c, on_close);
  finish(loop);
  return 0;
}
