/* uv_fs_poll on a file that does not exist yet: ENOENT once, then the
 * file appears (status 0, prev zeroed), grows, and goes away (ENOENT
 * again, prev = its last stat). Changes are 200 ms apart, the interval
 * 20 ms, so each is seen on its own. */
#include "diff.h"

static uv_fs_poll_t poll_h;
static int step, calls;

static void on_poll(uv_fs_poll_t* h, int status, const uv_stat_t* prev, const uv_stat_t* curr) {
  (void)h;
  calls++;
  printf("  poll: %s prev.size=%llu curr.size=%llu prev.nlink=%llu curr.nlink=%llu\n",
         status < 0 ? uv_err_name(status) : "OK", (unsigned long long)prev->st_size,
         (unsigned long long)curr->st_size, (unsigned long long)prev->st_nlink,
         (unsigned long long)curr->st_nlink);
}

static void on_close(uv_handle_t* h) {
  (void)h;
  printf("closed, %d calls\n", calls);
}

static void on_step(uv_timer_t* t) {
  uv_fs_t req;
  step++;
  switch (step) {
  case 1: printf("create\n"); put("f", "abc"); break;
  case 2: printf("grow\n"); put("f", "abcdef"); break;
  case 3:
    printf("unlink\n");
    uv_fs_unlink(NULL, &req, P("f"), NULL);
    uv_fs_req_cleanup(&req);
    break;
  default: {
    char buf[512];
    size_t len = sizeof buf;
    show("getpath", uv_fs_poll_getpath(&poll_h, buf, &len));
    printf("path: %s\n", rel(buf));
    show("stop", uv_fs_poll_stop(&poll_h));
    len = sizeof buf;
    show("getpath stopped", uv_fs_poll_getpath(&poll_h, buf, &len));
    uv_close((uv_handle_t*)&poll_h, on_close);
    uv_close((uv_handle_t*)t, NULL);
    return;
  }
  }
  uv_timer_start(t, on_step, 200, 0);
}

int main(void) {
  mktmp();
  uv_loop_t* loop = uv_default_loop();
  uv_fs_poll_init(loop, &poll_h);
  show("start", uv_fs_poll_start(&poll_h, on_poll, P("f"), 20));
  show("start again", uv_fs_poll_start(&poll_h, on_poll, P("f"), 20));
  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_step, 200, 0);
  finish(loop);
  rmtmp();
  return 0;
}
