/* uv_fs_write to descriptor 1 prints (sync and async): programs use it as
 * their console. */
#include "diff.h"

static uv_fs_t req;

static void on_write(uv_fs_t* r) {
  printf("\nasync write to stdout: %zd\n", r->result);
  fflush(stdout);
  uv_fs_req_cleanup(r);
}

int main(void) {
  fflush(stdout);
  uv_buf_t b = uv_buf_init("hello from uv_fs_write\n", 23);
  int n = uv_fs_write(NULL, &req, 1, &b, 1, -1, NULL);
  uv_fs_req_cleanup(&req);
  printf("sync write to stdout: %d\n", n);
  fflush(stdout);
  uv_buf_t c = uv_buf_init("async line", 10);
  uv_fs_write(uv_default_loop(), &req, 1, &c, 1, -1, on_write);
  finish(uv_default_loop());
  return 0;
}
