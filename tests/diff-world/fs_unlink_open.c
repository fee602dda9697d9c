/* A file unlinked while open stays readable until closed. */
#include "diff.h"

int main(void) {
  mktmp();
  uv_fs_t req;
  put("f", "still here");
  int fd = uv_fs_open(NULL, &req, P("f"), UV_FS_O_RDONLY, 0, NULL);
  uv_fs_req_cleanup(&req);
  show("unlink", uv_fs_unlink(NULL, &req, P("f"), NULL));
  uv_fs_req_cleanup(&req);
  show("stat after unlink", uv_fs_stat(NULL, &req, P("f"), NULL));
  uv_fs_req_cleanup(&req);
  if (uv_fs_fstat(NULL, &req, fd, NULL) == 0)
    printf("fstat: nlink=%llu size=%llu\n", (unsigned long long)req.statbuf.st_nlink,
           (unsigned long long)req.statbuf.st_size);
  uv_fs_req_cleanup(&req);
  char buf[32] = {0};
  uv_buf_t b = uv_buf_init(buf, sizeof buf);
  printf("read: %d '%s'\n", uv_fs_read(NULL, &req, fd, &b, 1, 0, NULL), buf);
  uv_fs_req_cleanup(&req);
  put("f", "new");
  printf("new file: '%s'\n", get("f"));
  show("close", uv_fs_close(NULL, &req, fd, NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_mkdir(NULL, &req, P("d"), 0755, NULL);
  uv_fs_req_cleanup(&req);
  int dfd = uv_fs_open(NULL, &req, P("d"), UV_FS_O_RDONLY, 0, NULL);
  uv_fs_req_cleanup(&req);
  show("rmdir while open", uv_fs_rmdir(NULL, &req, P("d"), NULL));
  uv_fs_req_cleanup(&req);
  show("read dir fd", uv_fs_read(NULL, &req, dfd, &b, 1, 0, NULL));
  uv_fs_req_cleanup(&req);
  show("close dir fd", uv_fs_close(NULL, &req, dfd, NULL));
  uv_fs_req_cleanup(&req);
  rmtmp();
  return 0;
}
