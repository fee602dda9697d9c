/* tests/sim/test_repro.c — reproducer files: round trip, atomic writes, and
 * a strict reader that rejects each kind of malformed file with a precise
 * "file:line: what" message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sim/sim.h"

static const char* good =
    "# found by uvsim\n"
    "uvsim-reproducer 1\n"
    "version " SIM_VERSION "\n"
    "scenario lost_update/buggy\n"
    "strategy pct\n"
    "seed 18446744073709551615\n"
    "mode sound\n"
    "signature invariant: balance is 50, expected 0\n"
    "hash 00000000deadbeef\n"
    "fault fs.write#3 ENOSPC\n"
    "map /data=/srv/fixtures, with a comma,snapshot\n"
    "decisions 2\n"
    "pool_finish 1/2 fs.stat b\n"
    "read_split 5/12 -\n"
    "end\n";

static void parse_good_file(void** state) {
  (void)state;
  sim_repro r;
  char err[256] = "";
  assert_int_equal(sim_repro_parse(&r, "g.uvsim", good, err, sizeof err), 0);
  assert_string_equal(r.scenario, "lost_update/buggy");
  assert_string_equal(r.strategy, "pct");
  assert_true(r.seed == UINT64_MAX);
  assert_int_equal(r.has_hash, 1);
  assert_true(r.hash == 0xdeadbeef);
  assert_int_equal(r.nfaults, 1);
  assert_string_equal(r.faults[0], "fs.write#3 ENOSPC");
  assert_int_equal(r.nmaps, 1);   /* the rest of the line, spaces and all */
  assert_string_equal(r.maps[0], "/data=/srv/fixtures, with a comma,snapshot");
  assert_int_equal(r.ndecisions, 2);
  assert_int_equal(r.decisions[0].kind, SIM_POOL_FINISH);
  assert_int_equal(r.decisions[0].choice, 1);
  assert_int_equal(r.decisions[0].n, 2);
  assert_string_equal(r.decisions[0].label, "fs.stat b");
  assert_string_equal(r.decisions[1].label, "");
  sim_repro_free(&r);
}

static void round_trip_through_a_file(void** state) {
  (void)state;
  sim s;
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = 123 };
  sim_init(&s, &cfg);
  for (int i = 0; i < 30; i++)
    sim_choose(&s, (sim_kind)(i % 5), 2 + (uint32_t)i, i % 2 ? "pool job a" : "tcp#2 read");
  sim_repro r, back;
  sim_repro_init(&r);
  snprintf(r.scenario, sizeof r.scenario, "echo/buggy");
  r.seed = 123;
  r.has_hash = 1;
  r.hash = sim_trace_hash(&s);
  r.nmaps = 2;
  snprintf(r.maps[0], sizeof r.maps[0], "/a=/host/a,ro");
  snprintf(r.maps[1], sizeof r.maps[1], "/b=/host/b");
  assert_int_equal(sim_repro_take_log(&r, &s), 0);
  char path[] = "/tmp/uvsim-test-XXXXXX";
  assert_non_null(mkdtemp(path));
  char file[300];
  snprintf(file, sizeof file, "%s/r.uvsim", path);
  char err[256] = "";
  assert_int_equal(sim_repro_write(&r, file, err, sizeof err), 0);
  assert_int_equal(sim_repro_read(&back, file, err, sizeof err), 0);
  assert_string_equal(back.scenario, "echo/buggy");
  assert_true(back.hash == r.hash);
  assert_int_equal(back.ndecisions, 30);
  assert_int_equal(back.nmaps, 2);
  assert_string_equal(back.maps[0], "/a=/host/a,ro");
  assert_string_equal(back.maps[1], "/b=/host/b");
  for (size_t i = 0; i < 30; i++) {
    assert_int_equal(back.decisions[i].kind, r.decisions[i].kind);
    assert_int_equal(back.decisions[i].choice, r.decisions[i].choice);
    assert_int_equal(back.decisions[i].n, r.decisions[i].n);
    assert_string_equal(back.decisions[i].label, r.decisions[i].label);
  }
  /* Replaying the choices gives the same hash. */
  uint32_t* list = sim_repro_choices(&back);
  sim_config rc = { .source = SIM_SRC_LIST, .list = list, .list_len = back.ndecisions };
  sim_reset(&s, &rc);
  for (int i = 0; i < 30; i++)
    sim_choose(&s, (sim_kind)(i % 5), 2 + (uint32_t)i, i % 2 ? "pool job a" : "tcp#2 read");
  assert_true(sim_trace_hash(&s) == back.hash);
  free(list);
  /* No temp file is left behind by the atomic write. */
  char tmp[400];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", file, (long)getpid());
  struct stat st;
  assert_int_not_equal(stat(tmp, &st), 0);
  unlink(file);
  rmdir(path);
  sim_repro_free(&r);
  sim_repro_free(&back);
  sim_free(&s);
}

static void failed_write_keeps_old_file(void** state) {
  (void)state;
  char err[256] = "";
  assert_true(sim_write_atomic("/nonexistent-dir/x.uvsim", "x", 1, err, sizeof err) < 0);
  assert_non_null(strstr(err, "/nonexistent-dir/x.uvsim: cannot create"));
}

typedef struct bad_case { const char* text; const char* message; } bad_case;

