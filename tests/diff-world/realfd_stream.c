/* realfd_stream: streams on real descriptors (uv_socketpair + uv_pipe_open,
 * uv_tcp_open on a socketpair end, an IPC pipe passing a descriptor).
 * Same output on real libuv and on libuvsim.
 *
 *   1. ping-pong: two pipe handles on the ends of one uv_socketpair, 5
 *      rounds, the pings written vectored (one byte per buffer), the pongs
 *      with uv_try_write; uv_fileno gives the descriptor, the names of a
 *      socketpair end are empty, a second handle on a descriptor another
 *      one reads is EEXIST, uv_stream_set_blocking answers 0;
 *   2. the pinger shuts down: the ponger reads EOF, the shutdown callback
 *      comes, both close;
 *   3. a real thread writes to a uv_tcp_t opened on a socketpair end while
 *      the loop has nothing else to wait for (libuvsim waits for real);
 *   4. IPC: a descriptor sent with uv_write2 over an IPC pipe is received
 *      (uv_pipe_pending_count/_type), accepted, and carries a message. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define ROUNDS 5

static uv_loop_t* loop;
static uv_pipe_t pinger, ponger;
static uv_write_t ping_req;
static uv_shutdown_t shut_req;
static int pongs;
static char pong_acc[64];
static size_t pong_len;

static void alloc_cb(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void)h;
  (void)size;
  static char slab[256];
  *buf = uv_buf_init(slab, sizeof slab);
}

static void on_close(uv_handle_t* h) { printf("closed %s\n", (const char*)h->data); }

static void send_ping(void) {
  static char ping[] = "PING\n";
  uv_buf_t bufs[5];
  for (int i = 0; i < 5; i++) bufs[i] = uv_buf_init(ping + i, 1);
  int r = uv_write(&ping_req, (uv_stream_t*)&pinger, bufs, 5, NULL);
  printf("ping %d: uv_write %d\n", pongs, r);
}

static void on_shutdown(uv_shutdown_t* req, int status) {
  printf("shutdown cb: %s\n", status ? uv_err_name(status) : "0");
  uv_close((uv_handle_t*)req->handle, on_close);
}

static void pinger_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n <= 0) {
    printf("pinger read %s\n", n ? uv_err_name((int)n) : "0");
    return;
  }
  memcpy(pong_acc + pong_len, buf->base, (size_t)n);
  pong_len += (size_t)n;
  if (pong_len < 5) return;
  printf("pong %d: %.4s\n", pongs, pong_acc);
  pong_len = 0;
  if (++pongs < ROUNDS) {
    send_ping();
    return;
  }
  uv_read_stop(s);
  int r = uv_shutdown(&shut_req, s, on_shutdown);
  printf("uv_shutdown: %d\n", r);
}

static char ping_acc[64];
static size_t ping_len;

static void ponger_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n < 0) {
    printf("ponger read %s\n", uv_err_name((int)n));
    uv_close((uv_handle_t*)s, on_close);
    return;
  }
  memcpy(ping_acc + ping_len, buf->base, (size_t)n);
  ping_len += (size_t)n;
  if (ping_len < 5) return;
  ping_len = 0;
  uv_buf_t b = uv_buf_init("PONG\n", 5);
  printf("try_write pong: %d\n", uv_try_write(s, &b, 1));
}

/* ------------------------------------------------------------ part 3 */

static int tsv[2];
static uv_tcp_t tcp;
static pthread_t thread;

static void* late_writer(void* arg) {
  (void)arg;
  usleep(30 * 1000);
  if (write(tsv[1], "from-thread", 11) != 11) printf("thread write failed\n");
  close(tsv[1]);
  return NULL;
}

static void tcp_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n < 0) {
    printf("tcp read %s\n", uv_err_name((int)n));
    pthread_join(thread, NULL);
    uv_close((uv_handle_t*)s, on_close);
    return;
  }
  if (n > 0) printf("tcp read %d: %.*s\n", (int)n, (int)n, buf->base);
}

/* ------------------------------------------------------------ part 4 */

static int isv[2], xsv[2];
static uv_pipe_t ipc_a, ipc_b, sent, got;
static uv_write_t ipc_req;

static void got_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n < 0) {
    printf("accepted read %s\n", uv_err_name((int)n));
    return;
  }
  if (n == 0) return;
  printf("accepted read %d: %.*s\n", (int)n, (int)n, buf->base);
  uv_close((uv_handle_t*)s, on_close);
  uv_close((uv_handle_t*)&ipc_a, on_close);
  uv_close((uv_handle_t*)&ipc_b, on_close);
}

