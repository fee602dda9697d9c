/* UDP as libuv 1.44 gives it on loopback: argument errors (bind flags,
 * send without an address on an unconnected socket, with one on a connected
 * socket, connect/disconnect, recv_start twice, getpeername unconnected),
 * a server that echoes, a client that sends three datagrams (one of two
 * buffers) and reads the echoes, the recv_cb(0, NULL) at the end of each
 * read burst, try_send with and without queued sends, a datagram longer than
 * the buffer (UV_UDP_PARTIAL), an empty datagram, a connected client, the
 * handle's active state and send queue, and close with callbacks. Ports are
 * the kernel's: never printed. */
#include <string.h>

#include "net.h"

/* An error code as libuv names it ("0" for success, "+n" for counts). */
static const char* E(int r) {
  static char buf[8][32];
  static int i;
  char* b = buf[i++ % 8];
  if (r < 0) snprintf(b, 32, "%s", uv_err_name(r));
  else snprintf(b, 32, "%d", r);
  return b;
}

static uv_udp_t server, client, conn;
static uv_udp_send_t sreq[8], ereq[8];
static int nsreq, nereq, echoes, conn_got;
static struct sockaddr_in server_addr;
static char small_slab[4];
static int use_small;

static void on_close(uv_handle_t* h) { printf("close %s\n", h == (uv_handle_t*)&server ? "server" : h == (uv_handle_t*)&client ? "client" : "conn"); }

static void alloc_slab(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h;
  if (use_small) *buf = uv_buf_init(small_slab, sizeof small_slab);
  else alloc_cb(h, suggested, buf);
}

static void echo_sent(uv_udp_send_t* req, int status) {
  (void)req;
  printf("server: echo sent %s\n", E(status));
}

static void server_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const struct sockaddr* addr,
                        unsigned flags) {
  if (n == 0 && addr == NULL) {
    printf("server: recv end of burst\n");
    return;
  }
  printf("server: recv %zd '%.*s' flags=%u from %s\n", n, (int)(n > 0 ? n : 0), buf->base, flags,
         addr && addr->sa_family == AF_INET ? "ipv4" : "?");
  if (n < 0) return;
  uv_buf_t b = uv_buf_init(buf->base, (unsigned)n);
  /* the echo goes back through the queue; a second one in the same burst
   * waits behind the first (try_send says EAGAIN then) */
  int r = uv_udp_send(&ereq[nereq++], h, &b, 1, addr, echo_sent);
  printf("server: send %s queue=%zu count=%zu\n", E(r), uv_udp_get_send_queue_size(h),
         uv_udp_get_send_queue_count(h));
}

static void client_sent(uv_udp_send_t* req, int status) {
  printf("client: sent #%d %s\n", (int)(req - sreq), E(status));
}

static void client_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const struct sockaddr* addr,
                        unsigned flags) {
  if (n == 0 && addr == NULL) {
    printf("client: recv end of burst\n");
    return;
  }
  printf("client: echo %zd '%.*s' flags=%u\n", n, (int)(n > 0 ? n : 0), buf->base, flags);
  if (++echoes == 3) {
    printf("client: active=%d\n", uv_is_active((uv_handle_t*)h));
    uv_udp_recv_stop(h);
    printf("client: active after recv_stop=%d\n", uv_is_active((uv_handle_t*)h));
    uv_close((uv_handle_t*)&server, on_close);
    uv_close((uv_handle_t*)h, on_close);
  }
}

