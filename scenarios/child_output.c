/* scenarios/child_output.c — a program that runs a command and acts on its
 * output when the command exits (plain libuv API; the "run git, parse what
 * it printed in the exit handler" family of bugs).
 *
 * The program spawns `/bin/echo ok 42`, reads its stdout through a pipe,
 * and when the child is done parses the answer. The child is scripted
 * (uvsim_child_script: it prints "ok 42\n" and exits 0, with no real
 * process), because a campaign runs the body thousands of times; with
 * UVSIM_REAL_CHILD=1 it is the real /bin/echo (about 20 runs/s here).
 *
 * Invariant: the program parses the whole answer ("ok 42").
 *
 * The bug: the exit callback parses the output collected so far. On an idle
 * machine the pipe's data is read before the exit is reported (the natural
 * run passes), but the kernel may deliver SIGCHLD before the parent reads
 * the pipe: the exit callback then sees nothing, or part of the answer.
 * uvsim reaches it through the `child_event` decisions (when each output
 * chunk and the exit become visible) and the pipe's own net_latency.
 *
 * The fix: parse once both the exit and the pipe's EOF have come.
 */
#include "scn.h"

#include <stdio.h>
#include <stdlib.h>

static struct {
  int fixed;
  uv_process_t proc;
  uv_pipe_t out;
  char buf[64];
  size_t len;
  int exited, eof, parsed;
  char answer[64];
  char slab[64];
} co;

static void on_closed(uv_handle_t* h) { (void)h; }

static void co_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h, (void)suggested;
  *buf = uv_buf_init(co.slab, sizeof co.slab);
}

static void parse(void) {
  co.parsed = 1;
  snprintf(co.answer, sizeof co.answer, "%.*s", (int)co.len, co.buf);
  char* nl = strchr(co.answer, '\n');
  if (nl) *nl = '\0';
}

static void co_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    size_t k = (size_t)n < sizeof co.buf - co.len ? (size_t)n : sizeof co.buf - co.len;
    memcpy(co.buf + co.len, buf->base, k);
    co.len += k;
    return;
  }
  if (n < 0) {
    co.eof = 1;
    uv_close((uv_handle_t*)s, on_closed);
    if (co.fixed && co.exited) parse();
  }
}

static void co_exit(uv_process_t* p, int64_t status, int sig) {
  UVSIM_CHECK(status == 0 && sig == 0, "echo failed: status %lld signal %d",
              (long long)status, sig);
  co.exited = 1;
  uv_close((uv_handle_t*)p, on_closed);
  if (!co.fixed || co.eof) parse();   /* the bug: the fixed one waits for EOF */
}

static void child_output(int fixed) {
  memset(&co, 0, sizeof co);
  co.fixed = fixed;
  uv_loop_t* loop = scn_begin();
  const char* real = getenv("UVSIM_REAL_CHILD");
  if (real == NULL || strcmp(real, "1") != 0)
    uvsim_child_script("/bin/echo", "ok 42\n", 6, 0, 0);
  uv_pipe_init(loop, &co.out, 0);
  uv_stdio_container_t stdio[3] = {
    { .flags = UV_IGNORE },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t*)&co.out },
    { .flags = UV_IGNORE },
  };
  char* args[] = { "/bin/echo", "ok", "42", NULL };
  uv_process_options_t o = { .file = args[0], .args = args, .exit_cb = co_exit,
                             .stdio = stdio, .stdio_count = 3 };
  int rc = uv_spawn(loop, &co.proc, &o);
  UVSIM_CHECK(rc == 0, "spawn: %s", uv_err_name(rc));
  uv_read_start((uv_stream_t*)&co.out, co_alloc, co_read);
  if (scn_run()) {
    UVSIM_CHECK(co.parsed, "the answer was never parsed");
    UVSIM_CHECK(strcmp(co.answer, "ok 42") == 0,
                "the program parsed a partial answer (%zu of 5 bytes)", strlen(co.answer));
  }
  scn_end();
}

static void child_output_buggy(void) { child_output(0); }
static void child_output_fixed(void) { child_output(1); }

UVSIM_SCENARIO(child_output, buggy, child_output_buggy,
               .description = "parses a child's output in its exit callback",
               .invariant = "the program parses the whole answer",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(child_output, fixed, child_output_fixed,
               .description = "parses a child's output once both exit and EOF came",
               .invariant = "the program parses the whole answer",
               .expect = UVSIM_EXPECT_CLEAN);
