/* copyfile: contents and mode copied; EXCL; missing source. */
#include "diff.h"

static void on_copy(uv_fs_t* req) {
  show("async copyfile", (int)req->result);
  uv_fs_req_cleanup(req);
  printf("copy2: '%s'\n", get("copy2"));
}

int main(void) {
  mktmp();
  uv_fs_t req;
  put("src", "source contents");
  uv_fs_chmod(NULL, &req, P("src"), 0604, NULL);
  uv_fs_req_cleanup(&req);
  show("copyfile", uv_fs_copyfile(NULL, &req, P("src"), P("dst"), 0, NULL));
  uv_fs_req_cleanup(&req);
  printf("dst: '%s'\n", get("dst"));
  if (uv_fs_stat(NULL, &req, P("dst"), NULL) == 0)
    printf("dst mode: %o\n", (unsigned)(req.statbuf.st_mode & 0777));
  uv_fs_req_cleanup(&req);
  show("copyfile excl", uv_fs_copyfile(NULL, &req, P("src"), P("dst"), UV_FS_COPYFILE_EXCL, NULL));
  uv_fs_req_cleanup(&req);
  put("dst", "a much longer previous content that must vanish");
  show("copyfile over", uv_fs_copyfile(NULL, &req, P("src"), P("dst"), 0, NULL));
  uv_fs_req_cleanup(&req);
  printf("dst: '%s'\n", get("dst"));
  show("copyfile missing", uv_fs_copyfile(NULL, &req, P("none"), P("x"), 0, NULL));
  uv_fs_req_cleanup(&req);
  show("copyfile to self", uv_fs_copyfile(NULL, &req, P("src"), P("src"), 0, NULL));
  uv_fs_req_cleanup(&req);
  printf("src: '%s'\n", get("src"));
  uv_fs_copyfile(uv_default_loop(), &req, P("src"), P("copy2"), 0, on_copy);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
