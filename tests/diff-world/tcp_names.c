/* getsockname/getpeername agree across the two ends of a connection. */
#include "net.h"

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static int conn_ready, client_ready;

static void on_close(uv_handle_t* h) { (void)h; }

static void compare(void) {
  if (!conn_ready || !client_ready) return;
  struct sockaddr_in cs, cp, ss, sp;
  int len;
  len = sizeof cs; uv_tcp_getsockname(&client, (struct sockaddr*)&cs, &len);
  len = sizeof cp; uv_tcp_getpeername(&client, (struct sockaddr*)&cp, &len);
  len = sizeof ss; uv_tcp_getsockname(&conn, (struct sockaddr*)&ss, &len);
  len = sizeof sp; uv_tcp_getpeername(&conn, (struct sockaddr*)&sp, &len);
  char ip[32];
  uv_ip4_name(&cp, ip, sizeof ip);
  printf("client peer ip %s\n", ip);
  uv_ip4_name(&sp, ip, sizeof ip);
  printf("server peer ip %s\n", ip);
  printf("client sock == server peer: %d\n", cs.sin_port == sp.sin_port && cs.sin_addr.s_addr == sp.sin_addr.s_addr);
  printf("client peer == server sock: %d\n", cp.sin_port == ss.sin_port);
  uv_close((uv_handle_t*)&client, on_close);
  uv_close((uv_handle_t*)&conn, on_close);
  uv_close((uv_handle_t*)&server, on_close);
}

static void on_connection(uv_stream_t* s, int status) {
  show("connection", status);
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  conn_ready = 1;
  compare();
}

static void on_connect(uv_connect_t* req, int status) {
  (void)req;
  show("connect", status);
  client_ready = 1;
  compare();
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  listen_any(loop, &server, on_connection, &addr);
  uv_tcp_init(loop, &client);
  struct sockaddr_in tmp;
  int len = sizeof tmp;
  show("peername before connect", uv_tcp_getpeername(&client, (struct sockaddr*)&tmp, &len));
  uv_tcp_connect(&creq, &client, (const struct sockaddr*)&addr, on_connect);
  finish(loop);
  return 0;
}
