/* tests/world/test_fault_replay.c — faults through libuv's API replay.
 *
 * A program writes a log file with async uv_fs_write/uv_fs_fsync and sends
 * over TCP while fault rules fail some calls: probabilistic rules (decisions
 * of kind "fault") and a scripted countdown rule (a trace note). The run is
 * saved as a reproducer — decision list and `fault` lines, through its text
 * form — and replayed: the same calls fail and the trace hash is the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim/loop.h"
#include "uvsim/world.h"

#define WRITES 24

static const char* const rules[] = {
  "write path=/tmp/log prob=1/3 err=EIO",
  "fsync nth=2 err=EIO",
  "send prob=1/4 err=ECONNRESET",
};

static char outcome[128];       /* fs steps, then "|", then the sends */
static size_t outcome_len;
static char net_outcome[16];
static size_t net_len;
static uv_fs_t req;
static int fd, step;
static char line[16];

static void mark(int ok) {
  if (outcome_len + 1 < sizeof outcome) outcome[outcome_len++] = ok ? '.' : 'X';
  outcome[outcome_len] = '\0';
}

static void next_fs(uv_fs_t* r);

static void next_fs(uv_fs_t* r) {
  if (r != NULL) {
    mark(r->result >= 0);
    uv_fs_req_cleanup(r);
  }
  if (step == WRITES) {
    uv_fs_close(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
    return;
  }
  step++;
  if (step % 6 == 0) {
    uv_fs_fsync(uv_default_loop(), &req, fd, next_fs);
    return;
  }
  int n = snprintf(line, sizeof line, "line %d\n", step);
  uv_buf_t b = uv_buf_init(line, (unsigned)n);
  uv_fs_write(uv_default_loop(), &req, fd, &b, 1, -1, next_fs);
}

/* A client that sends a few messages to a listener that reads them. */
static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t wreqs[6];
static char slab[256];

static void on_close(uv_handle_t* h) { (void)h; }
static void on_alloc(uv_handle_t* h, size_t s, uv_buf_t* b) {
  (void)h; (void)s;
  *b = uv_buf_init(slab, sizeof slab);
}
static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
  (void)b;
  if (n < 0) {
    uv_close((uv_handle_t*)s, on_close);
    uv_close((uv_handle_t*)&server, on_close);
  }
}
static void on_conn(uv_stream_t* s, int status) {
  if (status < 0) return;
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_read_start((uv_stream_t*)&conn, on_alloc, on_read);
}
static void on_written(uv_write_t* w, int status) {
  if (net_len + 1 < sizeof net_outcome) net_outcome[net_len++] = status == 0 ? '.' : 'X';
  net_outcome[net_len] = '\0';
  if (w == &wreqs[5]) uv_close((uv_handle_t*)&client, on_close);
}
static void on_connect(uv_connect_t* c, int status) {
  if (status < 0) return;
  for (int i = 0; i < 6; i++) {
    uv_buf_t b = uv_buf_init("msg", 3);
    uv_write(&wreqs[i], c->handle, &b, 1, on_written);
  }
}

static void program(void) {
  uv_loop_t* loop = uv_default_loop();
  outcome_len = 0;
  outcome[0] = '\0';
  net_len = 0;
  net_outcome[0] = '\0';
  step = 0;
  fd = uv_fs_open(NULL, &req, "/tmp/log", UV_FS_O_WRONLY | UV_FS_O_CREAT, 0644, NULL);
  uv_fs_req_cleanup(&req);
  assert_true(fd >= 0);
  next_fs(NULL);
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", 7000, &a);
  uv_tcp_init(loop, &server);
  uv_tcp_bind(&server, (const struct sockaddr*)&a, 0);
  uv_listen((uv_stream_t*)&server, 4, on_conn);
  uv_tcp_init(loop, &client);
  uv_tcp_connect(&creq, &client, (const struct sockaddr*)&a, on_connect);
  uv_run(loop, UV_RUN_DEFAULT);
  /* One string for the comparisons: file steps | sends. */
  size_t k = strlen(outcome);
  snprintf(outcome + k, sizeof outcome - k, "|%s", net_outcome);
}

/* One run: the world from cfg, the rules, the program; returns the hash. */
static uint64_t run(const sim_config* cfg, const char* const* specs, size_t n) {
  uvsim_world_begin(cfg);
  for (size_t i = 0; i < n; i++) assert_int_equal(uvsim_fault(specs[i]), 0);
  program();
  uint64_t h = uvsim_trace_hash();
  uvsim_world_end();
  return h;
}

