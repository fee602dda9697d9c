/* tests/world/test_child.c — child processes through libuv's API on
 * libuvsim (loop/spawn.c, sim/sim_child.c).
 *
 * - the natural order shows the child's output before its exit; some
 *   schedule (child_event, net_latency, io_order decisions) delivers the
 *   exit first, so an exit callback that uses the output collected so far
 *   sees none of it — the race a real kernel allows;
 * - a run's reproducer carries the child's transcript: replayed, the
 *   program sees the recorded output even though the child prints
 *   something else every time it really runs (its own pid), and the trace
 *   hash is the recorded one;
 * - the child's environment has no UVSIM_* variable and no libuvsim
 *   preload;
 * - uv_spawn of a missing file answers UV_ENOENT and records it;
 * - a child given a simulated file (UV_INHERIT_FD of uv_fs_open's number)
 *   writes into it, stdout and stderr in the order written; a replay of
 *   the run writes the same bytes into the file, spawning nothing (the
 *   child's pid in the file is the recorded one);
 * - the simulated process is uid/gid 1000: a child may not become another
 *   user or group (UV_EPERM, as setuid(2) answers an ordinary user), and
 *   one that stays 1000 runs as 1000;
 * - output beyond what the simulated pipe buffers (1 MiB) arrives whole and
 *   before its end (a chunk the program could not take yet used to be
 *   overtaken by the end of output, and the rest was lost);
 * - a real pid a child printed (its own detached child, orphaned when it
 *   exited) is a descendant: uv_kill signals it for real and records the
 *   answers; dead, it is gone at once (a zombie init would have reaped); a replay answers the same from the record with the process
 *   gone; a process that is no descendant (the test's parent) is ESRCH. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sim/sim.h"
#include "sim/sim_child.h"
#include "uvsim/loop.h"
#include "uvsim/world.h"

static uv_process_t proc;
static uv_pipe_t out;
static char got[256], at_exit[256];
static size_t ngot;
static int exits, eofs, spawn_err;

static void on_close(uv_handle_t* h) { (void)h; }

static void on_alloc(uv_handle_t* h, size_t s, uv_buf_t* b) {
  (void)h;
  (void)s;
  static char slab[256];
  *b = uv_buf_init(slab, sizeof slab);
}

static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
  if (n > 0 && ngot + (size_t)n < sizeof got) {
    memcpy(got + ngot, b->base, (size_t)n);
    ngot += (size_t)n;
    got[ngot] = '\0';
  }
  if (n < 0) {
    eofs++;
    uv_close((uv_handle_t*)s, on_close);
  }
}

static void on_exit_cb(uv_process_t* p, int64_t status, int sig) {
  (void)status;
  (void)sig;
  exits++;
  snprintf(at_exit, sizeof at_exit, "%s", got);
  uv_close((uv_handle_t*)p, on_close);
}

/* Spawns `cmd` under /bin/sh with its stdout on a pipe; runs the loop. */
static void program(const char* file, const char* cmd) {
  uv_loop_t* loop = uv_default_loop();
  ngot = 0;
  got[0] = at_exit[0] = '\0';
  exits = eofs = 0;
  uv_pipe_init(loop, &out, 0);
  uv_stdio_container_t stdio[3] = {
    { .flags = UV_IGNORE },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t*)&out },
    { .flags = UV_IGNORE },
  };
  char* args[] = { (char*)file, "-c", (char*)cmd, NULL };
  uv_process_options_t o = { .file = file, .args = args, .exit_cb = on_exit_cb,
                             .stdio = stdio, .stdio_count = 3 };
  spawn_err = uv_spawn(loop, &proc, &o);
  if (spawn_err) uv_close((uv_handle_t*)&proc, on_close);
  uv_read_start((uv_stream_t*)&out, on_alloc, on_read);
  uv_run(loop, UV_RUN_DEFAULT);
}

static uint64_t run(const sim_config* cfg, const char* file, const char* cmd) {
  uvsim_world_begin(cfg);
  program(file, cmd);
  uint64_t h = uvsim_trace_hash();
  return h;
}

static void output_after_exit_is_reachable(void** state) {
  (void)state;
  sim_config natural = { .source = SIM_SRC_LIST };
  run(&natural, "/bin/sh", "printf hello");
  uvsim_world_end();
  assert_int_equal(spawn_err, 0);
  assert_string_equal(got, "hello");
  assert_string_equal(at_exit, "hello");   /* natural: output, then exit */
  assert_int_equal(exits, 1);
  assert_int_equal(eofs, 1);

  int lost = 0;
  for (uint64_t seed = 1; seed <= 300 && !lost; seed++) {
    sim_config seeded = { .source = SIM_SRC_SEED, .seed = seed };
    run(&seeded, "/bin/sh", "printf hello");
    uvsim_world_end();
    assert_string_equal(got, "hello");     /* every byte arrives, in any case */
    assert_int_equal(exits, 1);
    if (at_exit[0] == '\0') lost = 1;
  }
  assert_true(lost);
}

