/* uv_fs_event and the pool: a watched file written by async uv_fs_write
 * jobs, one at a time, 50 ms apart. The change happens on a worker
 * thread; the watcher's callback comes before the write's own callback
 * (inotify's descriptor is readable before the worker reports back). */
#include "diff.h"

static uv_fs_event_t ev;
static uv_timer_t t;
static uv_fs_t wreq;
static int fd, writes;
static char data[] = "abcdef";

static void on_change(uv_fs_event_t* h, const char* filename, int events, int status) {
  (void)h;
  printf("  event %s %s %d\n", filename, events == UV_CHANGE ? "change" : "rename", status);
}

static void on_step(uv_timer_t* timer);

static void on_write(uv_fs_t* req) {
  printf("  write done: %d\n", (int)req->result);
  uv_fs_req_cleanup(req);
  if (writes < 3) {
    uv_timer_start(&t, on_step, 50, 0);
    return;
  }
  uv_fs_t r;
  uv_fs_close(NULL, &r, fd, NULL);
  uv_fs_req_cleanup(&r);
  uv_close((uv_handle_t*)&ev, NULL);
  uv_close((uv_handle_t*)&t, NULL);
}

static void on_step(uv_timer_t* timer) {
  (void)timer;
  writes++;
  printf("write %d\n", writes);
  uv_buf_t b = uv_buf_init(data, (unsigned)writes);
  uv_fs_write(uv_default_loop(), &wreq, fd, &b, 1, -1, on_write);
}

int main(void) {
  mktmp();
  uv_loop_t* loop = uv_default_loop();
  uv_fs_t req;
  fd = uv_fs_open(NULL, &req, P("f"), UV_FS_O_WRONLY | UV_FS_O_CREAT, 0644, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_event_init(loop, &ev);
  show("start", uv_fs_event_start(&ev, on_change, P("f"), 0));
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_step, 50, 0);
  finish(loop);
  printf("f: '%s'\n", get("f"));
  rmtmp();
  return 0;
}
