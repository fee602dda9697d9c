/* tests/fuzz/exec_isolation_prog.c — programs that try to get out of `uvsim
 * exec`'s hands (tests/fuzz/exec_isolation.sh), built against the real
 * libuv and run unchanged:
 *   fork     forks a child that sleeps 60 s, in its own session too, then ends
 *   hog      allocates and touches memory until something stops it
 *   closer   closes every descriptor above 2 before its loop starts
 *   segv     dereferences NULL in a timer callback */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

static const char* mode;

static void on_timer(uv_timer_t* t) {
  if (!strcmp(mode, "fork")) {
    if (fork() == 0) {
      setsid();                 /* out of the run's process group as well */
      sleep(60);
      _exit(0);
    }
    if (fork() == 0) {
      sleep(60);
      _exit(0);
    }
  } else if (!strcmp(mode, "hog")) {
    for (size_t i = 0; i < 64 * 1024; i++) {   /* up to 64 GB, 1 MB at a time */
      char* p = malloc(1 << 20);
      if (!p) break;
      memset(p, 1, 1 << 20);
    }
  } else if (!strcmp(mode, "segv")) {
    volatile int* p = NULL;
    *p = 1;
  }
  uv_close((uv_handle_t*)t, NULL);
}

int main(int argc, char** argv) {
  mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "closer"))
    for (int fd = 3; fd < 1024; fd++) close(fd);
  uv_timer_t t;
  uv_timer_init(uv_default_loop(), &t);
  uv_timer_start(&t, on_timer, 1, 0);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
  printf("%s: done\n", mode);
  return 0;
}