static void conn_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const struct sockaddr* addr,
                      unsigned flags) {
  if (n == 0 && addr == NULL) return;
  printf("conn: got %zd flags=%u partial=%d '%.*s'\n", n, flags, (flags & UV_UDP_PARTIAL) != 0,
         (int)n, buf->base);
  if (++conn_got == 1) {
    uv_udp_recv_stop(h);
    uv_close((uv_handle_t*)h, on_close);
  }
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in any;
  uv_ip4_addr("127.0.0.1", 0, &any);
  printf("init_ex bad: %s\n", E(uv_udp_init_ex(loop, &server, 1234)));
  printf("init: %s\n", E(uv_udp_init(loop, &server)));
  printf("bind bad flags: %s\n", E(uv_udp_bind(&server, (const struct sockaddr*)&any, 1024)));
  printf("bind v6only on v4: %s\n",
         E(uv_udp_bind(&server, (const struct sockaddr*)&any, UV_UDP_IPV6ONLY)));
  int len = sizeof server_addr;
  printf("getsockname before: %s\n",
         E(uv_udp_getsockname(&server, (struct sockaddr*)&server_addr, &len)));
  printf("bind: %s\n", E(uv_udp_bind(&server, (const struct sockaddr*)&any, 0)));
  len = sizeof server_addr;
  printf("getsockname: %s\n", E(uv_udp_getsockname(&server, (struct sockaddr*)&server_addr, &len)));
  printf("getpeername: %s\n", E(uv_udp_getpeername(&server, (struct sockaddr*)&any, &len)));
  printf("active before recv: %d\n", uv_is_active((uv_handle_t*)&server));
  printf("recv_start null: %s\n", E(uv_udp_recv_start(&server, NULL, server_recv)));
  printf("recv_start: %s\n", E(uv_udp_recv_start(&server, alloc_slab, server_recv)));
  printf("recv_start again: %s\n", E(uv_udp_recv_start(&server, alloc_slab, server_recv)));
  printf("active: %d\n", uv_is_active((uv_handle_t*)&server));

  uv_udp_init(loop, &client);
  uv_buf_t b = uv_buf_init("x", 1);
  printf("send no addr: %s\n", E(uv_udp_send(&sreq[0], &client, &b, 1, NULL, client_sent)));
  printf("try_send no addr: %s\n", E(uv_udp_try_send(&client, &b, 1, NULL)));
  printf("disconnect unconnected: %s\n", E(uv_udp_connect(&client, NULL)));
  printf("recv_start client: %s\n", E(uv_udp_recv_start(&client, alloc_slab, client_recv)));
  uv_buf_t two[2] = { uv_buf_init("he", 2), uv_buf_init("llo", 3) };
  printf("send 0: %s\n", E(uv_udp_send(&sreq[nsreq++], &client, two, 2,
                                       (const struct sockaddr*)&server_addr, client_sent)));
  printf("try_send while queued: %s\n",
         E(uv_udp_try_send(&client, &b, 1, (const struct sockaddr*)&server_addr)));
  uv_buf_t w = uv_buf_init("world", 5);
  printf("send 1: %s count=%zu\n", E(uv_udp_send(&sreq[nsreq++], &client, &w, 1,
                                                 (const struct sockaddr*)&server_addr, client_sent)),
         uv_udp_get_send_queue_count(&client));
  uv_buf_t empty = uv_buf_init("", 0);
  printf("send empty: %s\n", E(uv_udp_send(&sreq[nsreq++], &client, &empty, 1,
                                           (const struct sockaddr*)&server_addr, client_sent)));
  printf("run 1: %d\n", uv_run(loop, UV_RUN_ONCE));
  printf("run: %d\n", uv_run(loop, UV_RUN_DEFAULT));

  /* a connected socket, and a datagram longer than the buffer */
  uv_udp_init(loop, &server);
  uv_udp_bind(&server, (const struct sockaddr*)&any, 0);
  len = sizeof server_addr;
  uv_udp_getsockname(&server, (struct sockaddr*)&server_addr, &len);
  uv_udp_init(loop, &conn);
  printf("connect: %s\n", E(uv_udp_connect(&conn, (const struct sockaddr*)&server_addr)));
  printf("connect again: %s\n", E(uv_udp_connect(&conn, (const struct sockaddr*)&server_addr)));
  struct sockaddr_in peer;
  len = sizeof peer;
  int pr = uv_udp_getpeername(&conn, (struct sockaddr*)&peer, &len);
  printf("getpeername connected: %s same=%d\n", E(pr), peer.sin_port == server_addr.sin_port);
  printf("send with addr on connected: %s\n",
         E(uv_udp_try_send(&conn, &w, 1, (const struct sockaddr*)&server_addr)));
  printf("try_send connected: %s\n", E(uv_udp_try_send(&conn, &w, 1, NULL)));
  struct sockaddr_in conn_addr;
  len = sizeof conn_addr;
  uv_udp_getsockname(&conn, (struct sockaddr*)&conn_addr, &len);
  use_small = 1;
  uv_udp_recv_start(&conn, alloc_slab, conn_recv);
  uv_buf_t big = uv_buf_init("truncated", 9);
  printf("server to conn: %s\n",
         E(uv_udp_try_send(&server, &big, 1, (const struct sockaddr*)&conn_addr)));
  printf("run 2: %d\n", uv_run(loop, UV_RUN_DEFAULT));
  printf("disconnect: %s\n", E(uv_udp_connect(&conn, NULL)));
  uv_close((uv_handle_t*)&server, on_close);
  printf("run 3: %d\n", uv_run(loop, UV_RUN_DEFAULT));
  printf("loop_close: %s\n", E(uv_loop_close(loop)));
  return 0;
}