static void faulty_run_replays_from_its_reproducer(void** state) {
  (void)state;
  sim_config seeded = { .source = SIM_SRC_SEED, .seed = 11 };
  uint64_t h = run(&seeded, rules, 3);
  char first[128];
  snprintf(first, sizeof first, "%s", outcome);
  assert_non_null(strchr(first, 'X'));
  assert_non_null(strchr(first, '.'));

  /* Save it as a reproducer, in its text form, and read it back. */
  sim_repro r;
  sim_repro_init(&r);
  assert_int_equal(sim_repro_take_log(&r, sim_current()), 0);
  snprintf(r.scenario, sizeof r.scenario, "tests/fault_replay");
  r.seed = 11;
  r.has_hash = 1;
  r.hash = h;
  for (size_t i = 0; i < 3; i++) snprintf(r.faults[r.nfaults++], sizeof r.faults[0], "%s", rules[i]);
  char* text = NULL;
  size_t len = 0;
  FILE* mem = open_memstream(&text, &len);
  assert_int_equal(sim_repro_fprint(&r, mem), 0);
  fclose(mem);
  sim_repro back;
  sim_repro_init(&back);
  char err[256];
  assert_int_equal(sim_repro_parse(&back, "mem", text, err, sizeof err), 0);
  assert_int_equal(back.nfaults, 3);
  assert_int_equal(back.ndecisions, r.ndecisions);

  /* Replay from the decision list alone, rules from the fault lines. */
  uint32_t* list = sim_repro_choices(&back);
  sim_config replay = { .source = SIM_SRC_LIST, .list = list, .list_len = back.ndecisions };
  const char* specs[SIM_REPRO_FAULTS_MAX];
  for (size_t i = 0; i < back.nfaults; i++) specs[i] = back.faults[i];
  uint64_t h2 = run(&replay, specs, back.nfaults);
  assert_string_equal(outcome, first);
  assert_int_equal(h2, back.hash);

  /* Without the fault lines the same decisions do not give that run. */
  uint64_t h3 = run(&replay, NULL, 0);
  assert_true(h3 != h);
  assert_null(strchr(outcome, 'X'));

  free(list);
  free(text);
  sim_repro_free(&r);
  sim_repro_free(&back);
}

static void scripted_fault_in_natural_order(void** state) {
  (void)state;
  sim_config natural = { .source = SIM_SRC_LIST, .keep_trace = 1 };
  const char* only[] = { "fsync nth=2 err=EIO" };
  uint64_t h1 = run(&natural, only, 1);
  char first[128];
  snprintf(first, sizeof first, "%s", outcome);
  /* 24 steps: fsync at 6, 12, 18, 24; the second one (step 12) fails. */
  assert_int_equal(first[11], 'X');
  assert_int_equal(strchr(first, 'X') - first, 11);
  assert_int_equal(run(&natural, only, 1), h1);
  assert_string_equal(outcome, first);
  /* The fault is in the trace. */
  uvsim_world_begin(&natural);
  assert_int_equal(uvsim_fault(only[0]), 0);
  program();
  sim* s = sim_current();
  int noted = 0;
  for (size_t i = 0; i < s->recs_len; i++)
    if (s->recs[i].type == SIM_TR_NOTE && strstr(s->recs[i].label, "fault fsync"))
      noted++;
  assert_int_equal(noted, 1);
  uvsim_world_end();
}

static void aggressive_rules_need_aggressive_mode(void** state) {
  (void)state;
  sim_config natural = { .source = SIM_SRC_LIST };
  uvsim_world_begin(&natural);
  assert_int_equal(uvsim_fault("read err=ENOSPC"), -1);
  assert_int_equal(uvsim_fault("writ err=EIO"), -1);
  uvsim_world_end();
  sim_config aggressive = { .source = SIM_SRC_LIST, .aggressive = 1 };
  uvsim_world_begin(&aggressive);
  assert_int_equal(uvsim_fault("read err=ENOSPC"), 0);
  uvsim_world_end();
}

/* delay=: a latency spike on a pool job makes a timer win the race. */
static char order[8];
static size_t norder;
static uv_fs_t sreq;
static uv_timer_t timer;
static void on_stat(uv_fs_t* r) {
  order[norder++] = 's';
  uv_fs_req_cleanup(r);
}
static void on_timer(uv_timer_t* t) {
  order[norder++] = 't';
  uv_close((uv_handle_t*)t, NULL);
}
static const char* race(const char* spec) {
  sim_config natural = { .source = SIM_SRC_LIST };
  uvsim_world_begin(&natural);
  if (spec) assert_int_equal(uvsim_fault(spec), 0);
  norder = 0;
  uv_loop_t* loop = uv_default_loop();
  uv_fs_stat(loop, &sreq, "/tmp", on_stat);
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, on_timer, 10, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  order[norder] = '\0';
  uvsim_world_end();
  return order;
}

static void delay_makes_a_job_late(void** state) {
  (void)state;
  assert_string_equal(race(NULL), "st");
  assert_string_equal(race("stat path=/tmp delay=50ms"), "ts");
  assert_string_equal(race("stat path=/other delay=50ms"), "st");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(faulty_run_replays_from_its_reproducer),
    cmocka_unit_test(scripted_fault_in_natural_order),
    cmocka_unit_test(aggressive_rules_need_aggressive_mode),
    cmocka_unit_test(delay_makes_a_job_late),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