/* Save the run as a reproducer (text), read it back. */
static void round_trip(sim_repro* back, uint64_t seed, uint64_t hash) {
  sim_repro r;
  sim_repro_init(&r);
  assert_int_equal(sim_repro_take_log(&r, sim_current()), 0);
  snprintf(r.scenario, sizeof r.scenario, "tests/child");
  r.seed = seed;
  r.has_hash = 1;
  r.hash = hash;
  char* text = NULL;
  size_t len = 0;
  FILE* mem = open_memstream(&text, &len);
  assert_int_equal(sim_repro_fprint(&r, mem), 0);
  fclose(mem);
  assert_non_null(strstr(text, "\nchild 1 spawn 0\n"));
  assert_non_null(strstr(text, "\nchild 1 exit 0 0\n"));
  char err[256];
  assert_int_equal(sim_repro_parse(back, "mem", text, err, sizeof err), 0);
  assert_int_equal(back->nchild, r.nchild);
  free(text);
  sim_repro_free(&r);
}

static void replay_feeds_the_recorded_transcript(void** state) {
  (void)state;
  /* the child prints its own pid: different every real run */
  const char* cmd = "echo pid $$; echo more";
  sim_config seeded = { .source = SIM_SRC_SEED, .seed = 7 };
  uint64_t h1 = run(&seeded, "/bin/sh", cmd);
  char first[256];
  snprintf(first, sizeof first, "%s", got);
  assert_non_null(strstr(first, "pid "));
  sim_repro back;
  sim_repro_init(&back);
  round_trip(&back, 7, h1);
  uvsim_world_end();

  /* a fresh run really prints another pid */
  run(&seeded, "/bin/sh", cmd);
  uvsim_world_end();
  assert_string_not_equal(got, first);

  /* the replay sees the recorded one, with the recorded hash */
  uint32_t* list = sim_repro_choices(&back);
  sim_config replay = { .source = SIM_SRC_LIST, .list = list, .list_len = back.ndecisions };
  sim_child_replay_set(back.child, back.nchild);
  uint64_t h2 = run(&replay, "/bin/sh", cmd);
  uvsim_world_end();
  sim_child_replay_set(NULL, 0);
  assert_string_equal(got, first);
  assert_int_equal(h2, h1);
  free(list);
  sim_repro_free(&back);
}

/* A child is a plain real program: uvsim's own variables (UVSIM_*, its
 * preload) are not passed on, the others are. */
static void child_env_has_no_uvsim(void** state) {
  (void)state;
  setenv("UVSIM_TEST_MARK", "1", 1);
  setenv("OTHER_TEST_MARK", "2", 1);
  setenv("LD_PRELOAD", "/nonexistent/libuvsim.so", 1);
  sim_config natural = { .source = SIM_SRC_LIST };
  run(&natural, "/bin/sh", "printf '%s %s %s' \"${UVSIM_TEST_MARK:-none}\" \"$OTHER_TEST_MARK\" \"${LD_PRELOAD:-none}\"");
  uvsim_world_end();
  unsetenv("LD_PRELOAD");
  unsetenv("UVSIM_TEST_MARK");
  unsetenv("OTHER_TEST_MARK");
  assert_string_equal(got, "none 2 none");
}

static void missing_file_is_enoent(void** state) {
  (void)state;
  sim_config natural = { .source = SIM_SRC_LIST };
  run(&natural, "/no/such/shell", "true");
  assert_int_equal(spawn_err, UV_ENOENT);
  /* the pipe is open all the same, and ends at once */
  assert_int_equal(eofs, 1);
  assert_int_equal(exits, 0);
  size_t n;
  const sim_child_item* log = sim_child_log(&n);
  assert_true(n >= 1);
  assert_int_equal(log[0].type, SIM_CHILD_SPAWN);
  assert_int_equal(log[0].a, UV_ENOENT);
  uvsim_world_end();
}

/* The child's stdout and stderr on one simulated file; returns the file's
 * content after the run in `content`. */
static int file_exits;
static void on_file_exit(uv_process_t* p, int64_t status, int sig) {
  (void)status;
  (void)sig;
  file_exits++;
  uv_close((uv_handle_t*)p, on_close);
}

