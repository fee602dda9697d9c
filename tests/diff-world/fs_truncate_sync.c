/* ftruncate (grow and shrink), fsync, fdatasync. */
#include "diff.h"

static uv_file fd;

static void on_sync(uv_fs_t* req) {
  printf("async %s: %s\n", req->fs_type == UV_FS_FSYNC ? "fsync" : "fdatasync",
         req->result < 0 ? uv_err_name((int)req->result) : "OK");
  int again = req->fs_type == UV_FS_FSYNC;
  uv_fs_req_cleanup(req);
  if (again) uv_fs_fdatasync(req->loop, req, fd, on_sync);
}

int main(void) {
  mktmp();
  uv_fs_t req;
  put("f", "0123456789");
  fd = uv_fs_open(NULL, &req, P("f"), UV_FS_O_RDWR, 0, NULL);
  uv_fs_req_cleanup(&req);
  show("ftruncate 4", uv_fs_ftruncate(NULL, &req, fd, 4, NULL));
  uv_fs_req_cleanup(&req);
  printf("after shrink: '%s'\n", get("f"));
  show("ftruncate 8", uv_fs_ftruncate(NULL, &req, fd, 8, NULL));
  uv_fs_req_cleanup(&req);
  if (uv_fs_fstat(NULL, &req, fd, NULL) == 0) printf("size: %llu\n", (unsigned long long)req.statbuf.st_size);
  uv_fs_req_cleanup(&req);
  char buf[16];
  uv_buf_t b = uv_buf_init(buf, sizeof buf);
  int n = uv_fs_read(NULL, &req, fd, &b, 1, 0, NULL);
  uv_fs_req_cleanup(&req);
  printf("read %d, zero tail: %d\n", n, n == 8 && buf[4] == 0 && buf[7] == 0);
  show("fsync", uv_fs_fsync(NULL, &req, fd, NULL));
  uv_fs_req_cleanup(&req);
  show("fdatasync", uv_fs_fdatasync(NULL, &req, fd, NULL));
  uv_fs_req_cleanup(&req);
  int ro = uv_fs_open(NULL, &req, P("f"), UV_FS_O_RDONLY, 0, NULL);
  uv_fs_req_cleanup(&req);
  show("ftruncate read-only fd", uv_fs_ftruncate(NULL, &req, ro, 0, NULL));
  uv_fs_req_cleanup(&req);
  show("write read-only fd", uv_fs_write(NULL, &req, ro, &b, 1, 0, NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, ro, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_fsync(uv_default_loop(), &req, fd, on_sync);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
