/* O_APPEND, explicit offsets, holes, the file position, reads at EOF. */
#include "diff.h"

int main(void) {
  mktmp();
  uv_fs_t req;
  uv_buf_t b;
  int fd = uv_fs_open(NULL, &req, P("log"), UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_APPEND, 0644, NULL);
  uv_fs_req_cleanup(&req);
  b = uv_buf_init("one,", 4);
  uv_fs_write(NULL, &req, fd, &b, 1, -1, NULL);
  uv_fs_req_cleanup(&req);
  b = uv_buf_init("two,", 4);
  uv_fs_write(NULL, &req, fd, &b, 1, 0, NULL);   /* offset ignored with O_APPEND */
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  printf("log: '%s'\n", get("log"));
  fd = uv_fs_open(NULL, &req, P("holes"), UV_FS_O_RDWR | UV_FS_O_CREAT, 0644, NULL);
  uv_fs_req_cleanup(&req);
  b = uv_buf_init("AB", 2);
  uv_fs_write(NULL, &req, fd, &b, 1, 4, NULL);
  uv_fs_req_cleanup(&req);
  b = uv_buf_init("x", 1);
  uv_fs_write(NULL, &req, fd, &b, 1, -1, NULL);  /* position still 0 */
  uv_fs_req_cleanup(&req);
  char buf[16] = {0};
  uv_buf_t r = uv_buf_init(buf, sizeof buf);
  int n = uv_fs_read(NULL, &req, fd, &r, 1, 0, NULL);
  uv_fs_req_cleanup(&req);
  printf("holes: %d bytes:", n);
  for (int i = 0; i < n; i++) printf(" %02x", (unsigned char)buf[i]);
  printf("\n");
  printf("read at eof: %d\n", uv_fs_read(NULL, &req, fd, &r, 1, 100, NULL));
  uv_fs_req_cleanup(&req);
  printf("read from position: %d\n", uv_fs_read(NULL, &req, fd, &r, 1, -1, NULL));
  uv_fs_req_cleanup(&req);
  uv_buf_t bufs[3] = { uv_buf_init("a", 1), uv_buf_init("bc", 2), uv_buf_init("def", 3) };
  printf("writev: %d\n", uv_fs_write(NULL, &req, fd, bufs, 3, 10, NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("holes"), NULL) == 0) printf("size: %llu\n", (unsigned long long)req.statbuf.st_size);
  uv_fs_req_cleanup(&req);
  fd = uv_fs_open(NULL, &req, P("holes"), UV_FS_O_RDWR | UV_FS_O_TRUNC, 0, NULL);
  uv_fs_req_cleanup(&req);
  if (uv_fs_fstat(NULL, &req, fd, NULL) == 0) printf("after O_TRUNC: %llu\n", (unsigned long long)req.statbuf.st_size);
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  rmtmp();
  return 0;
}
