/* uv_guess_handle on what a program meets besides stdio: the real
 * descriptors uv_pipe and uv_socketpair make (libuv's ping_pong tests ask,
 * and libuvsim said UV_UNKNOWN_HANDLE), a bound tcp handle's uv_fileno, a
 * descriptor nobody opened. */
#include "net.h"

static void say(const char* what, uv_file fd) {
  printf("%s: %s\n", what, uv_handle_type_name(uv_guess_handle(fd)) ?
         uv_handle_type_name(uv_guess_handle(fd)) : "unknown");
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_file p[2];
  uv_os_sock_t sp[2];
  if (show("uv_pipe", uv_pipe(p, 0, 0)) == 0) {
    say("pipe read end", p[0]);
    say("pipe write end", p[1]);
  }
  if (show("uv_socketpair", uv_socketpair(SOCK_STREAM, 0, sp, 0, 0)) == 0) {
    say("socketpair", sp[0]);
  }
  uv_tcp_t tcp;
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", 0, &a);
  uv_tcp_init(loop, &tcp);
  show("bind", uv_tcp_bind(&tcp, (const struct sockaddr*)&a, 0));
  uv_os_fd_t fd;
  if (show("fileno", uv_fileno((uv_handle_t*)&tcp, &fd)) == 0) say("bound tcp", fd);
  say("never opened", 4000);
  uv_close((uv_handle_t*)&tcp, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}
