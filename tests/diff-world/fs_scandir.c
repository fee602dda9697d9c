/* scandir returns names sorted (strcmp) with their types. */
#include "diff.h"

static void on_scandir(uv_fs_t* req) {
  printf("async scandir: %zd\n", req->result);
  uv_dirent_t ent;
  while (uv_fs_scandir_next(req, &ent) != UV_EOF) printf("  %s %d\n", ent.name, ent.type);
  uv_fs_req_cleanup(req);
}

int main(void) {
  mktmp();
  const char* names[] = { "zeta", "Alpha", "beta", "_under", "10", "9" };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) put(names[i], "");
  uv_fs_t req;
  uv_fs_mkdir(NULL, &req, P("dir"), 0755, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_symlink(NULL, &req, "zeta", P("link"), 0, NULL);
  uv_fs_req_cleanup(&req);
  int n = uv_fs_scandir(NULL, &req, P(""), 0, NULL);
  printf("sync scandir: %d\n", n);
  uv_dirent_t ent;
  int r;
  while ((r = uv_fs_scandir_next(&req, &ent)) != UV_EOF) printf("  %s %d\n", ent.name, ent.type);
  uv_fs_req_cleanup(&req);
  show("scandir on file", uv_fs_scandir(NULL, &req, P("zeta"), 0, NULL));
  uv_fs_req_cleanup(&req);
  show("scandir missing", uv_fs_scandir(NULL, &req, P("none"), 0, NULL));
  uv_fs_req_cleanup(&req);
  n = uv_fs_scandir(NULL, &req, P("dir"), 0, NULL);
  printf("empty dir: %d next=%s\n", n, uv_err_name(uv_fs_scandir_next(&req, &ent)));
  uv_fs_req_cleanup(&req);
  uv_fs_scandir(uv_default_loop(), &req, P(""), 0, on_scandir);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
