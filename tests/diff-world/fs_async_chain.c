/* A chain of async operations, each started from the previous callback, and
 * a batch of independent stats whose results are printed in request order
 * once all completed (their completion order is the pool's business). */
#include "diff.h"

static uv_loop_t* loop;
static uv_fs_t reqs[6];
static int step, done;
static const char* names[6] = { "a", "b", "missing", "dir", "c", "nope" };
static int results[6];

static void next(uv_fs_t* req);

static void on_stat(uv_fs_t* req) {
  results[req - reqs] = (int)req->result;
  uv_fs_req_cleanup(req);
  if (++done == 6)
    for (int i = 0; i < 6; i++) printf("stat %s: %s\n", names[i], results[i] < 0 ? uv_err_name(results[i]) : "OK");
}

static void next(uv_fs_t* req) {
  if (req) {
    printf("step %d type %d: %s\n", step, req->fs_type,
           req->result < 0 ? uv_err_name((int)req->result) : "OK");
    uv_fs_req_cleanup(req);
    free(req);
  }
  uv_fs_t* r = malloc(sizeof *r);
  switch (step++) {
  case 0: uv_fs_mkdir(loop, r, P("dir"), 0755, next); break;
  case 1: uv_fs_mkdir(loop, r, P("dir/sub"), 0755, next); break;
  case 2: uv_fs_rename(loop, r, P("dir/sub"), P("dir/moved"), next); break;
  case 3: uv_fs_rmdir(loop, r, P("dir/moved"), next); break;
  case 4: uv_fs_unlink(loop, r, P("dir/none"), next); break;
  case 5: uv_fs_symlink(loop, r, "a", P("c"), 0, next); break;
  case 6: uv_fs_lstat(loop, r, P("c"), next); break;
  default:
    free(r);
    for (int i = 0; i < 6; i++) uv_fs_stat(loop, &reqs[i], P(names[i]), on_stat);
  }
}

int main(void) {
  mktmp();
  put("a", "1");
  put("b", "2");
  loop = uv_default_loop();
  next(NULL);
  finish(loop);
  rmtmp();
  return 0;
}
