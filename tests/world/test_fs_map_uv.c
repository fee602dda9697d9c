/* tests/world/test_fs_map_uv.c — a mapped directory through libuv's API.
 *
 * Passthrough: async uv_fs_* on host files still complete in the orders the
 * seed picks (the kernel answers, the simulated pool decides when), and a
 * run's host descriptors are given back at the next run's start.
 * Snapshot: a run is a pure function of its seed — the same hash twice,
 * whatever the host directory does meanwhile — and no run sees another's
 * writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim/loop.h"
#include "uvsim/world.h"
#include "hostdir.h"

#define FILES 4

static int setup(void** state) {
  (void)state;
  host_make("/tmp/uvsim-mapuv-XXXXXX");
  /* sizes 1..4 tell the files apart in the stat results */
  host_put("f0", "a");
  host_put("f1", "bb");
  host_put("f2", "ccc");
  host_put("f3", "dddd");
  uvsim_pool_set_inline(1);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  uvsim_fs_unmap("/data");
  host_remove();
  return 0;
}

/* ------------------------------------------------ passthrough ordering */

static uv_fs_t stats[FILES];
static char order[FILES + 1];
static int done;

static void on_stat(uv_fs_t* req) {
  assert_int_equal(req->result, 0);
  int i = (int)(req - stats);
  assert_int_equal(req->statbuf.st_size, (uint64_t)i + 1);
  order[done++] = (char)('0' + i);
  uv_fs_req_cleanup(req);
}

static void passthrough_completions_reorder(void** state) {
  (void)state;
  assert_int_equal(uvsim_fs_map("/data", host, 0), 0);
  char seen[64][FILES + 1];
  int distinct = 0;
  for (uint64_t seed = 1; seed <= 200; seed++) {
    sim_config cfg = { .source = SIM_SRC_SEED, .seed = seed };
    uvsim_world_begin(&cfg);
    done = 0;
    for (int i = 0; i < FILES; i++) {
      char path[32];
      snprintf(path, sizeof path, "/data/f%d", i);
      assert_int_equal(uv_fs_stat(uv_default_loop(), &stats[i], path, on_stat), 0);
    }
    assert_int_equal(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
    assert_int_equal(done, FILES);
    order[FILES] = '\0';
    int known = 0;
    for (int k = 0; k < distinct; k++) known |= !strcmp(seen[k], order);
    if (!known && distinct < 64) strcpy(seen[distinct++], order);
    uvsim_world_end();
  }
  /* 24 orders exist; 200 seeds find most of them */
  assert_true(distinct >= 12);
}

static void passthrough_fds_do_not_outlive_the_run(void** state) {
  (void)state;
  assert_int_equal(uvsim_fs_map("/data", host, 0), 0);
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = 3 };
  uvsim_world_begin(&cfg);
  int before = open_host_fds();
  uv_fs_t req;
  for (int i = 0; i < FILES; i++) {
    char path[32];
    snprintf(path, sizeof path, "/data/f%d", i);
    assert_true(uv_fs_open(NULL, &req, path, O_RDONLY, 0, NULL) >= 0);
    uv_fs_req_cleanup(&req);   /* and never closed: the program leaks them */
  }
  /* one host file each (each simulated number also has its placeholder
   * in the kernel's table, loop/fdreserve.c) */
  assert_int_equal(open_fds_below_host(), FILES);
  assert_true(open_host_fds() > before + FILES);
  uvsim_world_end();
  uvsim_world_begin(&cfg);
  assert_int_equal(open_host_fds(), before);   /* placeholders gone too */
  assert_int_equal(open_fds_below_host(), 0);
  uvsim_world_end();
}

/* ---------------------------------------------------- snapshot replay */

static uv_fs_t rq[FILES];
static char got[FILES][8];

static void on_read_done(uv_fs_t* req);

static void on_open(uv_fs_t* req) {
  int i = (int)(req - rq);
  int fd = (int)req->result;
  assert_true(fd >= 0);
  uv_fs_req_cleanup(req);
  /* read what is there, then append our index: a later run must not see it */
  uv_buf_t b = uv_buf_init(got[i], sizeof got[i] - 1);
  assert_int_equal(uv_fs_read(NULL, req, fd, &b, 1, 0, NULL) >= 0, 1);
  uv_fs_req_cleanup(req);
  /* The data must live until the callback, as in libuv (a local here was
   * read after on_open returned: ASan's stack-buffer-underflow once world
   * jobs started at the work phase rather than at submission). */
  static char marks[FILES];
  marks[i] = (char)('0' + i);
  b = uv_buf_init(&marks[i], 1);
  req->data = (void*)(intptr_t)fd;
  assert_int_equal(uv_fs_write(uv_default_loop(), req, fd, &b, 1, -1,
                               on_read_done), 0);
}

static void on_read_done(uv_fs_t* req) {
  assert_int_equal(req->result, 1);
  int fd = (int)(intptr_t)req->data;
  uv_fs_req_cleanup(req);
  uv_fs_close(NULL, req, fd, NULL);
  uv_fs_req_cleanup(req);
  uvsim_note(got[req - rq]);
}

static uint64_t snapshot_run(uint64_t seed) {
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = seed };
  uvsim_world_begin(&cfg);
  memset(got, 0, sizeof got);
  for (int i = 0; i < FILES; i++) {
    char path[32];
    snprintf(path, sizeof path, "/data/f%d", i);
    assert_int_equal(uv_fs_open(uv_default_loop(), &rq[i], path,
                                O_RDWR | O_APPEND, 0, on_open), 0);
  }
  assert_int_equal(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
  /* every run read the snapshot's contents, not an earlier run's */
  assert_string_equal(got[0], "a");
  assert_string_equal(got[3], "dddd");
  uint64_t h = uvsim_trace_hash();
  uvsim_world_end();
  return h;
}

static void snapshot_runs_replay_exactly(void** state) {
  (void)state;
  assert_int_equal(uvsim_fs_map("/data", host, UVSIM_FS_MAP_SNAPSHOT), 0);
  uint64_t h7 = snapshot_run(7);
  host_put("f0", "changed on the host after the snapshot");
  assert_int_equal(snapshot_run(7), h7);
  int differs = 0;
  for (uint64_t seed = 8; seed < 40; seed++) differs |= snapshot_run(seed) != h7;
  assert_true(differs);
  assert_int_equal(snapshot_run(7), h7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(passthrough_completions_reorder, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(passthrough_fds_do_not_outlive_the_run,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(snapshot_runs_replay_exactly, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
