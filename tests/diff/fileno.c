/* uv_fileno: EINVAL for handle types without a descriptor, EBADF before a
 * tcp or pipe has its socket and once the handle is closing, 0 in between
 * (the number itself differs: uvsim's are the simulated sockets'). */
#include <sys/socket.h>
#include <unistd.h>

#include "d.h"

static void check(const char* what, uv_handle_t* h) {
  uv_os_fd_t fd = -1;
  int r = uv_fileno(h, &fd);
  SAY("%-18s %s%s", what, E(r), r == 0 ? (fd >= 0 ? " fd>=0" : " fd<0") : "");
}

static void timer_cb(uv_timer_t* t) { (void)t; }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_idle_t idle;
  uv_timer_t timer;
  uv_async_t async;
  uv_tcp_t tcp, tcp4;
  uv_pipe_t pipe;
  uv_idle_init(loop, &idle);
  check("idle", (uv_handle_t*)&idle);
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, timer_cb, 1, 0);
  check("timer", (uv_handle_t*)&timer);
  uv_async_init(loop, &async, NULL);
  check("async", (uv_handle_t*)&async);

  uv_tcp_init(loop, &tcp);
  check("tcp init", (uv_handle_t*)&tcp);
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  SAY("tcp bind: %s", E(uv_tcp_bind(&tcp, (const struct sockaddr*)&addr, 0)));
  check("tcp bound", (uv_handle_t*)&tcp);
  uv_tcp_init_ex(loop, &tcp4, AF_INET);
  check("tcp init_ex", (uv_handle_t*)&tcp4);

  char path[64];
  snprintf(path, sizeof path, "/tmp/uvsim-diff-fileno-%d.sock", (int)getpid());
  uv_pipe_init(loop, &pipe, 0);
  check("pipe init", (uv_handle_t*)&pipe);
  SAY("pipe bind: %s", E(uv_pipe_bind(&pipe, path)));
  check("pipe bound", (uv_handle_t*)&pipe);

  uv_handle_t* all[] = { (uv_handle_t*)&idle, (uv_handle_t*)&timer,
                         (uv_handle_t*)&async, (uv_handle_t*)&tcp,
                         (uv_handle_t*)&tcp4, (uv_handle_t*)&pipe };
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
    uv_close(all[i], NULL);
    check("closing", all[i]);
  }
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  check("tcp closed", (uv_handle_t*)&tcp);
  check("pipe closed", (uv_handle_t*)&pipe);
  unlink(path);
  close_loop(loop);
  return 0;
}
