/* poll_socketpair: uv_pipe's flags, and uv_poll on a real socketpair the
 * program made itself (uv_socketpair; Python's uvloop makes one for its
 * wake-ups): argument errors, the first
 * callback (writable, nothing to read), data written from a timer, a
 * second handle on the same descriptor, data written by a real thread
 * while the loop has nothing else to wait for (the simulation blocks on
 * the descriptor for real), and the peer's shutdown. Same output on real
 * libuv and on libuvsim. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

static int sv[2];
static uv_poll_t poll_a, poll_b;
static uv_timer_t timer;
static int step, b_ok;
static pthread_t thread;

static void* late_writer(void* arg) {
  (void)arg;
  usleep(30 * 1000);
  if (write(sv[1], "from-thread", 11) != 11) printf("thread write failed\n");
  return NULL;
}

static const char* names(int ev) {
  static char buf[64];
  snprintf(buf, sizeof buf, "%s%s%s%s", ev & UV_READABLE ? "R" : "",
           ev & UV_WRITABLE ? "W" : "", ev & UV_DISCONNECT ? "D" : "",
           ev & UV_PRIORITIZED ? "P" : "");
  return buf;
}

static void on_close(uv_handle_t* h) { printf("closed %s\n", h == (uv_handle_t*)&poll_a ? "a" : "other"); }

static void on_timer(uv_timer_t* t) {
  (void)t;
  printf("timer: write ping\n");
  if (write(sv[1], "ping", 4) != 4) printf("write failed\n");
}

static void on_poll(uv_poll_t* h, int status, int events) {
  char buf[64];
  step++;
  printf("poll %d: status %s events %s\n", step, status ? uv_err_name(status) : "0",
         names(events));
  if (step == 1) {
    /* writable at once; now only read, and write from a timer */
    uv_poll_start(h, UV_READABLE, on_poll);
    uv_timer_start(&timer, on_timer, 10, 0);
    return;
  }
  if (events & UV_READABLE) {
    ssize_t n = read(sv[0], buf, sizeof buf);
    printf("read %d: %.*s\n", (int)n, n > 0 ? (int)n : 0, buf);
    if (n == 0) {
      uv_close((uv_handle_t*)h, on_close);
      return;
    }
  }
  if (step == 2) {
    int r = uv_poll_init(h->loop, &poll_b, sv[0]);
    b_ok = r == 0;
    printf("second init on the same fd: %s\n", r ? uv_err_name(r) : "0");
    pthread_create(&thread, NULL, late_writer, NULL);
  } else if (step == 3) {
    pthread_join(thread, NULL);
    uv_poll_start(h, UV_READABLE | UV_DISCONNECT, on_poll);
    shutdown(sv[1], SHUT_WR);
  }
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  if (uv_socketpair(SOCK_STREAM, 0, sv, 0, 0) != 0) return 1;
  uv_file pp[2];
  printf("uv_pipe: %d\n", uv_pipe(pp, UV_NONBLOCK_PIPE, 0));
  printf("pipe nonblocking: read %d write %d cloexec %d\n",
         (fcntl(pp[0], F_GETFL) & O_NONBLOCK) != 0, (fcntl(pp[1], F_GETFL) & O_NONBLOCK) != 0,
         (fcntl(pp[0], F_GETFD) & FD_CLOEXEC) != 0);
  printf("pipe carries: %d\n", (int)write(pp[1], "x", 1) + (int)read(pp[0], &(char){0}, 1));
  close(pp[0]);
  close(pp[1]);
  int dir = open("/tmp", O_RDONLY);
  uv_poll_t bad;
  printf("init on a directory: %s\n", uv_err_name(uv_poll_init(loop, &bad, dir)));
  close(dir);
  printf("init on a closed fd: %s\n", uv_err_name(uv_poll_init(loop, &bad, 987)));
  printf("init: %d\n", uv_poll_init(loop, &poll_a, sv[0]));
  uv_os_fd_t fd = -1;
  int r = uv_fileno((uv_handle_t*)&poll_a, &fd);
  printf("fileno: %d same %d\n", r, fd == sv[0]);
  printf("nonblocking: %d\n", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0);
  printf("active before start: %d\n", uv_is_active((uv_handle_t*)&poll_a));
  uv_timer_init(loop, &timer);
  printf("start: %d\n", uv_poll_start(&poll_a, UV_READABLE | UV_WRITABLE, on_poll));
  printf("active: %d\n", uv_is_active((uv_handle_t*)&poll_a));
  printf("run: %d\n", uv_run(loop, UV_RUN_DEFAULT));
  uv_close((uv_handle_t*)&timer, NULL);
  if (b_ok) uv_close((uv_handle_t*)&poll_b, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  printf("steps %d\n", step);
  close(sv[0]);
  close(sv[1]);
  return uv_loop_close(loop);
}
