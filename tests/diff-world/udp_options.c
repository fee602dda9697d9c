/* UDP socket options: buffer sizes (Linux doubles what it is given) and
 * the argument checks of multicast membership and interface, whose errors
 * come from libuv and the kernel. No valid join: multicast groups are not
 * simulated (libuvsim answers UV_ENOSYS there, docs/loop.md). */
#include "net.h"

static uv_udp_t u, closed;

static void on_close(uv_handle_t* h) { (void)h; }

static void buffer_sizes(void) {
  int v = 10000;
  show("send_buffer_size set", uv_send_buffer_size((uv_handle_t*)&u, &v));
  v = 0;
  show("send_buffer_size get", uv_send_buffer_size((uv_handle_t*)&u, &v));
  printf("sndbuf=%d\n", v);
  v = 6000;
  show("recv_buffer_size set", uv_recv_buffer_size((uv_handle_t*)&u, &v));
  v = 0;
  show("recv_buffer_size get", uv_recv_buffer_size((uv_handle_t*)&u, &v));
  printf("rcvbuf=%d\n", v);
  v = 0;
  show("recv_buffer_size unbound", uv_recv_buffer_size((uv_handle_t*)&closed, &v));
}

static void membership(void) {
  show("join bad group", uv_udp_set_membership(&u, "256.256.256.256", NULL, UV_JOIN_GROUP));
  show("join unicast group", uv_udp_set_membership(&u, "127.0.0.1", NULL, UV_JOIN_GROUP));
  show("join bad membership", uv_udp_set_membership(&u, "239.1.2.3", NULL, (uv_membership)7));
  show("join bad interface", uv_udp_set_membership(&u, "239.1.2.3", "not-an-ip", UV_JOIN_GROUP));
  show("source join bad source",
       uv_udp_set_source_membership(&u, "232.1.2.3", NULL, "nope", UV_JOIN_GROUP));
  show("iface group address", uv_udp_set_multicast_interface(&u, "224.0.0.2"));
  show("iface any", uv_udp_set_multicast_interface(&u, "0.0.0.0"));
  show("iface loopback", uv_udp_set_multicast_interface(&u, "127.0.0.1"));
  show("iface not an address", uv_udp_set_multicast_interface(&u, "undefined"));
  show("iface default", uv_udp_set_multicast_interface(&u, NULL));
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in any;
  uv_ip4_addr("127.0.0.1", 0, &any);
  uv_udp_init(loop, &u);
  uv_udp_init(loop, &closed);
  show("bind", uv_udp_bind(&u, (const struct sockaddr*)&any, 0));
  buffer_sizes();
  membership();
  uv_close((uv_handle_t*)&u, on_close);
  uv_close((uv_handle_t*)&closed, on_close);
  finish(loop);
  return 0;
}
