/* tests/fuzz/exec_child_prog.c — an ordinary libuv program (real libuv
 * headers, never told about uvsim) whose run depends on a real child's
 * output: it spawns `/bin/sh -c 'echo $$'`, whose pid differs run by run,
 * prints what it read and fails (exit 1) when the pid is odd. A replay is
 * exact only if it hands the recorded output back instead of running the
 * child again (exec_child_replay.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static uv_process_t proc;
static uv_pipe_t out;
static char got[64];
static size_t ngot;

static void on_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char slab[256];
  (void)h, (void)size;
  *buf = uv_buf_init(slab, sizeof slab);
}

static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    size_t k = (size_t)n < sizeof got - 1 - ngot ? (size_t)n : sizeof got - 1 - ngot;
    memcpy(got + ngot, buf->base, k);
    ngot += k;
  } else if (n < 0) {
    uv_close((uv_handle_t*)s, NULL);
  }
}

static void on_child_exit(uv_process_t* p, int64_t status, int sig) {
  (void)status, (void)sig;
  uv_close((uv_handle_t*)p, NULL);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  char* args[] = { "/bin/sh", "-c", "echo $$", NULL };
  uv_stdio_container_t stdio[3];
  uv_pipe_init(loop, &out, 0);
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*)&out;
  stdio[2].flags = UV_IGNORE;
  uv_process_options_t opt;
  memset(&opt, 0, sizeof opt);
  opt.file = args[0];
  opt.args = args;
  opt.exit_cb = on_child_exit;
  opt.stdio = stdio;
  opt.stdio_count = 3;
  int rc = uv_spawn(loop, &proc, &opt);
  if (rc) {
    fprintf(stderr, "spawn: %s\n", uv_strerror(rc));
    return 2;
  }
  uv_read_start((uv_stream_t*)&out, on_alloc, on_read);
  uv_run(loop, UV_RUN_DEFAULT);
  got[ngot] = '\0';
  printf("child said %s", got);
  long pid = strtol(got, NULL, 10);
  if (pid % 2) {
    fprintf(stderr, "odd pid %ld\n", pid);
    return 1;
  }
  return 0;
}
