/* stat/lstat/fstat fields a program may rely on. */
#include "diff.h"

static void print_stat(const char* what, const uv_stat_t* s) {
  const char* type = (s->st_mode & 0170000) == 0100000 ? "file"
                   : (s->st_mode & 0170000) == 0040000 ? "dir"
                   : (s->st_mode & 0170000) == 0120000 ? "link" : "other";
  printf("%s: %s perm=%o nlink=%llu", what, type, (unsigned)(s->st_mode & 0777),
         (unsigned long long)s->st_nlink);
  if (strcmp(type, "dir") != 0) printf(" size=%llu", (unsigned long long)s->st_size);
  printf("\n");
}

static void on_stat(uv_fs_t* req) {
  print_stat("async stat", &req->statbuf);
  printf("ptr==&statbuf: %d\n", req->ptr == &req->statbuf);
  uv_fs_req_cleanup(req);
}

int main(void) {
  mktmp();
  uv_fs_t req;
  put("f", "0123456789");
  uv_fs_chmod(NULL, &req, P("f"), 0640, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_mkdir(NULL, &req, P("d"), 0700, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_mkdir(NULL, &req, P("d/sub"), 0755, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_symlink(NULL, &req, "f", P("ln"), 0, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_link(NULL, &req, P("f"), P("hard"), NULL);
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("f"), NULL) == 0) print_stat("stat f", &req.statbuf);
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("d"), NULL) == 0) print_stat("stat d", &req.statbuf);
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("ln"), NULL) == 0) print_stat("stat ln", &req.statbuf);
  uv_fs_req_cleanup(&req);
  if (uv_fs_lstat(NULL, &req, P("ln"), NULL) == 0) print_stat("lstat ln", &req.statbuf);
  uv_fs_req_cleanup(&req);
  uint64_t ino1 = 0, ino2 = 0;
  if (uv_fs_stat(NULL, &req, P("f"), NULL) == 0) ino1 = req.statbuf.st_ino;
  uv_fs_req_cleanup(&req);
  if (uv_fs_stat(NULL, &req, P("hard"), NULL) == 0) ino2 = req.statbuf.st_ino;
  uv_fs_req_cleanup(&req);
  printf("hard link same inode: %d\n", ino1 == ino2 && ino1 != 0);
  int fd = uv_fs_open(NULL, &req, P("f"), UV_FS_O_RDONLY, 0, NULL);
  uv_fs_req_cleanup(&req);
  if (uv_fs_fstat(NULL, &req, fd, NULL) == 0) print_stat("fstat f", &req.statbuf);
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_stat(uv_default_loop(), &req, P("hard"), on_stat);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