static void ipc_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  uv_pipe_t* p = (uv_pipe_t*)s;
  if (n <= 0) return;
  printf("ipc read %d: %.*s, pending %d (%s)\n", (int)n, (int)n, buf->base,
         uv_pipe_pending_count(p), uv_handle_type_name(uv_pipe_pending_type(p)));
  if (uv_pipe_pending_count(p) == 0) return;
  uv_pipe_init(loop, &got, 0);
  got.data = "accepted";
  int r = uv_accept(s, (uv_stream_t*)&got);
  printf("uv_accept: %d, pending now %d\n", r, uv_pipe_pending_count(p));
  uv_read_stop(s);
  uv_read_start((uv_stream_t*)&got, alloc_cb, got_read);
  if (write(xsv[1], "through-the-passed-fd", 21) != 21) printf("write failed\n");
}

static void ipc_written(uv_write_t* req, int status) {
  (void)req;
  printf("uv_write2 cb: %s\n", status ? uv_err_name(status) : "0");
  uv_close((uv_handle_t*)&sent, on_close);   /* the receiver has its own copy */
}

int main(void) {
  loop = uv_default_loop();
  setvbuf(stdout, NULL, _IONBF, 0);

  /* part 1-2 */
  uv_os_sock_t sv[2];
  if (uv_socketpair(SOCK_STREAM, 0, sv, 0, 0) != 0) return 1;
  uv_pipe_init(loop, &pinger, 0);
  uv_pipe_init(loop, &ponger, 0);
  pinger.data = "pinger";
  ponger.data = "ponger";
  printf("open pinger: %d\n", uv_pipe_open(&pinger, sv[0]));
  printf("open ponger: %d\n", uv_pipe_open(&ponger, sv[1]));
  uv_os_fd_t fd = -1;
  int fr = uv_fileno((uv_handle_t*)&pinger, &fd);
  printf("fileno: %d, same: %d\n", fr, fd == sv[0]);
  char name[64];
  size_t len = sizeof name;
  int r = uv_pipe_getsockname(&pinger, name, &len);
  printf("getsockname: %d, len %d\n", r, (int)len);
  len = sizeof name;
  r = uv_pipe_getpeername(&pinger, name, &len);
  printf("getpeername: %d, len %d\n", r, (int)len);
  printf("readable %d writable %d\n", uv_is_readable((uv_stream_t*)&pinger),
         uv_is_writable((uv_stream_t*)&pinger));
  printf("set_blocking 0: %d\n", uv_stream_set_blocking((uv_stream_t*)&ponger, 0));
  printf("pending count: %d\n", uv_pipe_pending_count(&ponger));
  uv_read_start((uv_stream_t*)&pinger, alloc_cb, pinger_read);
  uv_read_start((uv_stream_t*)&ponger, alloc_cb, ponger_read);
  uv_pipe_t again;
  uv_pipe_init(loop, &again, 0);
  again.data = "again";
  r = uv_pipe_open(&again, sv[1]);
  printf("second open of a reading descriptor: %s\n", r ? uv_err_name(r) : "0");
  uv_close((uv_handle_t*)&again, on_close);
  send_ping();
  printf("run: %d\n", uv_run(loop, UV_RUN_DEFAULT));

  /* part 3 */
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, tsv) != 0) return 1;
  uv_tcp_init(loop, &tcp);
  tcp.data = "tcp";
  printf("tcp_open: %d\n", uv_tcp_open(&tcp, tsv[0]));
  uv_read_start((uv_stream_t*)&tcp, alloc_cb, tcp_read);
  pthread_create(&thread, NULL, late_writer, NULL);
  printf("run: %d\n", uv_run(loop, UV_RUN_DEFAULT));

  /* part 4 */
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, isv) != 0) return 1;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, xsv) != 0) return 1;
  uv_pipe_init(loop, &ipc_a, 1);
  uv_pipe_init(loop, &ipc_b, 1);
  uv_pipe_init(loop, &sent, 0);
  ipc_a.data = "ipc a";
  ipc_b.data = "ipc b";
  sent.data = "sent";
  uv_pipe_open(&ipc_a, isv[0]);
  uv_pipe_open(&ipc_b, isv[1]);
  uv_pipe_open(&sent, xsv[0]);
  uv_buf_t b = uv_buf_init("H", 1);
  r = uv_write2(&ipc_req, (uv_stream_t*)&ipc_a, &b, 1, (uv_stream_t*)&sent, ipc_written);
  printf("uv_write2: %d\n", r);
  r = uv_write2(&ipc_req, (uv_stream_t*)&pinger, &b, 1, (uv_stream_t*)&sent, NULL);
  printf("uv_write2 on a closed handle: %s\n", uv_err_name(r));
  uv_read_start((uv_stream_t*)&ipc_b, alloc_cb, ipc_read);
  printf("run: %d\n", uv_run(loop, UV_RUN_DEFAULT));
  close(xsv[1]);
  printf("loop_close: %d\n", uv_loop_close(loop));
  return 0;
}
