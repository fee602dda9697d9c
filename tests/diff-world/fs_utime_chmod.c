/* utime/futime set times; chmod/fchmod; access F_OK and R_OK. */
#include "diff.h"

static void on_utime(uv_fs_t* req) {
  show("async utime", (int)req->result);
  uv_fs_req_cleanup(req);
  if (uv_fs_stat(NULL, req, P("f"), NULL) == 0)
    printf("mtime now: %ld\n", (long)req->statbuf.st_mtim.tv_sec);
  uv_fs_req_cleanup(req);
}

int main(void) {
  mktmp();
  uv_fs_t req;
  put("f", "x");
  show("utime", uv_fs_utime(NULL, &req, P("f"), 1000000000.0, 1200000000.5, NULL));
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("f"), NULL) == 0)
    printf("atime=%ld mtime=%ld mtime_nsec/1e8=%ld\n", (long)req.statbuf.st_atim.tv_sec,
           (long)req.statbuf.st_mtim.tv_sec, (long)(req.statbuf.st_mtim.tv_nsec / 100000000));
  uv_fs_req_cleanup(&req);
  int fd = uv_fs_open(NULL, &req, P("f"), UV_FS_O_RDWR, 0, NULL);
  uv_fs_req_cleanup(&req);
  show("futime", uv_fs_futime(NULL, &req, fd, 5, 6, NULL));
  uv_fs_req_cleanup(&req);
  if (uv_fs_fstat(NULL, &req, fd, NULL) == 0)
    printf("atime=%ld mtime=%ld\n", (long)req.statbuf.st_atim.tv_sec, (long)req.statbuf.st_mtim.tv_sec);
  uv_fs_req_cleanup(&req);
  show("fchmod", uv_fs_fchmod(NULL, &req, fd, 0600, NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("f"), NULL) == 0) printf("mode: %o\n", (unsigned)(req.statbuf.st_mode & 0777));
  uv_fs_req_cleanup(&req);
  show("chmod", uv_fs_chmod(NULL, &req, P("f"), 0751, NULL));
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("f"), NULL) == 0) printf("mode: %o\n", (unsigned)(req.statbuf.st_mode & 0777));
  uv_fs_req_cleanup(&req);
  show("chmod missing", uv_fs_chmod(NULL, &req, P("none"), 0751, NULL));
  uv_fs_req_cleanup(&req);
  show("access F_OK", uv_fs_access(NULL, &req, P("f"), 0, NULL));
  uv_fs_req_cleanup(&req);
  show("access R_OK", uv_fs_access(NULL, &req, P("f"), 4, NULL));
  uv_fs_req_cleanup(&req);
  show("access missing", uv_fs_access(NULL, &req, P("none"), 0, NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_utime(uv_default_loop(), &req, P("f"), 100, 200, on_utime);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
