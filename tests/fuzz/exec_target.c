/* tests/fuzz/exec_target.c — an ordinary libuv program for `uvsim exec`,
 * built against the real libuv and never told about uvsim. Two pool jobs
 * finish in either order on a real machine; the program records the order
 * its after-work callbacks ran in.
 *   exec_target buggy   assumes submission order (aborts on "ba")
 *   exec_target fixed   accepts either order
 *   exec_target print   prints the order (for --same-output)
 *   exec_target exit3   exits with status 3 when the order is "ba" */
#include <stdio.h>
#include <stdlib.h>
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
  const char* mode = argc > 1 ? argv[1] : "buggy";
  uv_work_t a, b;
  a.data = "a";
  b.data = "b";
  uv_queue_work(uv_default_loop(), &a, work, after);
  uv_queue_work(uv_default_loop(), &b, work, after);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
  /* Not assert(): the test must fail the same way in a release build. */
  if (!strcmp(mode, "buggy") && strcmp(order, "ab") != 0) {
    fprintf(stderr, "exec_target: assertion failed: jobs finished out of order (%s)\n", order);
    abort();
  }
  if (!strcmp(mode, "print")) printf("%s\n", order);
  if (!strcmp(mode, "exit3") && !strcmp(order, "ba")) {
    fprintf(stderr, "exec_target: b before a\n");
    return 3;
  }
  return 0;
}
