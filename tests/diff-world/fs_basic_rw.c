/* Open/write/read/close, synchronously and through the loop. */
#include "diff.h"

static uv_fs_t open_req, write_req, read_req, close_req;
static char rbuf[64];
static uv_buf_t wb, rb;

static void on_close(uv_fs_t* req) {
  show("async close", (int)req->result);
  uv_fs_req_cleanup(req);
}

static void on_read(uv_fs_t* req) {
  printf("async read: %zd '%.*s'\n", req->result, (int)req->result, rbuf);
  uv_fs_req_cleanup(req);
  uv_fs_close(req->loop, &close_req, (uv_file)open_req.result, on_close);
}

static void on_write(uv_fs_t* req) {
  printf("async write: %zd\n", req->result);
  uv_fs_req_cleanup(req);
  rb = uv_buf_init(rbuf, sizeof rbuf);
  uv_fs_read(req->loop, &read_req, (uv_file)open_req.result, &rb, 1, 0, on_read);
}

static void on_open(uv_fs_t* req) {
  printf("async open: %s type=%d\n", req->result >= 0 ? "fd" : uv_err_name((int)req->result),
         req->fs_type == UV_FS_OPEN);
  wb = uv_buf_init("async data", 10);
  uv_fs_write(req->loop, &write_req, (uv_file)req->result, &wb, 1, -1, on_write);
}

int main(void) {
  mktmp();
  uv_loop_t* loop = uv_default_loop();
  uv_fs_t req;
  int fd = uv_fs_open(NULL, &req, P("sync.txt"), UV_FS_O_RDWR | UV_FS_O_CREAT, 0644, NULL);
  printf("sync open result matches: %d\n", fd >= 0 && req.result == fd);
  uv_fs_req_cleanup(&req);
  uv_buf_t b = uv_buf_init("hello world", 11);
  printf("sync write: %d\n", uv_fs_write(NULL, &req, fd, &b, 1, -1, NULL));
  uv_fs_req_cleanup(&req);
  char buf[32] = {0};
  uv_buf_t r = uv_buf_init(buf, 5);
  printf("sync pread@6: %d '%s'\n", uv_fs_read(NULL, &req, fd, &r, 1, 6, NULL), buf);
  uv_fs_req_cleanup(&req);
  /* Two buffers in one read. */
  char a1[4] = {0}, a2[8] = {0};
  uv_buf_t two[2] = { uv_buf_init(a1, 3), uv_buf_init(a2, 7) };
  printf("sync readv: %d '%s' '%s'\n", uv_fs_read(NULL, &req, fd, two, 2, 0, NULL), a1, a2);
  uv_fs_req_cleanup(&req);
  show("sync close", uv_fs_close(NULL, &req, fd, NULL));
  uv_fs_req_cleanup(&req);
  show("close again", uv_fs_close(NULL, &req, fd, NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_open(loop, &open_req, P("async.txt"), UV_FS_O_RDWR | UV_FS_O_CREAT | UV_FS_O_TRUNC, 0600, on_open);
  finish(loop);
  uv_fs_req_cleanup(&open_req);
  printf("file: '%s'\n", get("async.txt"));
  rmtmp();
  return 0;
}
