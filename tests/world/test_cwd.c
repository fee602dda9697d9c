/* tests/world/test_cwd.c — uv_cwd/uv_chdir are the simulated filesystem's:
 * relative paths follow them, the real cwd is untouched, and the size
 * contract is libuv's. (libuv's fs_symlink once passed only by luck while
 * uv_cwd was an ENOSYS stub: it read an uninitialised buffer.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "uvsim.h"

static void cwd_follows_chdir(void** state) {
  (void)state;
  uvsim_world_begin(NULL);
  char real_before[PATH_MAX], real_after[PATH_MAX];
  assert_non_null(getcwd(real_before, sizeof real_before));
  char buf[64];
  size_t size = sizeof buf;
  assert_int_equal(uv_cwd(buf, &size), 0);
  assert_string_equal(buf, "/");
  assert_int_equal(size, 1);
  uv_fs_t req;
  assert_int_equal(uv_fs_mkdir(NULL, &req, "/work", 0755, NULL), 0);
  uv_fs_req_cleanup(&req);
  assert_int_equal(uv_chdir("/work"), 0);
  size = sizeof buf;
  assert_int_equal(uv_cwd(buf, &size), 0);
  assert_string_equal(buf, "/work");
  assert_int_equal(size, 5);
  /* a relative path now lands in /work */
  int fd = uv_fs_open(NULL, &req, "f", O_CREAT | O_WRONLY, 0644, NULL);
  assert_true(fd >= 0);
  uv_fs_req_cleanup(&req);
  assert_int_equal(uv_fs_stat(NULL, &req, "/work/f", NULL), 0);
  uv_fs_req_cleanup(&req);
  assert_int_equal(uv_chdir("/missing"), UV_ENOENT);
  assert_int_equal(uv_chdir("/work/f"), UV_ENOTDIR);
  assert_non_null(getcwd(real_after, sizeof real_after));
  assert_string_equal(real_before, real_after);
  uvsim_world_end();
}

static void cwd_size_contract(void** state) {
  (void)state;
  uvsim_world_begin(NULL);
  uv_fs_t req;
  assert_int_equal(uv_fs_mkdir(NULL, &req, "/abcdef", 0755, NULL), 0);
  uv_fs_req_cleanup(&req);
  assert_int_equal(uv_chdir("/abcdef"), 0);
  char buf[4];
  size_t size = sizeof buf;
  assert_int_equal(uv_cwd(buf, &size), UV_ENOBUFS);
  assert_int_equal(size, 8);   /* "/abcdef" and its NUL */
  size = 0;
  assert_int_equal(uv_cwd(buf, &size), UV_EINVAL);
  assert_int_equal(uv_cwd(NULL, &size), UV_EINVAL);
  uvsim_world_end();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(cwd_follows_chdir),
    cmocka_unit_test(cwd_size_contract),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
