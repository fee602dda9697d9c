/* uv_fs_event on a directory: the filename argument names the entry.
 * Create, write, rename, unlink, a subdirectory made, chmod'ed and
 * removed, and a change to the directory itself; one change per step,
 * steps 50 ms apart (see fsevent_file.c). */
#include "diff.h"

static uv_fs_event_t ev;
static int step;

static const char* ename(int events) {
  return events == UV_CHANGE ? "change" : events == UV_RENAME ? "rename"
         : events == (UV_CHANGE | UV_RENAME) ? "change|rename" : "?";
}

static void on_dir(uv_fs_event_t* h, const char* filename, int events, int status) {
  (void)h;
  printf("  %s %s status=%d\n", filename ? filename : "(null)", ename(events), status);
}

static void on_step(uv_timer_t* t) {
  uv_fs_t req;
  step++;
  switch (step) {
  case 1: printf("create a\n"); put("d/a", "x"); break;
  case 2: printf("write a\n"); put("d/a", "yy"); break;
  case 3:
    printf("rename a b\n");
    uv_fs_rename(NULL, &req, P("d/a"), P("d/b"), NULL);
    uv_fs_req_cleanup(&req);
    break;
  case 4:
    printf("unlink b\n");
    uv_fs_unlink(NULL, &req, P("d/b"), NULL);
    uv_fs_req_cleanup(&req);
    break;
  case 5:
    printf("mkdir sub\n");
    uv_fs_mkdir(NULL, &req, P("d/sub"), 0755, NULL);
    uv_fs_req_cleanup(&req);
    break;
  case 6:
    printf("chmod sub\n");
    uv_fs_chmod(NULL, &req, P("d/sub"), 0700, NULL);
    uv_fs_req_cleanup(&req);
    break;
  case 7:
    printf("rmdir sub\n");
    uv_fs_rmdir(NULL, &req, P("d/sub"), NULL);
    uv_fs_req_cleanup(&req);
    break;
  case 8:
    printf("chmod d\n");
    uv_fs_chmod(NULL, &req, P("d"), 0700, NULL);
    uv_fs_req_cleanup(&req);
    break;
  case 9:
    printf("a file outside d\n");
    put("outside", "z");
    break;
  default:
    printf("done\n");
    uv_close((uv_handle_t*)&ev, NULL);
    uv_close((uv_handle_t*)t, NULL);
    return;
  }
  uv_timer_start(t, on_step, 50, 0);
}

int main(void) {
  mktmp();
  uv_loop_t* loop = uv_default_loop();
  uv_fs_t req;
  uv_fs_mkdir(NULL, &req, P("d"), 0755, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_event_init(loop, &ev);
  show("start recursive", uv_fs_event_start(&ev, on_dir, P("d"), UV_FS_EVENT_RECURSIVE));
  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_step, 50, 0);
  finish(loop);
  rmtmp();
  return 0;
}
