/* uv_udp_open on the descriptor of another udp handle (Node's
 * dgram bind({ fd }) and dgram._createSocketHandle do this with a raw
 * handle's fd): uv_guess_handle says udp; an idle handle's descriptor may
 * be shared (both handles name the same port, the second sends and
 * receives on it); a reading handle's is UV_EEXIST; a descriptor nobody
 * opened is UV_EBADF. libuvsim said unknown and EBADF: the number of a
 * simulated socket was not a descriptor to uv_udp_open. Ports are the
 * kernel's: never printed. */
#include "net.h"

static uv_udp_t raw, opened, receiver, third;
static uv_udp_send_t sreq, rreq;

static void on_close(uv_handle_t* h) {
  printf("close %s\n", h == (uv_handle_t*)&raw ? "raw" : h == (uv_handle_t*)&opened ? "opened"
                       : h == (uv_handle_t*)&receiver ? "receiver" : "third");
}

static int port_of(const uv_udp_t* h) {
  struct sockaddr_in a;
  int len = sizeof a;
  if (uv_udp_getsockname(h, (struct sockaddr*)&a, &len) != 0) return -1;
  return ntohs(a.sin_port);
}

static void sent(uv_udp_send_t* req, int status) {
  printf("%s: sent %s\n", req == &sreq ? "opened" : "receiver", status ? uv_err_name(status) : "0");
}

static void receiver_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const struct sockaddr* addr,
                          unsigned flags) {
  (void)flags;
  if (n == 0 && addr == NULL) return;
  printf("receiver: got '%.*s'\n", (int)(n > 0 ? n : 0), buf->base);
  uv_buf_t b = uv_buf_init("pong", 4);
  show("receiver: send back", uv_udp_send(&rreq, h, &b, 1, addr, sent));
}

static void opened_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const struct sockaddr* addr,
                        unsigned flags) {
  (void)flags;
  if (n == 0 && addr == NULL) return;
  printf("opened: got '%.*s'\n", (int)(n > 0 ? n : 0), buf->base);
  uv_close((uv_handle_t*)h, on_close);
  uv_close((uv_handle_t*)&receiver, on_close);
  uv_close((uv_handle_t*)&raw, on_close);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", 0, &a);
  uv_udp_init(loop, &raw);
  show("raw: bind", uv_udp_bind(&raw, (const struct sockaddr*)&a, 0));
  uv_os_fd_t fd;
  show("raw: fileno", uv_fileno((uv_handle_t*)&raw, &fd));
  const char* type = uv_handle_type_name(uv_guess_handle(fd));
  printf("guess: %s\n", type ? type : "unknown");

  uv_udp_init(loop, &opened);
  show("open the raw handle's fd", uv_udp_open(&opened, fd));
  show("open it again", uv_udp_open(&opened, fd));
  printf("same port: %d\n", port_of(&opened) == port_of(&raw));

  uv_udp_init(loop, &receiver);
  show("receiver: bind", uv_udp_bind(&receiver, (const struct sockaddr*)&a, 0));
  show("receiver: recv_start", uv_udp_recv_start(&receiver, alloc_cb, receiver_recv));
  uv_os_fd_t rfd;
  uv_fileno((uv_handle_t*)&receiver, &rfd);
  uv_udp_init(loop, &third);
  show("open the reading receiver's fd", uv_udp_open(&third, rfd));
  show("open a descriptor nobody opened", uv_udp_open(&third, 4000));
  uv_close((uv_handle_t*)&third, on_close);

  struct sockaddr_in to;
  int len = sizeof to;
  uv_udp_getsockname(&receiver, (struct sockaddr*)&to, &len);
  show("opened: recv_start", uv_udp_recv_start(&opened, alloc_cb, opened_recv));
  uv_buf_t b = uv_buf_init("ping", 4);
  show("opened: send", uv_udp_send(&sreq, &opened, &b, 1, (const struct sockaddr*)&to, sent));
  uv_run(loop, UV_RUN_DEFAULT);
  printf("done\n");
  return 0;
}
