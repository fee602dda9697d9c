/* symlink, readlink, realpath, link, and a symlink loop. */
#include "diff.h"

static void on_readlink(uv_fs_t* req) {
  printf("async readlink: %s '%s'\n", req->result < 0 ? uv_err_name((int)req->result) : "OK",
         req->result == 0 ? (const char*)req->ptr : "");
  uv_fs_req_cleanup(req);
}

int main(void) {
  mktmp();
  uv_fs_t req;
  put("target", "T");
  uv_fs_mkdir(NULL, &req, P("dir"), 0755, NULL);
  uv_fs_req_cleanup(&req);
  show("symlink", uv_fs_symlink(NULL, &req, "target", P("ln"), 0, NULL));
  uv_fs_req_cleanup(&req);
  show("symlink exists", uv_fs_symlink(NULL, &req, "target", P("ln"), 0, NULL));
  uv_fs_req_cleanup(&req);
  if (show("readlink", uv_fs_readlink(NULL, &req, P("ln"), NULL)) == 0)
    printf("  -> '%s'\n", (char*)req.ptr);
  uv_fs_req_cleanup(&req);
  printf("via link: '%s'\n", get("ln"));
  uv_fs_symlink(NULL, &req, "../target", P("dir/up"), 0, NULL);
  uv_fs_req_cleanup(&req);
  if (show("realpath dir/up", uv_fs_realpath(NULL, &req, P("dir/up"), NULL)) == 0)
    printf("  -> '%s'\n", rel((char*)req.ptr));
  uv_fs_req_cleanup(&req);
  if (show("realpath dir/../dir", uv_fs_realpath(NULL, &req, P("dir/../dir"), NULL)) == 0)
    printf("  -> '%s'\n", rel((char*)req.ptr));
  uv_fs_req_cleanup(&req);
  show("realpath missing", uv_fs_realpath(NULL, &req, P("missing"), NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_symlink(NULL, &req, "loop2", P("loop1"), 0, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_symlink(NULL, &req, "loop1", P("loop2"), 0, NULL);
  uv_fs_req_cleanup(&req);
  show("stat loop", uv_fs_stat(NULL, &req, P("loop1"), NULL));
  uv_fs_req_cleanup(&req);
  show("lstat loop", uv_fs_lstat(NULL, &req, P("loop1"), NULL));
  uv_fs_req_cleanup(&req);
  show("open loop", uv_fs_open(NULL, &req, P("loop1"), UV_FS_O_RDONLY, 0, NULL));
  uv_fs_req_cleanup(&req);
  uv_fs_symlink(NULL, &req, "nowhere", P("dangling"), 0, NULL);
  uv_fs_req_cleanup(&req);
  show("stat dangling", uv_fs_stat(NULL, &req, P("dangling"), NULL));
  uv_fs_req_cleanup(&req);
  show("link", uv_fs_link(NULL, &req, P("target"), P("hard"), NULL));
  uv_fs_req_cleanup(&req);
  show("link exists", uv_fs_link(NULL, &req, P("target"), P("hard"), NULL));
  uv_fs_req_cleanup(&req);
  show("unlink link", uv_fs_unlink(NULL, &req, P("ln"), NULL));
  uv_fs_req_cleanup(&req);
  printf("target still: '%s'\n", get("target"));
  uv_fs_readlink(uv_default_loop(), &req, P("dir/up"), on_readlink);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