static uint64_t run_to_file(const sim_config* cfg, const char* file, const char* cmd,
                            char* content, size_t cap) {
  uvsim_world_begin(cfg);
  uv_loop_t* loop = uv_default_loop();
  uv_fs_t req;
  int fd = uv_fs_open(NULL, &req, "/tmp/out", O_CREAT | O_TRUNC | O_RDWR, 0644, NULL);
  uv_fs_req_cleanup(&req);
  assert_true(fd >= 1000);
  uv_stdio_container_t stdio[3] = {
    { .flags = UV_IGNORE },
    { .flags = UV_INHERIT_FD, .data.fd = fd },
    { .flags = UV_INHERIT_FD, .data.fd = fd },
  };
  char* args[] = { (char*)file, "-c", (char*)cmd, NULL };
  uv_process_options_t o = { .file = file, .args = args, .exit_cb = on_file_exit,
                             .stdio = stdio, .stdio_count = 3 };
  file_exits = 0;
  spawn_err = uv_spawn(loop, &proc, &o);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_buf_t b = uv_buf_init(content, (unsigned)cap - 1);
  ssize_t n = uv_fs_read(NULL, &req, fd, &b, 1, 0, NULL);
  uv_fs_req_cleanup(&req);
  content[n > 0 ? n : 0] = '\0';
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  return uvsim_trace_hash();
}

static void child_writes_a_simulated_file_and_replays(void** state) {
  (void)state;
  const char* cmd = "echo pid $$; echo err >&2; echo out";
  sim_config seeded = { .source = SIM_SRC_SEED, .seed = 3 };
  char first[256], again[256];
  uint64_t h1 = run_to_file(&seeded, "/bin/sh", cmd, first, sizeof first);
  assert_int_equal(spawn_err, 0);
  assert_int_equal(file_exits, 1);
  assert_non_null(strstr(first, "pid "));
  assert_non_null(strstr(first, "\nerr\nout\n"));   /* in the order written */
  sim_repro back;
  sim_repro_init(&back);
  round_trip(&back, 3, h1);
  uvsim_world_end();

  run_to_file(&seeded, "/bin/sh", cmd, again, sizeof again);
  uvsim_world_end();
  assert_string_not_equal(again, first);               /* another pid */

  uint32_t* list = sim_repro_choices(&back);
  sim_config replay = { .source = SIM_SRC_LIST, .list = list, .list_len = back.ndecisions };
  sim_child_replay_set(back.child, back.nchild);
  uint64_t h2 = run_to_file(&replay, "/bin/sh", cmd, again, sizeof again);
  uvsim_world_end();
  sim_child_replay_set(NULL, 0);
  assert_int_equal(spawn_err, 0);
  assert_int_equal(file_exits, 1);
  assert_string_equal(again, first);                   /* the recorded pid */
  assert_int_equal(h2, h1);
  free(list);
  sim_repro_free(&back);
}

static size_t big_bytes;
static int big_eof_after;

static void on_big_alloc(uv_handle_t* h, size_t s, uv_buf_t* b) {
  (void)h;
  (void)s;
  static char slab[65536];
  *b = uv_buf_init(slab, sizeof slab);
}

static void on_big_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
  (void)b;
  if (n > 0) big_bytes += (size_t)n;
  if (n < 0) {
    big_eof_after = (int)(big_bytes / 1000);
    uv_close((uv_handle_t*)s, on_close);
  }
}

static void output_past_the_pipe_buffer_arrives_whole(void** state) {
  (void)state;
  sim_config natural = { .source = SIM_SRC_LIST };
  uvsim_world_begin(&natural);
  uv_loop_t* loop = uv_default_loop();
  uv_pipe_init(loop, &out, 0);
  uv_stdio_container_t stdio[2] = {
    { .flags = UV_IGNORE },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t*)&out },
  };
  char* args[] = { "/bin/sh", "-c", "head -c 3000000 /dev/zero", NULL };
  uv_process_options_t o = { .file = args[0], .args = args, .exit_cb = on_exit_cb,
                             .stdio = stdio, .stdio_count = 2 };
  big_bytes = 0;
  big_eof_after = -1;
  exits = 0;
  assert_int_equal(uv_spawn(loop, &proc, &o), 0);
  uv_read_start((uv_stream_t*)&out, on_big_alloc, on_big_read);
  uv_run(loop, UV_RUN_DEFAULT);
  uvsim_world_end();
  assert_int_equal(exits, 1);
  assert_int_equal(big_bytes, 3000000);
  assert_int_equal(big_eof_after, 3000);
}

static int spawn_as(unsigned flags, uv_uid_t uid, uv_gid_t gid) {
  sim_config natural = { .source = SIM_SRC_LIST };
  uvsim_world_begin(&natural);
  uv_loop_t* loop = uv_default_loop();
  ngot = 0;
  got[0] = '\0';
  uv_pipe_init(loop, &out, 0);
  uv_stdio_container_t stdio[2] = {
    { .flags = UV_IGNORE },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t*)&out },
  };
  char* args[] = { "/bin/sh", "-c", "printf '%s %s' $(id -u) $(id -g)", NULL };
  uv_process_options_t o = { .file = args[0], .args = args, .exit_cb = on_exit_cb,
                             .stdio = stdio, .stdio_count = 2, .flags = flags,
                             .uid = uid, .gid = gid };
  int r = uv_spawn(loop, &proc, &o);
  if (r) uv_close((uv_handle_t*)&proc, on_close);
  uv_read_start((uv_stream_t*)&out, on_alloc, on_read);
  uv_run(loop, UV_RUN_DEFAULT);
  uvsim_world_end();
  return r;
}

