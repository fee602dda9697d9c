/* Child processes as libuv 1.44 gives them on Linux: a child's output read
 * through a UV_CREATE_PIPE stdout, its exit status and terminating signal,
 * input written to its stdin (cat), stderr on its own pipe with stdout
 * ignored, uv_process_kill and uv_kill to its pid, and the errors of bad
 * input: a missing file (ENOENT from uv_spawn itself), a missing cwd, a
 * pipe container that is not a pipe, an inherited fd of -1. Each child runs
 * to its end before the next starts; what the program saw is printed when
 * both its exit and the end of its output have come, so the order in which
 * the two arrive (open on a real machine) does not show. Pids are the
 * kernel's: only "pid > 0" is printed. */
#include <signal.h>
#include <string.h>

#include "net.h"

static uv_loop_t* loop;
static uv_process_t proc;
static uv_pipe_t out, in, err;
static char got_out[4096], got_err[4096];
static size_t nout, nerr;
static int64_t exit_status = -1;
static int term_signal = -1;
static int out_eof, err_eof;

static void on_exit_cb(uv_process_t* p, int64_t status, int sig) {
  exit_status = status;
  term_signal = sig;
  uv_close((uv_handle_t*)p, NULL);
}

static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  int is_err = s == (uv_stream_t*)&err;
  if (n > 0) {
    char* dst = is_err ? got_err : got_out;
    size_t* len = is_err ? &nerr : &nout;
    if (*len + (size_t)n < sizeof got_out) {
      memcpy(dst + *len, buf->base, (size_t)n);
      *len += (size_t)n;
    }
  } else if (n < 0) {
    if (n != UV_EOF) printf("read error %s\n", uv_err_name((int)n));
    if (is_err) err_eof = 1;
    else out_eof = 1;
    uv_close((uv_handle_t*)s, NULL);
  }
}

static void reset(void) {
  nout = nerr = 0;
  exit_status = -1;
  term_signal = -1;
  out_eof = err_eof = 0;
}

static void report(const char* name) {
  printf("%s: exit %lld signal %d out [%.*s] err [%.*s] eof %d/%d\n", name,
         (long long)exit_status, term_signal, (int)nout, got_out, (int)nerr, got_err,
         out_eof, err_eof);
}

/* Spawns argv with stdin (a pipe when `input`), stdout and stderr (pipes when
 * asked, else ignored), writes `input`, runs the loop to its end. */
static int run_child(const char* name, char** argv, const char* input, int pipe_out,
                     int pipe_err, const char* cwd) {
  reset();
  uv_stdio_container_t stdio[3];
  memset(stdio, 0, sizeof stdio);
  stdio[0].flags = UV_IGNORE;
  if (input) {
    uv_pipe_init(loop, &in, 0);
    stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
    stdio[0].data.stream = (uv_stream_t*)&in;
  }
  stdio[1].flags = UV_IGNORE;
  if (pipe_out) {
    uv_pipe_init(loop, &out, 0);
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t*)&out;
  }
  stdio[2].flags = UV_IGNORE;
  if (pipe_err) {
    uv_pipe_init(loop, &err, 0);
    stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[2].data.stream = (uv_stream_t*)&err;
  }
  uv_process_options_t o;
  memset(&o, 0, sizeof o);
  o.file = argv[0];
  o.args = argv;
  o.exit_cb = on_exit_cb;
  o.stdio = stdio;
  o.stdio_count = 3;
  o.cwd = cwd;
  int r = uv_spawn(loop, &proc, &o);
  printf("%s: spawn %s\n", name, r ? uv_err_name(r) : "0");
  if (r == 0) printf("%s: pid > 0 %d, readable %d writable %d\n", name,
                     uv_process_get_pid(&proc) > 0,
                     pipe_out ? uv_is_readable((uv_stream_t*)&out) : -1,
                     input ? uv_is_writable((uv_stream_t*)&in) : -1);
  if (r != 0) uv_close((uv_handle_t*)&proc, NULL);
  if (pipe_out) uv_read_start((uv_stream_t*)&out, alloc_cb, on_read);
  if (pipe_err) uv_read_start((uv_stream_t*)&err, alloc_cb, on_read);
  if (input) {
    static uv_write_t w;
    uv_buf_t b = uv_buf_init((char*)input, (unsigned)strlen(input));
    int wr = uv_write(&w, (uv_stream_t*)&in, &b, 1, NULL);
    printf("%s: write %s\n", name, wr ? uv_err_name(wr) : "0");
    uv_close((uv_handle_t*)&in, NULL);   /* the child reads to its end */
  }
  return r;
}

