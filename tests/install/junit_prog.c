/* tests/install/junit_prog.c — a libuv program for the --junit/--json test,
 * built against the real libuv: two pool jobs, and (argument "buggy") a
 * failure when they finish out of order, with a stderr line full of what
 * XML must escape: <tags>, & "quotes", a control character and a byte that
 * is not UTF-8. */
#include <stdio.h>
#include <string.h>
#include <uv.h>

static char order[3];
static int done;

static void work(uv_work_t* req) { (void)req; }
static void after(uv_work_t* req, int status) {
  (void)status;
  order[done++] = *(const char*)req->data;
}

int main(int argc, char** argv) {
  int buggy = argc > 1 && !strcmp(argv[1], "buggy");
  uv_work_t a, b;
  a.data = "a";
  b.data = "b";
  uv_queue_work(uv_default_loop(), &a, work, after);
  uv_queue_work(uv_default_loop(), &b, work, after);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
  if (buggy && strcmp(order, "ab") != 0) {
    fprintf(stderr, "junit_prog: <order> & \"%s\" \x01 \xff wrong\n", order);
    return 1;
  }
  return 0;
}