static void child_identity_is_the_simulated_users(void** state) {
  (void)state;
  assert_int_equal(spawn_as(UV_PROCESS_SETUID, 0, 0), UV_EPERM);
  assert_int_equal(spawn_as(UV_PROCESS_SETGID, 0, 0), UV_EPERM);
  /* staying 1000 (getuid() itself answers the simulated 1000) works, and
   * the real child stays who runs the simulation: it becomes itself, it
   * does not turn into a real uid 1000 that may not reach its files */
  assert_int_equal(spawn_as(UV_PROCESS_SETUID | UV_PROCESS_SETGID, 1000, 1000), 0);
  char want[64];
  snprintf(want, sizeof want, "%ld %ld", (long)syscall(SYS_geteuid), (long)syscall(SYS_getegid));
  assert_string_equal(got, want);
}

static void kill_reaches_a_real_descendant(void** state) {
  (void)state;
  const char* cmd = "sleep 30 </dev/null >/dev/null 2>&1 & echo $!";
  sim_config natural = { .source = SIM_SRC_LIST };
  run(&natural, "/bin/sh", cmd);
  assert_int_equal(exits, 1);
  char first[256];
  snprintf(first, sizeof first, "%s", got);
  int grandchild = atoi(got);
  int parent = (int)syscall(SYS_getppid);
  assert_true(grandchild > 1);
  /* sh exited: its child was adopted by this process (subreaper) */
  assert_int_equal(uv_kill(grandchild, 0), 0);
  assert_int_equal(uv_kill(parent, 0), UV_ESRCH);
  assert_int_equal(uv_kill(grandchild, SIGTERM), 0);
  int st = 0;
  /* dead (a zombie of this process: init would reap it) */
  assert_int_equal(waitid(P_PID, (id_t)grandchild, &(siginfo_t){0}, WEXITED | WNOWAIT), 0);
  assert_int_equal(uv_kill(grandchild, 0), UV_ESRCH);
  assert_int_equal(waitpid(grandchild, &st, 0), grandchild);   /* ours now */
  assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);   /* for real */
  assert_int_equal(uv_kill(grandchild, 0), UV_ESRCH);          /* gone */
  sim* s = sim_current();
  assert_int_equal(s->obs_len, 2);            /* the two that reached it */
  assert_string_equal(s->obs[0].label, "kill");
  assert_int_equal(s->obs[0].value, 1);
  uint64_t h1 = uvsim_trace_hash();           /* the kills are in it */
  sim_repro back;
  sim_repro_init(&back);
  round_trip(&back, 0, h1);
  uvsim_world_end();
  assert_int_equal(back.nobserved, 2);

  /* the replay runs no child and looks at no process: the process is gone,
   * yet the answers are the recorded ones, in the same order */
  uint32_t* list = sim_repro_choices(&back);
  sim_config replay = { .source = SIM_SRC_LIST, .list = list, .list_len = back.ndecisions,
                        .replay_observed = 1, .observed = back.observed,
                        .nobserved = back.nobserved };
  sim_child_replay_set(back.child, back.nchild);
  run(&replay, "/bin/sh", cmd);
  assert_string_equal(got, first);
  assert_int_equal(uv_kill(grandchild, 0), 0);
  assert_int_equal(uv_kill(parent, 0), UV_ESRCH);
  assert_int_equal(uv_kill(grandchild, SIGTERM), 0);
  assert_int_equal(uv_kill(grandchild, 0), UV_ESRCH);
  assert_int_equal(uv_kill(grandchild, 0), UV_ESRCH);
  assert_int_equal(sim_observe_left(sim_current()), 0);
  uint64_t h2 = uvsim_trace_hash();
  uvsim_world_end();
  sim_child_replay_set(NULL, 0);
  assert_int_equal(h2, h1);
  free(list);
  sim_repro_free(&back);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(output_after_exit_is_reachable),
    cmocka_unit_test(replay_feeds_the_recorded_transcript),
    cmocka_unit_test(child_env_has_no_uvsim),
    cmocka_unit_test(missing_file_is_enoent),
    cmocka_unit_test(child_writes_a_simulated_file_and_replays),
    cmocka_unit_test(output_past_the_pipe_buffer_arrives_whole),
    cmocka_unit_test(child_identity_is_the_simulated_users),
    cmocka_unit_test(kill_reaches_a_real_descendant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
