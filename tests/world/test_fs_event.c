/* tests/world/test_fs_event.c — file watchers on the simulated filesystem,
 * through libuv's API: `external` fault rules change files at a virtual
 * time, inotify's merging of identical unread events, and the two
 * decisions (fs_event_coalesce, fs_event_latency), each shown by a run
 * where only that decision's answer differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sim/sim.h"
#include "sim/sim_fault.h"
#include "sim/sim_fs.h"
#include "uvsim/loop.h"
#include "uvsim/world.h"

/* A chooser that answers `coalesce` and `latency` for the watchers'
 * kinds, 0 for everything else, and counts what it was asked. */
typedef struct answers {
  uint32_t coalesce, latency;
  int asked_coalesce, asked_latency;
} answers;

static uint32_t choose(void* ctx, sim* s, sim_kind kind, uint32_t n, const char* label) {
  (void)s;
  (void)label;
  answers* a = ctx;
  if (kind == SIM_FS_EVENT_COALESCE) {
    a->asked_coalesce++;
    return a->coalesce < n ? a->coalesce : 0;
  }
  if (kind == SIM_FS_EVENT_LATENCY) {
    a->asked_latency++;
    return a->latency < n ? a->latency : 0;
  }
  return 0;
}

static uv_fs_event_t watch;
static uv_timer_t stop_timer;
static int ncalls;
static char calls[512];
static uint64_t first_ms;

static void on_change(uv_fs_event_t* h, const char* name, int events, int status) {
  (void)h;
  if (ncalls++ == 0) first_ms = uv_now(uv_default_loop()) - 1000000;   /* the epoch: 1000 s */
  size_t n = strlen(calls);
  snprintf(calls + n, sizeof calls - n, "%s%s:%s:%d", n ? " " : "", name,
           events == UV_CHANGE ? "change" : events == UV_RENAME ? "rename" : "both", status);
}

static void on_stop(uv_timer_t* t) {
  uv_close((uv_handle_t*)&watch, NULL);
  uv_close((uv_handle_t*)t, NULL);
}

/* Watches /etc/app.conf ("v0") under `rules` until 1 s; returns the trace
 * hash. */
