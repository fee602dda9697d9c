/* rename over files and directories, and what is left afterwards. */
#include "diff.h"

static void on_rename(uv_fs_t* req) {
  show("async rename", (int)req->result);
  uv_fs_req_cleanup(req);
  printf("b now: '%s' a now: %s\n", get("b"), get("a"));
}

int main(void) {
  mktmp();
  uv_fs_t req;
  put("a", "AAA");
  put("b", "BBBB");
  show("rename a b", uv_fs_rename(NULL, &req, P("a"), P("b"), NULL));
  uv_fs_req_cleanup(&req);
  printf("b: '%s' a: %s\n", get("b"), get("a"));
  uv_fs_mkdir(NULL, &req, P("d1"), 0755, NULL);
  uv_fs_req_cleanup(&req);
  put("d1/inner", "in");
  uv_fs_mkdir(NULL, &req, P("d2"), 0755, NULL);
  uv_fs_req_cleanup(&req);
  show("rename d1 over empty d2", uv_fs_rename(NULL, &req, P("d1"), P("d2"), NULL));
  uv_fs_req_cleanup(&req);
  printf("d2/inner: '%s' d1: %s\n", get("d2/inner"), get("d1/inner"));
  show("rename to same", uv_fs_rename(NULL, &req, P("b"), P("b"), NULL));
  uv_fs_req_cleanup(&req);
  show("rename into dir", uv_fs_rename(NULL, &req, P("b"), P("d2/b"), NULL));
  uv_fs_req_cleanup(&req);
  put("a", "new a");
  uv_fs_rename(uv_default_loop(), &req, P("a"), P("b"), on_rename);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