#define HDR "uvsim-reproducer 1\nversion " SIM_VERSION "\n"
#define FIELDS HDR "scenario s\nstrategy random\nseed 1\n"

static const bad_case bad[] = {
  { "", "b.uvsim:1: empty file: not a uvsim reproducer" },
  { "hello\n", "b.uvsim:1: not a uvsim reproducer" },
  { "uvsim-reproducer 9\n", "b.uvsim:1: reproducer format 9 not supported" },
  { "uvsim-reproducer x\n", "b.uvsim:1: format version 'x' is not a number" },
  { "uvsim-reproducer 1\nversion 7.3.0\n", "b.uvsim:2: reproducer is for uvsim 7.3.0" },
  { HDR "scenario s\nscenario t\n", "b.uvsim:4: duplicate 'scenario'" },
  { HDR "colour blue\n", "b.uvsim:3: unknown key 'colour'" },
  { HDR "scenario s\nstrategy random\nseed -4\n", "b.uvsim:5: seed '-4' is not an unsigned 64-bit number" },
  { HDR "scenario s\nstrategy random\nseed 99999999999999999999\n", "b.uvsim:5: seed '99999999999999999999' is not an unsigned" },
  { HDR "strategy random\nseed 1\ndecisions 0\nend\n", "b.uvsim:5: missing 'scenario' before 'decisions'" },
  { HDR "scenario s\nstrategy random\ndecisions 0\nend\n", "b.uvsim:5: missing 'seed' before 'decisions'" },
  { FIELDS "mode wild\n", "b.uvsim:6: mode 'wild' must be 'sound' or 'aggressive'" },
  { FIELDS "hash 12\n", "b.uvsim:6: hash '12' must be 16 hex digits" },
  { FIELDS "decisions 1\nwarp 1/2 x\nend\n", "b.uvsim:7: unknown decision kind 'warp'" },
  { FIELDS "decisions 1\npool_finish 2/2 x\nend\n", "b.uvsim:7: choice 2 out of range for 2 options" },
  { FIELDS "decisions 1\npool_finish 0/1 x\nend\n", "b.uvsim:7: decision has 1 options; must be 2.." },
  { FIELDS "decisions 1\npool_finish a/2 x\nend\n", "b.uvsim:7: decision value 'a/2' is not two numbers" },
  { FIELDS "decisions 1\npool_finish 1-2 x\nend\n", "b.uvsim:7: decision value '1-2' is not CHOICE/N" },
  { FIELDS "decisions 1\npool_finish 1/2\nend\n", "b.uvsim:7: decision needs a label" },
  { FIELDS "decisions 2\npool_finish 1/2 x\nend\n", "b.uvsim:8: 'decisions 2' but 1 decision lines" },
  { FIELDS "decisions 0\npool_finish 1/2 x\nend\n", "b.uvsim:7: more decision lines than 'decisions 0' announced" },
  { FIELDS "decisions 1\npool_finish 1/2 x\n", "b.uvsim:8: missing 'end' (file truncated?)" },
  { FIELDS "decisions 0\nend\nseed 2\n", "b.uvsim:8: text after 'end'" },
  { FIELDS, "b.uvsim:6: missing 'decisions' section" },
  { FIELDS "end\n", "b.uvsim:6: 'end' before 'decisions'" },
  { FIELDS "map /data\n", "b.uvsim:6: 'map' needs SIM=HOST[,ro|,snapshot]" },
  { FIELDS "map a=b\nmap a=b\nmap a=b\nmap a=b\nmap a=b\nmap a=b\nmap a=b\nmap a=b\nmap a=b\n",
    "b.uvsim:14: too many maps (max 8)" },
  { FIELDS "decisions many\n", "b.uvsim:6: decision count 'many' must be 0.." },
  { FIELDS "seed 2\n", "b.uvsim:6: duplicate 'seed'" },
};

static void malformed_files_are_rejected_precisely(void** state) {
  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    sim_repro r;
    char err[256] = "";
    int rc = sim_repro_parse(&r, "b.uvsim", bad[i].text, err, sizeof err);
    if (rc != -1 || strncmp(err, bad[i].message, strlen(bad[i].message)) != 0)
      fail_msg("case %zu: got rc=%d '%s', want '%s'", i, rc, err, bad[i].message);
    assert_null(r.decisions);
  }
}

static void overlong_line_and_missing_file(void** state) {
  (void)state;
  char* text = malloc(5000);
  snprintf(text, 5000, "%s", FIELDS "signature ");
  size_t n = strlen(text);
  memset(text + n, 'x', 4000);
  text[n + 4000] = '\0';
  sim_repro r;
  char err[256] = "";
  assert_int_equal(sim_repro_parse(&r, "b.uvsim", text, err, sizeof err), -1);
  assert_string_equal(err, "b.uvsim:6: line longer than 1024 characters");
  free(text);
  assert_int_equal(sim_repro_read(&r, "/nonexistent.uvsim", err, sizeof err), -1);
  assert_string_equal(err, "/nonexistent.uvsim: cannot open: No such file or directory");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parse_good_file),
    cmocka_unit_test(round_trip_through_a_file),
    cmocka_unit_test(failed_write_keeps_old_file),
    cmocka_unit_test(malformed_files_are_rejected_precisely),
    cmocka_unit_test(overlong_line_and_missing_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
