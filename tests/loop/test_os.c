/* tests/loop/test_os.c — the simulated machine (loop/os.c, random.c,
 * signal.c, tty.c): its fixed values are the documented ones and never the
 * host's; what follows virtual time moves with it; priorities follow
 * Linux's rules for an unprivileged user and start over every run;
 * uv_random's bytes are a function of the seed alone and draw nothing from
 * the decision stream; signal handles get delivered signals in their
 * loop's poll phase (one-shot, stop, close and restart rules) and keep the
 * loop alive while referenced; a tty passes writes through to the real
 * descriptor and meets the end of input when read. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

/* loop/os.h: not exported from libuvsim.so, linked here from the archive */
int uvs__signal_deliver(int signum);

static void begin_seed(uint64_t seed) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_SEED;
  cfg.seed = seed;
  uvsim_world_begin(&cfg);
}

static void begin_natural(void) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;
  uvsim_world_begin(&cfg);
}

static void close_all_cb(uv_handle_t* h, void* arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void finish_loop(uv_loop_t* loop) {
  uv_walk(loop, close_all_cb, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* ------------------------------------------------------------ the machine */

static void test_machine_fixed_values(void** state) {
  (void)state;
  begin_natural();
  uv_utsname_t u;
  assert_int_equal(uv_os_uname(&u), 0);
  assert_string_equal(u.sysname, "Linux");
  assert_string_equal(u.release, "6.1.0-uvsim");
  assert_string_equal(u.version, "#1 SMP PREEMPT_DYNAMIC uvsim");
  assert_string_equal(u.machine, "x86_64");

  char buf[64];
  size_t size = sizeof buf;
  assert_int_equal(uv_os_gethostname(buf, &size), 0);
  assert_string_equal(buf, "uvsim");
  assert_int_equal(size, 5);
  size = 5;   /* no room for the NUL */
  assert_int_equal(uv_os_gethostname(buf, &size), UV_ENOBUFS);
  assert_int_equal(size, 6);

  uv_passwd_t pwd;
  assert_int_equal(uv_os_get_passwd(&pwd), 0);
  assert_string_equal(pwd.username, "uvsim");
  assert_string_equal(pwd.homedir, "/home/uvsim");
  assert_string_equal(pwd.shell, "/bin/sh");
  assert_int_equal(pwd.uid, 1000);
  assert_int_equal(pwd.gid, 1000);
  uv_os_free_passwd(&pwd);
  assert_null(pwd.username);

  /* HOME wins when set, as in libuv; else the user's home */
  char* home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
  unsetenv("HOME");
  size = sizeof buf;
  assert_int_equal(uv_os_homedir(buf, &size), 0);
  assert_string_equal(buf, "/home/uvsim");
  setenv("HOME", "/somewhere", 1);
  size = sizeof buf;
  assert_int_equal(uv_os_homedir(buf, &size), 0);
  assert_string_equal(buf, "/somewhere");
  if (home) setenv("HOME", home, 1);
  else unsetenv("HOME");
  free(home);

  assert_int_equal(uv_available_parallelism(), 4);
  uv_cpu_info_t* cpus;
  int count;
  assert_int_equal(uv_cpu_info(&cpus, &count), 0);
  assert_int_equal(count, 4);
  for (int i = 0; i < count; i++) {
    assert_string_equal(cpus[i].model, "uvsim virtual CPU @ 2.40GHz");
    assert_int_equal(cpus[i].speed, 2400);
    assert_int_equal(cpus[i].cpu_times.user, 0);
    assert_int_equal(cpus[i].cpu_times.sys, 0);
  }
  uv_free_cpu_info(cpus, count);

  double avg[3] = { -1, -1, -1 };
  uv_loadavg(avg);
  assert_true(avg[0] == 0 && avg[1] == 0 && avg[2] == 0);

  uv_rusage_t ru;
  assert_int_equal(uv_getrusage(&ru), 0);
  assert_int_equal(ru.ru_utime.tv_sec, 0);
  assert_int_equal(ru.ru_stime.tv_usec, 0);
  size_t rss;
  assert_int_equal(uv_resident_set_memory(&rss), 0);
  assert_int_equal(ru.ru_maxrss, rss / 1024);

  size = sizeof buf;
  assert_int_equal(uv_if_indextoname(1, buf, &size), 0);
  assert_string_equal(buf, "lo");
  size = sizeof buf;
  assert_int_equal(uv_if_indextoiid(2, buf, &size), UV_ENXIO);
}

static void on_timer(uv_timer_t* t) { (void)t; }

/* Uptime is uv_hrtime in seconds (both count from the virtual boot), and
 * the CPUs' idle time grows with virtual time. */
static void test_machine_follows_virtual_time(void** state) {
  (void)state;
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  double up0;
  assert_int_equal(uv_uptime(&up0), 0);
  assert_true(up0 >= 1000.0);
  uv_cpu_info_t* cpus;
  int count;
  assert_int_equal(uv_cpu_info(&cpus, &count), 0);
  uint64_t idle0 = cpus[0].cpu_times.idle;
  uv_free_cpu_info(cpus, count);

  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_timer, 5000, 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);

  double up1;
  uint64_t hr = uv_hrtime();
  assert_int_equal(uv_uptime(&up1), 0);
  assert_true(up1 - up0 >= 5.0 && up1 - up0 < 5.1);
  assert_true(up1 * 1e9 <= (double)hr + 1e4 && up1 * 1e9 >= (double)hr - 1e4);
  assert_int_equal(uv_cpu_info(&cpus, &count), 0);
  assert_true(cpus[3].cpu_times.idle >= idle0 + 5000);
  uv_free_cpu_info(cpus, count);
  finish_loop(loop);
}

/* ------------------------------------------------------------ priorities */

static void test_priority_rules(void** state) {
  (void)state;
  begin_natural();
  int p = -100;
  assert_int_equal(uv_os_getpriority(0, &p), 0);
  assert_int_equal(p, 0);
  assert_int_equal(uv_os_setpriority(0, 5), 0);
  assert_int_equal(uv_os_getpriority(uv_os_getpid(), &p), 0);
  assert_int_equal(p, 5);
  /* raising it back needs CAP_SYS_NICE, which the user has not */
  assert_int_equal(uv_os_setpriority(uv_os_getpid(), 4), UV_EACCES);
  assert_int_equal(uv_os_setpriority(0, 19), 0);
  assert_int_equal(uv_os_setpriority(0, 20), UV_EINVAL);
  assert_int_equal(uv_os_setpriority(0, -21), UV_EINVAL);
  /* the parent has its own entry */
  assert_int_equal(uv_os_getpriority(uv_os_getppid(), &p), 0);
  assert_int_equal(p, 0);
  assert_int_equal(uv_os_setpriority(uv_os_getppid(), 3), 0);
  assert_int_equal(uv_os_getpriority(0, &p), 0);
  assert_int_equal(p, 19);
  /* no other process exists */
  assert_int_equal(uv_os_getpriority(1, &p), UV_ESRCH);
  assert_int_equal(uv_os_setpriority(12345, 10), UV_ESRCH);
  assert_int_equal(uv_os_getpriority(0, NULL), UV_EINVAL);
  /* the next run starts at nice 0 again */
  begin_natural();
  assert_int_equal(uv_os_getpriority(0, &p), 0);
  assert_int_equal(p, 0);
  assert_int_equal(uv_os_getpriority(uv_os_getppid(), &p), 0);
  assert_int_equal(p, 0);
}

/* ------------------------------------------------------------- uv_random */

static void draw(uint64_t seed, unsigned char* out, size_t n) {
  begin_seed(seed);
  assert_int_equal(uv_random(NULL, NULL, out, n, 0, NULL), 0);
}

static void test_random_same_seed_same_bytes(void** state) {
  (void)state;
  unsigned char a[64], b[64], c[64], zero[64] = {0};
  draw(5, a, sizeof a);
  draw(6, c, sizeof c);
  draw(5, b, sizeof b);
  assert_memory_equal(a, b, sizeof a);
  assert_memory_not_equal(a, c, sizeof a);
  assert_memory_not_equal(a, zero, sizeof a);
  /* one stream: two draws are the halves of one */
  begin_seed(5);
  assert_int_equal(uv_random(NULL, NULL, b, 20, 0, NULL), 0);
  assert_int_equal(uv_random(NULL, NULL, b + 20, 44, 0, NULL), 0);
  assert_memory_equal(a, b, sizeof a);
  /* libuv's argument checks, before any byte is drawn */
  assert_int_equal(uv_random(NULL, NULL, b, 8, 1, NULL), UV_EINVAL);
  assert_int_equal(uv_random(NULL, NULL, b, 0x80000000u, 1, NULL), UV_E2BIG);
}

/* A run with synchronous uv_random calls makes the same decisions, and so
 * has the same trace, as the run without them. */
static int use_random;
static void noop_work(uv_work_t* req) { (void)req; }
static void after_work(uv_work_t* req, int status) {
  (void)req;
  assert_int_equal(status, 0);
  if (use_random) {
    unsigned char b[16];
    assert_int_equal(uv_random(NULL, NULL, b, sizeof b, 0, NULL), 0);
  }
}
static void random_timer(uv_timer_t* t) {
  if (use_random) {
    unsigned char b[100];
    assert_int_equal(uv_random(NULL, NULL, b, sizeof b, 0, NULL), 0);
  }
  (void)t;
}

static uint64_t run_schedule(uint64_t seed, int with_random) {
  begin_seed(seed);
  uvsim_pool_set_inline(1);
  use_random = with_random;
  uv_loop_t* loop = uv_default_loop();
  uv_work_t w[4];
  for (int i = 0; i < 4; i++) uv_queue_work(loop, &w[i], noop_work, after_work);
  uv_timer_t t[3];
  for (int i = 0; i < 3; i++) {
    uv_timer_init(loop, &t[i]);
    uv_timer_start(&t[i], random_timer, (uint64_t)(i * 7), 0);
  }
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  finish_loop(loop);
  uvsim_pool_set_inline(0);
  return uvsim_trace_hash();
}

static void test_random_leaves_decisions_alone(void** state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 20; seed++)
    assert_int_equal(run_schedule(seed, 0), run_schedule(seed, 1));
}

static int random_calls;
static int random_status;
static void random_cb(uv_random_t* req, int status, void* buf, size_t len) {
  (void)req;
  (void)buf;
  (void)len;
  random_calls++;
  random_status = status;
}

static void random_async_case(int inline_pool) {
  unsigned char whole[32], got[32];
  draw(11, whole, sizeof whole);

  begin_seed(11);
  uvsim_pool_set_inline(inline_pool);
  uv_loop_t* loop = uv_default_loop();
  uv_random_t req;
  random_calls = 0;
  req.data = &req;
  assert_int_equal(uv_random(NULL, NULL, got, 16, 0, NULL), 0);
  assert_int_equal(uv_random(loop, &req, got + 16, 16, 0, random_cb), 0);
  assert_ptr_equal(req.data, &req);   /* left alone */
  assert_int_equal(req.type, UV_RANDOM);
  assert_int_equal(uv_loop_alive(loop), 1);   /* an active request */
  assert_int_equal(uv_loop_close(loop), UV_EBUSY);
  assert_int_equal(random_calls, 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(random_calls, 1);
  assert_int_equal(random_status, 0);
  assert_memory_equal(whole, got, sizeof got);

  /* cancelled before it starts: ECANCELED, nothing written */
  unsigned char untouched[8] = {0}, zero[8] = {0};
  random_calls = 0;
  assert_int_equal(uv_random(loop, &req, untouched, sizeof untouched, 0, random_cb), 0);
  assert_int_equal(uv_cancel((uv_req_t*)&req), 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(random_calls, 1);
  assert_int_equal(random_status, UV_ECANCELED);
  assert_memory_equal(untouched, zero, sizeof zero);
  assert_int_equal(uv_cancel((uv_req_t*)&req), UV_EBUSY);
  assert_int_equal(uv_loop_close(loop), 0);
  uvsim_pool_set_inline(0);
}

static void test_random_async_inline(void** state) {
  (void)state;
  random_async_case(1);
}

static void test_random_async_threaded(void** state) {
  (void)state;
  random_async_case(0);
}

/* --------------------------------------------------------------- signals */

static int sig_calls[4];
static int sig_close_on;   /* index whose callback closes its handle */
static uv_signal_t sigs[4];

static void sig_cb(uv_signal_t* h, int signum) {
  int i = (int)(h - sigs);
  assert_int_equal(signum, h->signum);
  sig_calls[i]++;
  if (i == sig_close_on) uv_close((uv_handle_t*)h, NULL);
}

static void test_signal_deliver(void** state) {
  (void)state;
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  memset(sig_calls, 0, sizeof sig_calls);
  sig_close_on = -1;
  for (int i = 0; i < 4; i++) assert_int_equal(uv_signal_init(loop, &sigs[i]), 0);
  assert_int_equal(uv_signal_start(&sigs[0], sig_cb, SIGUSR1), 0);
  assert_int_equal(uv_signal_start_oneshot(&sigs[1], sig_cb, SIGUSR1), 0);
  assert_int_equal(uv_signal_start(&sigs[2], sig_cb, SIGUSR2), 0);
  /* sigs[3] never started */
  assert_int_equal(uvs__signal_deliver(SIGUSR1), 2);
  assert_int_equal(uvs__signal_deliver(SIGUSR1), 2);
  assert_int_equal(uvs__signal_deliver(SIGINT), 0);
  /* nothing runs outside the loop */
  assert_int_equal(sig_calls[0] + sig_calls[1] + sig_calls[2], 0);
  /* (a loop that is not alive polls nothing, in libuv too: the started,
   * referenced handles keep this one alive) */
  assert_int_equal(uv_run(loop, UV_RUN_NOWAIT), 1);
  assert_int_equal(sig_calls[0], 2);
  assert_int_equal(sig_calls[1], 1);             /* one-shot */
  assert_false(uv_is_active((uv_handle_t*)&sigs[1]));
  assert_int_equal(sigs[1].signum, 0);
  assert_int_equal(sig_calls[2], 0);
  assert_int_equal(sig_calls[3], 0);
  assert_int_equal(uvs__signal_deliver(SIGUSR1), 1);
  assert_int_equal(uvs__signal_deliver(SIGUSR2), 1);
  assert_int_equal(uv_run(loop, UV_RUN_NOWAIT), 1);
  assert_int_equal(sig_calls[0], 3);
  assert_int_equal(sig_calls[1], 1);
  assert_int_equal(sig_calls[2], 1);

  /* a one-shot handle stays one-shot when restarted (libuv's flag) */
  assert_int_equal(uv_signal_start(&sigs[1], sig_cb, SIGHUP), 0);
  uvs__signal_deliver(SIGHUP);
  uvs__signal_deliver(SIGHUP);
  assert_int_equal(uv_run(loop, UV_RUN_NOWAIT), 1);
  assert_int_equal(sig_calls[1], 2);
  assert_false(uv_is_active((uv_handle_t*)&sigs[1]));

  /* caught, then stopped or moved to another signal: dropped */
  uvs__signal_deliver(SIGUSR1);
  uvs__signal_deliver(SIGUSR2);
  assert_int_equal(uv_signal_stop(&sigs[0]), 0);
  assert_int_equal(uv_signal_start(&sigs[2], sig_cb, SIGTERM), 0);
  assert_int_equal(uv_run(loop, UV_RUN_NOWAIT), 1);
  assert_int_equal(sig_calls[0], 3);
  assert_int_equal(sig_calls[2], 1);

  /* a callback that closes its handle ends the dispatch */
  sig_close_on = 2;
  uvs__signal_deliver(SIGTERM);
  uvs__signal_deliver(SIGTERM);
  uvs__signal_deliver(SIGTERM);
  assert_int_equal(uv_run(loop, UV_RUN_NOWAIT), 0);   /* nothing started left */
  assert_int_equal(sig_calls[2], 2);
  assert_int_equal(uvs__signal_deliver(SIGTERM), 0);
  assert_false(uvsim_failed());
  finish_loop(loop);
}

/* Every loop's handles get the signal, each in its own loop. */
static void test_signal_two_loops(void** state) {
  (void)state;
  begin_natural();
  uv_loop_t a, b;
  assert_int_equal(uv_loop_init(&a), 0);
  assert_int_equal(uv_loop_init(&b), 0);
  memset(sig_calls, 0, sizeof sig_calls);
  sig_close_on = -1;
  uv_signal_init(&a, &sigs[0]);
  uv_signal_init(&b, &sigs[1]);
  uv_signal_start(&sigs[0], sig_cb, SIGWINCH);
  uv_signal_start(&sigs[1], sig_cb, SIGWINCH);
  assert_int_equal(uvs__signal_deliver(SIGWINCH), 2);
  assert_int_equal(uv_run(&a, UV_RUN_NOWAIT), 1);   /* still started, referenced */
  assert_int_equal(sig_calls[0], 1);
  assert_int_equal(sig_calls[1], 0);
  assert_int_equal(uv_run(&b, UV_RUN_NOWAIT), 1);
  assert_int_equal(sig_calls[1], 1);
  finish_loop(&a);
  finish_loop(&b);
}

/* A referenced, started signal handle keeps the loop alive, as in libuv;
 * with nothing else that can happen, that is the hang oracle's case. */
static void test_signal_keeps_loop_alive(void** state) {
  (void)state;
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  uv_signal_t s;
  uv_signal_init(loop, &s);
  assert_int_equal(uv_signal_start(&s, sig_cb, SIGINT), 0);
  assert_int_equal(uv_loop_alive(loop), 1);
  uv_unref((uv_handle_t*)&s);
  assert_int_equal(uv_loop_alive(loop), 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  uv_ref((uv_handle_t*)&s);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_true(uvsim_failed());

  begin_natural();
  loop = uv_default_loop();
  uv_signal_init(loop, &s);
  uv_signal_start(&s, sig_cb, SIGINT);
  uv_close((uv_handle_t*)&s, NULL);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  assert_int_equal(uvs__signal_deliver(SIGINT), 0);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* A `signal` fault rule: at= reaches a loop with nothing else to do (the
 * clock jumps there: not a hang), after-callbacks= comes right after the
 * N-th callback, prob= asks a `fault` decision after each callback while
 * the signal is watched, and a terminating signal nobody watches is a
 * crash finding in a campaign. */
static uint64_t sig_at_ns;
static int ticks;
static void sig_close_cb(uv_signal_t* h, int signum) {
  (void)signum;
  sig_at_ns = uvsim_now_ns();
  uv_close((uv_handle_t*)h, NULL);
}
static void tick_cb(uv_timer_t* t) {
  if (++ticks == 10) uv_close((uv_handle_t*)t, NULL);
}

static void test_signal_fault_rules(void** state) {
  (void)state;
  uv_signal_t s;
  uv_timer_t t;
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  assert_int_equal(uvsim_fault("signal SIGTERM at 250ms"), 0);
  uv_signal_init(loop, &s);
  uv_signal_start(&s, sig_close_cb, SIGTERM);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  assert_in_range(sig_at_ns, 250000000u, 250999999u);   /* + clock reads */
  assert_int_equal(uv_loop_close(loop), 0);

  /* after-callbacks: the 3rd tick's callback, then the signal's */
  begin_natural();
  loop = uv_default_loop();
  ticks = 0;
  sig_at_ns = 0;
  assert_int_equal(uvsim_fault("signal SIGINT after-callbacks=3"), 0);
  uv_signal_init(loop, &s);
  uv_signal_start(&s, sig_close_cb, SIGINT);
  uv_timer_init(loop, &t);
  uv_timer_start(&t, tick_cb, 10, 10);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  assert_int_equal(ticks, 10);
  assert_in_range(sig_at_ns, 30000000u, 30999999u);     /* the 3rd tick's poll */
  assert_int_equal(uv_loop_close(loop), 0);

  /* prob=: the natural run never sends it; some seed does, and the same
   * seed again does the same */
  int sent = 0;
  uint64_t first_at = 0;
  for (uint64_t seed = 1; seed <= 50 && !sent; seed++) {
    for (int again = 0; again < 2; again++) {
      begin_seed(seed);
      loop = uv_default_loop();
      ticks = 0;
      sig_at_ns = 0;
      assert_int_equal(uvsim_fault("signal SIGUSR1 prob=1/8"), 0);
      uv_signal_init(loop, &s);
      uv_signal_start(&s, sig_close_cb, SIGUSR1);
      uv_unref((uv_handle_t*)&s);
      uv_timer_init(loop, &t);
      uv_timer_start(&t, tick_cb, 10, 10);
      uv_run(loop, UV_RUN_DEFAULT);
      if (!again) first_at = sig_at_ns;
      else assert_int_equal(sig_at_ns, first_at);
      if (!uv_is_closing((uv_handle_t*)&s)) uv_close((uv_handle_t*)&s, NULL);
      uv_run(loop, UV_RUN_DEFAULT);
    }
    sent = first_at != 0;
  }
  assert_true(sent);

  /* nobody watches SIGTERM: killed, a crash finding */
  begin_natural();
  loop = uv_default_loop();
  ticks = 0;
  assert_int_equal(uvsim_fault("signal TERM at=15ms"), 0);
  uv_timer_init(loop, &t);
  uv_timer_start(&t, tick_cb, 10, 10);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_true(uvsim_failed());
  assert_int_equal(ticks, 1);
  /* ... but an ignored one changes nothing */
  begin_natural();
  loop = uv_default_loop();
  ticks = 0;
  assert_int_equal(uvsim_fault("signal SIGCHLD after-callbacks=1"), 0);
  uv_timer_init(loop, &t);
  uv_timer_start(&t, tick_cb, 10, 10);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  assert_int_equal(ticks, 10);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* ------------------------------------------------------------------- tty */

static char tty_out[256];
static size_t tty_len;
static int write_calls, write_status, shutdown_status;

static void write_cb(uv_write_t* req, int status) {
  (void)req;
  write_calls++;
  write_status = status;
}

static void shutdown_cb(uv_shutdown_t* req, int status) {
  (void)req;
  shutdown_status = status;
}

/* Runs with the real fd 2 pointed at a pipe, then reads what reached it. */
static void test_tty_write_passthrough(void** state) {
  (void)state;
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  int p[2];
  assert_int_equal(pipe(p), 0);
  fflush(stderr);
  int saved = dup(2);
  assert_true(saved >= 0);
  assert_int_equal(dup2(p[1], 2), 2);

  uv_tty_t tty;
  assert_int_equal(uv_tty_init(loop, &tty, 2, 0), 0);
  assert_true(uv_is_writable((uv_stream_t*)&tty));
  assert_false(uv_is_readable((uv_stream_t*)&tty));
  uv_os_fd_t fd = -1;
  assert_int_equal(uv_fileno((uv_handle_t*)&tty, &fd), 0);
  assert_int_equal(fd, 2);
  int w = 0, h = 0;
  assert_int_equal(uv_tty_get_winsize(&tty, &w, &h), 0);
  assert_int_equal(w, 80);
  assert_int_equal(h, 24);
  assert_int_equal(uv_tty_set_mode(&tty, UV_TTY_MODE_RAW), 0);
  assert_int_equal(tty.mode, UV_TTY_MODE_RAW);
  errno = 0;
  assert_int_equal(uv_tty_reset_mode(), 0);
  assert_int_equal(errno, 0);

  uv_buf_t one = uv_buf_init("abc", 3);
  assert_int_equal(uv_try_write((uv_stream_t*)&tty, &one, 1), 3);
  uv_buf_t two[2] = { uv_buf_init("hello ", 6), uv_buf_init("world", 5) };
  uv_write_t req;
  write_calls = 0;
  assert_int_equal(uv_write(&req, (uv_stream_t*)&tty, two, 2, write_cb), 0);
  assert_int_equal(write_calls, 0);               /* next pending phase */
  assert_int_equal(uv_stream_get_write_queue_size((uv_stream_t*)&tty), 0);
  uv_shutdown_t sreq;
  shutdown_status = 1;
  assert_int_equal(uv_shutdown(&sreq, (uv_stream_t*)&tty, shutdown_cb), 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(write_calls, 1);
  assert_int_equal(write_status, 0);
  assert_int_equal(shutdown_status, UV_ENOTSOCK);   /* shutdown(2) on a tty */

  uv_close((uv_handle_t*)&tty, NULL);
  assert_int_equal(uv_fileno((uv_handle_t*)&tty, &fd), UV_EBADF);
  assert_int_equal(uv_tty_get_winsize(&tty, &w, &h), UV_EBADF);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(uv_loop_close(loop), 0);

  assert_int_equal(dup2(saved, 2), 2);
  close(saved);
  close(p[1]);
  tty_len = 0;
  ssize_t n;
  while ((n = read(p[0], tty_out + tty_len, sizeof tty_out - 1 - tty_len)) > 0)
    tty_len += (size_t)n;
  close(p[0]);
  tty_out[tty_len] = '\0';
  assert_string_equal(tty_out, "abchello world");
  /* the real descriptor stays open */
  assert_true(fcntl(2, F_GETFD) >= 0);
}

static int alloc_calls, read_calls;
static ssize_t read_nread;
static char read_buf[64];

static void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h;
  (void)suggested;
  alloc_calls++;
  *buf = uv_buf_init(read_buf, sizeof read_buf);
}

static void read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void)s;
  assert_ptr_equal(buf->base, read_buf);
  read_calls++;
  read_nread = nread;
}

static void test_tty_read_eof(void** state) {
  (void)state;
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  uv_tty_t in, out, bad;
  assert_int_equal(uv_tty_init(loop, &bad, 3, 1), UV_EINVAL);
  assert_int_equal(uv_tty_init(loop, &bad, -1, 1), UV_EINVAL);
  uv_fs_t fs;
  int file = uv_fs_open(NULL, &fs, "/tmp/tty-file", O_CREAT | O_RDWR, 0644, NULL);
  uv_fs_req_cleanup(&fs);
  assert_true(file >= 0);
  assert_int_equal(uv_tty_init(loop, &bad, file, 1), UV_EINVAL);   /* a file */
  uv_fs_close(NULL, &fs, file, NULL);
  uv_fs_req_cleanup(&fs);

  assert_int_equal(uv_tty_init(loop, &in, 0, 1), 0);
  assert_int_equal(uv_tty_init(loop, &out, 1, 0), 0);
  assert_true(uv_is_readable((uv_stream_t*)&in));
  assert_false(uv_is_writable((uv_stream_t*)&in));
  uv_buf_t b = uv_buf_init("x", 1);
  assert_int_equal(uv_try_write((uv_stream_t*)&in, &b, 1), UV_EPIPE);
  assert_int_equal(uv_read_start((uv_stream_t*)&out, alloc_cb, read_cb), UV_ENOTCONN);

  alloc_calls = read_calls = 0;
  assert_int_equal(uv_read_start((uv_stream_t*)&in, alloc_cb, read_cb), 0);
  assert_true(uv_is_active((uv_handle_t*)&in));
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);   /* no hang: EOF */
  assert_false(uvsim_failed());
  assert_int_equal(alloc_calls, 1);
  assert_int_equal(read_calls, 1);
  assert_int_equal(read_nread, UV_EOF);
  assert_false(uv_is_active((uv_handle_t*)&in));
  /* read stopped by a user before the poll phase: nothing delivered */
  assert_int_equal(uv_read_start((uv_stream_t*)&in, alloc_cb, read_cb), 0);
  assert_int_equal(uv_read_stop((uv_stream_t*)&in), 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(read_calls, 1);
  finish_loop(loop);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_machine_fixed_values),
    cmocka_unit_test(test_machine_follows_virtual_time),
    cmocka_unit_test(test_priority_rules),
    cmocka_unit_test(test_random_same_seed_same_bytes),
    cmocka_unit_test(test_random_leaves_decisions_alone),
    cmocka_unit_test(test_random_async_inline),
    cmocka_unit_test(test_random_async_threaded),
    cmocka_unit_test(test_signal_deliver),
    cmocka_unit_test(test_signal_two_loops),
    cmocka_unit_test(test_signal_keeps_loop_alive),
    cmocka_unit_test(test_signal_fault_rules),
    cmocka_unit_test(test_tty_write_passthrough),
    cmocka_unit_test(test_tty_read_eof),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
