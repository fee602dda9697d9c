/* The error codes of common failures, sync and async. */
#include "diff.h"

static void on_done(uv_fs_t* req) {
  printf("async %d: %s\n", req->fs_type, req->result < 0 ? uv_err_name((int)req->result) : "OK");
  uv_fs_req_cleanup(req);
  free(req);
}

int main(void) {
  mktmp();
  uv_fs_t req;
#define S(name, call) do { show(name, call); uv_fs_req_cleanup(&req); } while (0)
  S("open missing", uv_fs_open(NULL, &req, P("missing"), UV_FS_O_RDONLY, 0, NULL));
  S("mkdir d", uv_fs_mkdir(NULL, &req, P("d"), 0755, NULL));
  S("mkdir d again", uv_fs_mkdir(NULL, &req, P("d"), 0755, NULL));
  S("mkdir nested missing", uv_fs_mkdir(NULL, &req, P("x/y"), 0755, NULL));
  put("d/f", "x");
  S("rmdir nonempty", uv_fs_rmdir(NULL, &req, P("d"), NULL));
  S("rmdir file", uv_fs_rmdir(NULL, &req, P("d/f"), NULL));
  S("unlink dir", uv_fs_unlink(NULL, &req, P("d"), NULL));
  S("open dir for write", uv_fs_open(NULL, &req, P("d"), UV_FS_O_WRONLY, 0, NULL));
  S("open excl existing", uv_fs_open(NULL, &req, P("d/f"), UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_EXCL, 0644, NULL));
  S("open under file", uv_fs_open(NULL, &req, P("d/f/g"), UV_FS_O_RDONLY, 0, NULL));
  S("open O_DIRECTORY on file", uv_fs_open(NULL, &req, P("d/f"), UV_FS_O_RDONLY | UV_FS_O_DIRECTORY, 0, NULL));
  S("stat missing", uv_fs_stat(NULL, &req, P("nope"), NULL));
  S("rename missing", uv_fs_rename(NULL, &req, P("nope"), P("other"), NULL));
  S("rename dir into itself", uv_fs_rename(NULL, &req, P("d"), P("d/sub"), NULL));
  S("mkdir e", uv_fs_mkdir(NULL, &req, P("e"), 0755, NULL));
  S("rename file over dir", uv_fs_rename(NULL, &req, P("d/f"), P("e"), NULL));
  S("rename dir over file", uv_fs_rename(NULL, &req, P("e"), P("d/f"), NULL));
  S("rename dir over nonempty", uv_fs_rename(NULL, &req, P("e"), P("d"), NULL));
  S("readlink on file", uv_fs_readlink(NULL, &req, P("d/f"), NULL));
  S("unlink missing", uv_fs_unlink(NULL, &req, P("nope"), NULL));
  S("ftruncate bad fd", uv_fs_ftruncate(NULL, &req, 987654, 0, NULL));
  S("fstat bad fd", uv_fs_fstat(NULL, &req, 987654, NULL));
  uv_loop_t* loop = uv_default_loop();
  /* Async, chained so that completion order cannot differ. */
  uv_fs_t* a = malloc(sizeof *a);
  uv_fs_stat(loop, a, P("nope"), on_done);
  uv_run(loop, UV_RUN_DEFAULT);
  a = malloc(sizeof *a);
  uv_fs_mkdir(loop, a, P("d"), 0755, on_done);
  uv_run(loop, UV_RUN_DEFAULT);
  a = malloc(sizeof *a);
  uv_fs_rmdir(loop, a, P("d"), on_done);
  finish(loop);
  rmtmp();
  return 0;
}