static void kill_later(uv_timer_t* t) {
  int pid = uv_process_get_pid(&proc);
  printf("uv_kill(pid, 0) %d\n", uv_kill(pid, 0));
  printf("uv_process_kill TERM %d\n", uv_process_kill(&proc, SIGTERM));
  uv_close((uv_handle_t*)t, NULL);
}

int main(void) {
  loop = uv_default_loop();

  char* echo[] = { "/bin/echo", "hello", "world", NULL };
  run_child("echo", echo, NULL, 1, 0, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  report("echo");

  char* status[] = { "/bin/sh", "-c", "printf abc; exit 3", NULL };
  run_child("exit3", status, NULL, 1, 0, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  report("exit3");

  char* cat[] = { "/bin/cat", NULL };
  run_child("cat", cat, "ping\npong\n", 1, 0, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  report("cat");

  char* errout[] = { "/bin/sh", "-c", "echo to-out; echo to-err >&2", NULL };
  run_child("stderr", errout, NULL, 0, 1, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  report("stderr");

  char* selfkill[] = { "/bin/sh", "-c", "kill -TERM $$", NULL };
  run_child("selfkill", selfkill, NULL, 0, 0, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  report("selfkill");

  char* sleeper[] = { "/bin/sleep", "10", NULL };
  run_child("sleep", sleeper, NULL, 0, 0, NULL);
  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_timer_start(&t, kill_later, 10, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  report("sleep");
  printf("after exit: uv_process_kill %s\n", uv_err_name(uv_process_kill(&proc, SIGTERM)));

  char* missing[] = { "/no/such/program", NULL };
  run_child("missing", missing, NULL, 1, 0, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  report("missing");

  char* pathless[] = { "no-such-program-anywhere", NULL };
  run_child("pathless", pathless, NULL, 0, 0, NULL);
  uv_run(loop, UV_RUN_DEFAULT);

  run_child("badcwd", echo, NULL, 0, 0, "/no/such/dir");
  uv_run(loop, UV_RUN_DEFAULT);

  /* a pipe container that holds a tcp handle; an inherited fd of -1 */
  uv_tcp_t tcp;
  uv_tcp_init(loop, &tcp);
  uv_stdio_container_t bad[2];
  bad[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
  bad[0].data.stream = (uv_stream_t*)&tcp;
  bad[1].flags = UV_INHERIT_FD;
  bad[1].data.fd = -1;
  uv_process_options_t o;
  memset(&o, 0, sizeof o);
  o.file = "/bin/echo";
  o.args = echo;
  o.stdio = bad;
  o.stdio_count = 1;
  int r = uv_spawn(loop, &proc, &o);
  printf("pipe onto tcp: %s\n", uv_err_name(r));
  uv_close((uv_handle_t*)&proc, NULL);
  static uv_process_t proc2;
  o.stdio = bad + 1;
  r = uv_spawn(loop, &proc2, &o);
  printf("inherit fd -1: %s\n", uv_err_name(r));
  uv_close((uv_handle_t*)&proc2, NULL);
  uv_close((uv_handle_t*)&tcp, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  printf("uv_kill to no child: %s\n", uv_err_name(uv_kill(999999, 0)));
  printf("loop close %d\n", uv_loop_close(loop));
  return 0;
}
