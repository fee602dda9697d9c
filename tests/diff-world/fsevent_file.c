/* uv_fs_event on a file, one change per step: a write, a chmod, a rename
 * over the watched file (its watch ends: the replaced inode is deleted),
 * then a write to the new file (nobody hears it). Steps are timer
 * callbacks 50 ms apart, so the real inotify has delivered one step's
 * events before the next (inotify merges identical unread events: two
 * writes in one step are one callback, on both sides). */
#include "diff.h"

static uv_fs_event_t ev, ev2;
static uv_timer_t step_timer;
static int step;

static const char* ename(int events) {
  return events == UV_CHANGE ? "change" : events == UV_RENAME ? "rename"
         : events == (UV_CHANGE | UV_RENAME) ? "change|rename" : "?";
}

static void on_change(uv_fs_event_t* h, const char* filename, int events, int status) {
  printf("  %s: %s %s status=%d\n", h == &ev ? "ev" : "ev2", filename ? filename : "(null)",
         ename(events), status);
}

static void on_step(uv_timer_t* t) {
  uv_fs_t req;
  step++;
  switch (step) {
  case 1:
    printf("step 1: write twice\n");
    put("f", "one");
    put("f", "two");
    break;
  case 2:
    printf("step 2: chmod\n");
    show("chmod", uv_fs_chmod(NULL, &req, P("f"), 0600, NULL));
    uv_fs_req_cleanup(&req);
    break;
  case 3:
    printf("step 3: second handle, stop the first\n");
    show("start ev2", uv_fs_event_start(&ev2, on_change, P("f"), 0));
    show("stop ev", uv_fs_event_stop(&ev));
    put("f", "three");
    break;
  case 4:
    printf("step 4: rename over f\n");
    put("tmp", "new");
    show("rename", uv_fs_rename(NULL, &req, P("tmp"), P("f"), NULL));
    uv_fs_req_cleanup(&req);
    break;
  case 5:
    printf("step 5: write the new f\n");
    put("f", "four");
    break;
  default:
    printf("done: f='%s' active=%d\n", get("f"), uv_is_active((uv_handle_t*)&ev2));
    uv_close((uv_handle_t*)&ev, NULL);
    uv_close((uv_handle_t*)&ev2, NULL);
    uv_close((uv_handle_t*)t, NULL);
    return;
  }
  uv_timer_start(t, on_step, 50, 0);
}

int main(void) {
  mktmp();
  uv_loop_t* loop = uv_default_loop();
  uv_fs_event_init(loop, &ev);
  uv_fs_event_init(loop, &ev2);
  show("start missing", uv_fs_event_start(&ev, on_change, P("nope"), 0));
  put("f", "zero");
  show("start", uv_fs_event_start(&ev, on_change, P("f"), 0));
  show("start again", uv_fs_event_start(&ev, on_change, P("f"), 0));
  char buf[512];
  size_t len = sizeof buf;
  show("getpath", uv_fs_event_getpath(&ev, buf, &len));
  printf("path: %s len ok: %d\n", rel(buf), len == strlen(buf));
  len = 3;
  show("getpath short", uv_fs_event_getpath(&ev, buf, &len));
  printf("needed ok: %d\n", len == strlen(P("f")) + 1);
  len = sizeof buf;
  show("getpath stopped", uv_fs_event_getpath(&ev2, buf, &len));
  printf("len: %zu\n", len);
  uv_timer_init(loop, &step_timer);
  uv_timer_start(&step_timer, on_step, 50, 0);
  finish(loop);
  rmtmp();
  return 0;
}