static uint64_t run(answers* a, const char* const* rules, size_t nrules) {
  sim_config cfg = { .source = SIM_SRC_CUSTOM, .chooser = choose, .chooser_ctx = a };
  uvsim_world_begin(&cfg);
  ncalls = 0;
  calls[0] = '\0';
  first_ms = 0;
  assert_int_equal(uvsim_fs_put("/etc/app.conf", "v0", 2), 0);
  for (size_t i = 0; i < nrules; i++) assert_int_equal(uvsim_fault(rules[i]), 0);
  uv_loop_t* loop = uv_default_loop();
  assert_int_equal(uv_fs_event_init(loop, &watch), 0);
  assert_int_equal(uv_fs_event_start(&watch, on_change, "/etc/app.conf", 0), 0);
  uv_timer_init(loop, &stop_timer);
  uv_timer_start(&stop_timer, on_stop, 1000, 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  return uvsim_trace_hash();
}

static const char* file_now(void) {
  static char buf[64];
  char* data;
  size_t len;
  if (sim_fs_get_file(sim_fs_current(), "/etc/app.conf", &data, &len) < 0) return "(none)";
  snprintf(buf, sizeof buf, "%s", data);
  free(data);
  return buf;
}

/* An external write changes the file at its time; the watcher hears one
 * event (the truncate's and the write's IN_MODIFY are one change). */
static void test_external_write(void** state) {
  (void)state;
  const char* rules[] = { "external write /etc/app.conf data=v1\\sok at=50ms" };
  answers a = { 0 };
  run(&a, rules, 1);
  assert_string_equal(file_now(), "v1 ok");
  assert_string_equal(calls, "app.conf:change:0");
  assert_int_equal(first_ms, 50);
  assert_int_equal(a.asked_coalesce, 0);
  assert_int_equal(a.asked_latency, 1);
}

/* Two external saves at the same instant: choice 0 reads them apart (two
 * callbacks), choice 1 is inotify merging them (one callback). */
static void test_coalesce_decision(void** state) {
  (void)state;
  const char* rules[] = { "external write /etc/app.conf data=v1 at=50ms",
                          "external write /etc/app.conf data=v2 at=50ms" };
  answers natural = { 0 };
  run(&natural, rules, 2);
  assert_int_equal(natural.asked_coalesce, 1);
  assert_int_equal(ncalls, 2);
  answers merged = { .coalesce = 1 };
  run(&merged, rules, 2);
  assert_int_equal(ncalls, 1);
  assert_string_equal(file_now(), "v2");
}

/* Saves 5 ms apart: read at once (choice 0) they are two callbacks, the
 * first at 50 ms; read 100 ms late (choice 3) the second finds the first
 * unread and may merge with it. */
static void test_latency_decision(void** state) {
  (void)state;
  const char* rules[] = { "external write /etc/app.conf data=v1 at=50ms",
                          "external write /etc/app.conf data=v2 at=55ms" };
  answers at_once = { .coalesce = 1 };
  run(&at_once, rules, 2);
  assert_int_equal(ncalls, 2);
  assert_int_equal(first_ms, 50);
  assert_int_equal(at_once.asked_coalesce, 0);   /* never two unread */
  answers late = { .coalesce = 1, .latency = 3 };
  run(&late, rules, 2);
  assert_int_equal(late.asked_coalesce, 1);
  assert_int_equal(ncalls, 1);
  assert_int_equal(first_ms, 150);
}

/* The loop thread is the reader: its own changes before the next poll are
 * certainly unread, and inotify merges them without a decision. */
static void write_twice(uv_timer_t* t) {
  uv_fs_t req;
  for (int i = 0; i < 2; i++) {
    int fd = uv_fs_open(NULL, &req, "/etc/app.conf", O_WRONLY | O_TRUNC, 0, NULL);
    uv_fs_req_cleanup(&req);
    uv_buf_t b = uv_buf_init((char*)"vx", 2);
    uv_fs_write(NULL, &req, fd, &b, 1, 0, NULL);
    uv_fs_req_cleanup(&req);
    uv_fs_close(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
  }
  uv_close((uv_handle_t*)t, NULL);
}

static void test_loop_thread_merges(void** state) {
  (void)state;
  answers a = { 0 };
  sim_config cfg = { .source = SIM_SRC_CUSTOM, .chooser = choose, .chooser_ctx = &a };
  uvsim_world_begin(&cfg);
  ncalls = 0;
  calls[0] = '\0';
  uvsim_fs_put("/etc/app.conf", "v0", 2);
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t w;
  uv_fs_event_init(loop, &watch);
  uv_fs_event_start(&watch, on_change, "/etc/app.conf", 0);
  uv_timer_init(loop, &w);
  uv_timer_start(&w, write_twice, 10, 0);
  uv_timer_init(loop, &stop_timer);
  uv_timer_start(&stop_timer, on_stop, 100, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(ncalls, 1);
  assert_int_equal(a.asked_coalesce + a.asked_latency, 0);
}

/* A rename over the watched file: the old inode's link count (change),
 * its deletion and the end of the watch (rename twice); a later write to
 * the new file is not heard. */
static void test_external_rename_over(void** state) {
  (void)state;
  const char* rules[] = { "external write /etc/app.conf.new data=v9 at=40ms",
                          "external rename /etc/app.conf.new /etc/app.conf at=50ms",
                          "external write /etc/app.conf data=v10 at=60ms" };
  answers a = { 0 };
  run(&a, rules, 3);
  assert_string_equal(calls, "app.conf:change:0 app.conf:rename:0 app.conf:rename:0");
  assert_string_equal(file_now(), "v10");
}

/* The same seed gives the same trace, decisions and faults included. */
static void test_seeded_repeat(void** state) {
  (void)state;
  const char* rules[] = { "external write /etc/app.conf data=v1 at=50ms",
                          "external append /etc/app.conf data=+ at=51ms",
                          "external touch /etc/app.conf at=52ms" };
  uint64_t h[2];
  char first[512];
  for (int k = 0; k < 2; k++) {
    sim_config cfg = { .source = SIM_SRC_SEED, .seed = 77 };
    uvsim_world_begin(&cfg);
    ncalls = 0;
    calls[0] = '\0';
    uvsim_fs_put("/etc/app.conf", "v0", 2);
    for (int i = 0; i < 3; i++) assert_int_equal(uvsim_fault(rules[i]), 0);
    uv_loop_t* loop = uv_default_loop();
    uv_fs_event_init(loop, &watch);
    uv_fs_event_start(&watch, on_change, "/etc", 0);
    uv_timer_init(loop, &stop_timer);
    uv_timer_start(&stop_timer, on_stop, 1000, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    h[k] = uvsim_trace_hash();
    if (k == 0) snprintf(first, sizeof first, "%s", calls);
  }
  assert_true(h[0] == h[1]);
  assert_string_equal(first, calls);
  assert_string_equal(file_now(), "v1+");
}

/* Bad external rules: a one-line reason each. */
static void test_bad_rules(void** state) {
  (void)state;
  static const struct { const char* spec; const char* says; } bad[] = {
    { "external frob /x at=1ms", "unknown external change 'frob'" },
    { "external write /x at=1ms", "needs data=TEXT" },
    { "external unlink x at=1ms", "needs an absolute path" },
    { "external unlink /x", "needs at=DURATION" },
    { "external touch /x at=1ms data=y", "data= applies only to external write and append" },
    { "external rename /a at=1ms", "needs an absolute path to rename to" },
    { "external write /x data=a\\q at=1ms", "unknown escape" },
    { "external unlink /x at=soon", "must be a duration" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char err[256] = "";
    assert_int_equal(sim_fault_parse_check(bad[i].spec, NULL, err, sizeof err), -1);
    if (strstr(err, bad[i].says) == NULL) fail_msg("'%s' said '%s'", bad[i].spec, err);
    assert_null(strchr(err, '\n'));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_external_write),
    cmocka_unit_test(test_coalesce_decision),
    cmocka_unit_test(test_latency_decision),
    cmocka_unit_test(test_loop_thread_merges),
    cmocka_unit_test(test_external_rename_over),
    cmocka_unit_test(test_seeded_repeat),
    cmocka_unit_test(test_bad_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
