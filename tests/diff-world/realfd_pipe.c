/* uv_fs_* on descriptors the program got from the kernel itself (a
 * pipe(2)): writes of several buffers, reads into several, fstat, async
 * requests, end of file after uv_fs_close of the writer, a second close.
 * libuvsim hands such descriptors to the kernel, as libuv does. */
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"

static int fds[2];
static uv_fs_t wreq, rreq;
static char in[16];
static uv_buf_t rbuf;

static void on_read(uv_fs_t* r) {
  printf("async read: %zd \"%.*s\"\n", r->result, (int)(r->result > 0 ? r->result : 0), in);
  uv_fs_req_cleanup(r);
}

static void on_write(uv_fs_t* r) {
  printf("async write: %zd\n", r->result);
  uv_fs_req_cleanup(r);
  memset(in, 0, sizeof in);
  rbuf = uv_buf_init(in, sizeof in);
  uv_fs_read(r->loop, &rreq, fds[0], &rbuf, 1, -1, on_read);
}

int main(void) {
  uv_fs_t req;
  if (pipe(fds) != 0) return 1;

  uv_buf_t out[3] = { uv_buf_init("ab", 2), uv_buf_init("cde", 3), uv_buf_init("f", 1) };
  printf("write 3 bufs: %d\n", uv_fs_write(NULL, &req, fds[1], out, 3, -1, NULL));
  uv_fs_req_cleanup(&req);

  char a[4] = { 0 }, b[4] = { 0 };
  uv_buf_t two[2] = { uv_buf_init(a, 4), uv_buf_init(b, 4) };
  int n = uv_fs_read(NULL, &req, fds[0], two, 2, -1, NULL);
  printf("read 2 bufs: %d \"%.4s\" \"%.2s\"\n", n, a, b);
  uv_fs_req_cleanup(&req);

  show("fstat", uv_fs_fstat(NULL, &req, fds[0], NULL));
  printf("a fifo: %d\n", S_ISFIFO(req.statbuf.st_mode) ? 1 : 0);
  uv_fs_req_cleanup(&req);

  show("ftruncate a pipe", uv_fs_ftruncate(NULL, &req, fds[1], 0, NULL));
  uv_fs_req_cleanup(&req);

  uv_buf_t x = uv_buf_init("xyz", 3);
  uv_fs_write(uv_default_loop(), &wreq, fds[1], &x, 1, -1, on_write);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);

  show("close writer", uv_fs_close(NULL, &req, fds[1], NULL));
  uv_fs_req_cleanup(&req);
  rbuf = uv_buf_init(in, sizeof in);
  printf("read at eof: %d\n", uv_fs_read(NULL, &req, fds[0], &rbuf, 1, -1, NULL));
  uv_fs_req_cleanup(&req);
  show("close reader", uv_fs_close(NULL, &req, fds[0], NULL));
  uv_fs_req_cleanup(&req);
  show("close again", uv_fs_close(NULL, &req, fds[0], NULL));
  uv_fs_req_cleanup(&req);
  finish(uv_default_loop());
  return 0;
}
