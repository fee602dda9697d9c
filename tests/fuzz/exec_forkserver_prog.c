/* tests/fuzz/exec_forkserver_prog.c — an ordinary libuv program (built
 * against the real libuv) for the fork server's tests: three pool jobs
 * whose completion order it prints, after a line printed before uv_run
 * (which every forked run must print too).
 *   order    prints the order, exits 0
 *   crash    aborts when job b completes before job a
 *   ignchld  the same, with SIGCHLD ignored (a fork server must still see
 *            its children end)
 *   hang     sleeps for real, for ever, when b completes before a
 *   decide   sends a UDP datagram before uv_run: a decision (its latency)
 *            before the fork point, so no fork server
 *   thread   starts a thread of its own before uv_run: no fork server
 *   random   draws uv_random bytes before uv_run: no fork server
 *   fileno   asks uv_fileno of a bound tcp handle before uv_run: a
 *            simulated socket's number, no socket of the program's own,
 *            so the fork server serves */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

static const char* mode;
static char order[8];
static size_t norder;
static uv_work_t jobs[3];
static uv_sem_t sem;

static void work(uv_work_t* req) { (void)req; }

static void after(uv_work_t* req, int status) {
  (void)status;
  order[norder++] = (char)('a' + (req - jobs));
  if (norder == 2 && order[0] == 'b') {
    if (!strcmp(mode, "crash") || !strcmp(mode, "ignchld")) {
      fprintf(stderr, "exec_forkserver_prog: b before a\n");
      abort();
    }
    if (!strcmp(mode, "hang"))
      for (;;) pause();
  }
}

static void on_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf,
                    const struct sockaddr* from, unsigned flags) {
  (void)buf, (void)from, (void)flags;
  if (n > 0) uv_close((uv_handle_t*)h, NULL);
}

static void on_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char mem[64];
  (void)h, (void)size;
  *buf = uv_buf_init(mem, sizeof mem);
}

/* A datagram to ourselves, sent at once: its latency is decided now. */
static void decide_now(uv_loop_t* loop) {
  static uv_udp_t rx, tx;
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 47001, &addr);
  uv_udp_init(loop, &rx);
  uv_udp_bind(&rx, (const struct sockaddr*)&addr, 0);
  uv_udp_recv_start(&rx, on_alloc, on_recv);
  uv_udp_init(loop, &tx);
  uv_buf_t b = uv_buf_init("x", 1);
  if (uv_udp_try_send(&tx, &b, 1, (const struct sockaddr*)&addr) < 0)
    fprintf(stderr, "exec_forkserver_prog: try_send failed\n");
  uv_close((uv_handle_t*)&tx, NULL);
}

static void thread_main(void* arg) {
  (void)arg;
  uv_sem_wait(&sem);
}

int main(int argc, char** argv) {
  mode = argc > 1 ? argv[1] : "order";
  uv_loop_t* loop = uv_default_loop();
  printf("started %s\n", mode);             /* buffered: stdout is a file */
  uv_thread_t tid;
  if (!strcmp(mode, "decide")) decide_now(loop);
  if (!strcmp(mode, "ignchld")) signal(SIGCHLD, SIG_IGN);
  if (!strcmp(mode, "thread")) {
    uv_sem_init(&sem, 0);
    uv_thread_create(&tid, thread_main, NULL);
  }
  if (!strcmp(mode, "random")) {
    char bytes[4];
    uv_random(NULL, NULL, bytes, sizeof bytes, 0, NULL);
  }
  static uv_tcp_t tcp;
  if (!strcmp(mode, "fileno")) {
    struct sockaddr_in addr;
    uv_os_fd_t fd;
    uv_ip4_addr("127.0.0.1", 47002, &addr);
    uv_tcp_init(loop, &tcp);
    uv_tcp_bind(&tcp, (const struct sockaddr*)&addr, 0);
    if (uv_fileno((uv_handle_t*)&tcp, &fd) != 0)
      fprintf(stderr, "exec_forkserver_prog: no descriptor\n");
  }
  for (int i = 0; i < 3; i++) uv_queue_work(loop, &jobs[i], work, after);
  uv_run(loop, UV_RUN_DEFAULT);
  if (!strcmp(mode, "thread")) {
    uv_sem_post(&sem);
    uv_thread_join(&tid);
  }
  if (!strcmp(mode, "fileno")) {
    uv_close((uv_handle_t*)&tcp, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
  }
  printf("order %.*s\n", (int)norder, order);
  return 0;
}
