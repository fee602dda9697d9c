/* One child's pipe handed to another child (Node's `stdio: [p1.stdout]`,
 * UV_INHERIT_STREAM of the program's end), as libuv 1.44 gives it on
 * Linux: `head -n1` reads what `cat` writes, directly; once head has
 * exited the program reads cat's later output from the same pipe itself.
 * And the other way: two children write into a third one's stdin pipe,
 * which the program also writes to. */
#include <string.h>

#include "net.h"

static uv_loop_t* loop;
static uv_process_t cat, head, cat2, w1;
static uv_pipe_t cat_in, cat_out, head_out, cat2_in, cat2_out;
static char got[256];
static size_t ngot;

static int64_t writer_status = -1;

static void on_close_exit(uv_process_t* p, int64_t status, int sig) {
  /* the writer's exit and cat2's echo of its line come in either order */
  if (p == &w1) writer_status = status + 1000 * sig;
  else printf("%s exit %lld %d\n", p == &cat ? "cat" : p == &head ? "head" : "cat2",
              (long long)status, sig);
  uv_close((uv_handle_t*)p, NULL);
}

static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
  const char* who = s == (uv_stream_t*)&head_out ? "head" : s == (uv_stream_t*)&cat_out ? "cat" : "cat2";
  if (n > 0) {
    if (ngot + (size_t)n < sizeof got) memcpy(got + ngot, b->base, (size_t)n);
    ngot += (size_t)n;
    printf("%s said [%.*s]\n", who, (int)n, b->base);
  } else if (n < 0) {
    printf("%s: %s\n", who, uv_err_name((int)n));
    uv_close((uv_handle_t*)s, NULL);
  }
}

static void write_str(uv_pipe_t* p, const char* s) {
  static uv_write_t reqs[8];
  static int next;
  uv_buf_t b = uv_buf_init((char*)s, (unsigned)strlen(s));
  int r = uv_write(&reqs[next++ % 8], (uv_stream_t*)p, &b, 1, NULL);
  if (r) printf("write: %s\n", uv_err_name(r));
}

static int spawn(uv_process_t* p, char** argv, uv_stdio_container_t* stdio) {
  uv_process_options_t o;
  memset(&o, 0, sizeof o);
  o.file = argv[0];
  o.args = argv;
  o.exit_cb = on_close_exit;
  o.stdio = stdio;
  o.stdio_count = 3;
  int r = uv_spawn(loop, p, &o);
  printf("spawn %s: %s\n", argv[0], r ? uv_err_name(r) : "0");
  return r;
}

int main(void) {
  loop = uv_default_loop();
  char* cat_argv[] = { "cat", NULL };
  char* head_argv[] = { "head", "-n1", NULL };

  /* cat | head -n1, then cat's pipe back to the program */
  uv_pipe_init(loop, &cat_in, 0);
  uv_pipe_init(loop, &cat_out, 0);
  uv_pipe_init(loop, &head_out, 0);
  uv_stdio_container_t s1[3] = {
    { .flags = UV_CREATE_PIPE | UV_READABLE_PIPE, .data.stream = (uv_stream_t*)&cat_in },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t*)&cat_out },
    { .flags = UV_IGNORE },
  };
  spawn(&cat, cat_argv, s1);
  uv_stdio_container_t s2[3] = {
    { .flags = UV_INHERIT_STREAM, .data.stream = (uv_stream_t*)&cat_out },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t*)&head_out },
    { .flags = UV_IGNORE },
  };
  spawn(&head, head_argv, s2);
  uv_read_start((uv_stream_t*)&head_out, alloc_cb, on_read);
  write_str(&cat_in, "hello\n");
  /* until head read its line and exited (cat runs on: bounded) */
  for (int i = 0; i < 100000 && (uv_is_active((uv_handle_t*)&head) || ngot < 6); i++)
    uv_run(loop, UV_RUN_ONCE);
  uv_read_start((uv_stream_t*)&cat_out, alloc_cb, on_read);
  write_str(&cat_in, "world\n");
  uv_close((uv_handle_t*)&cat_in, NULL);
  uv_run(loop, UV_RUN_DEFAULT);

  /* sh -c 'echo one' and the program write into cat2's stdin */
  uv_pipe_init(loop, &cat2_in, 0);
  uv_pipe_init(loop, &cat2_out, 0);
  uv_stdio_container_t s3[3] = {
    { .flags = UV_CREATE_PIPE | UV_READABLE_PIPE, .data.stream = (uv_stream_t*)&cat2_in },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t*)&cat2_out },
    { .flags = UV_IGNORE },
  };
  spawn(&cat2, cat_argv, s3);
  uv_read_start((uv_stream_t*)&cat2_out, alloc_cb, on_read);
  char* echo_argv[] = { "/bin/sh", "-c", "echo one", NULL };
  uv_stdio_container_t s4[3] = {
    { .flags = UV_IGNORE },
    { .flags = UV_INHERIT_STREAM, .data.stream = (uv_stream_t*)&cat2_in },
    { .flags = UV_IGNORE },
  };
  ngot = 0;
  spawn(&w1, echo_argv, s4);
  /* until the writer exited and cat2 passed its line on (bounded) */
  for (int i = 0; i < 100000 && (uv_is_active((uv_handle_t*)&w1) || ngot < 4); i++)
    uv_run(loop, UV_RUN_ONCE);
  printf("writer exit %lld\n", (long long)writer_status);
  write_str(&cat2_in, "two\n");
  uv_close((uv_handle_t*)&cat2_in, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  printf("loop close %d\n", uv_loop_close(loop));
  return 0;
}
