/* A signal watched only by a one-shot handle, sent twice before the loop
 * dispatches it: libuv registers such a handler with SA_RESETHAND, so the
 * second one finds the default action and ends the process. The program
 * runs in a child, and the parent prints how it ended (the parent itself
 * exits 0, so that `uvsim exec` sweeps see a program that passed). */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "d.h"

static uv_signal_t one;
static uv_timer_t t;

static void cb_one(uv_signal_t* h, int signum) {
  SAY("one: signum=%d active=%d", signum, uv_is_active((uv_handle_t*)h));
}

static void tick(uv_timer_t* timer) {
  (void)timer;
  SAY("uv_kill SIGTERM %s", E(uv_kill(uv_os_getpid(), SIGTERM)));
  SAY("raise SIGTERM");
  raise(SIGTERM);
  SAY("NOT REACHED");
}

static int child(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_signal_init(loop, &one);
  SAY("start one: %s", E(uv_signal_start_oneshot(&one, cb_one, SIGTERM)));
  uv_timer_init(loop, &t);
  uv_timer_start(&t, tick, 10, 0);
  SAY("run: %d", uv_run(loop, UV_RUN_DEFAULT));
  return 0;
}

int main(void) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(child());
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) SAY("child killed by signal %d", WTERMSIG(status));
  else SAY("child exited %d", WEXITSTATUS(status));
  return 0;
}
