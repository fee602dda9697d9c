/* tests/world/test_owner.c — ownership on the simulated filesystem: every
 * file is the simulated user's (uid/gid 1000, not root), so chown, fchown
 * and lchown may keep (-1) or repeat the owner and group, and any other is
 * EPERM, after the lookup's own errors (ENOENT first). libuv's fs_chown
 * asserts EPERM for chown to root when geteuid() is not 0 — which, under
 * uvsim, it is not (loop/os.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include "uvsim.h"

static int chown_sync(const char* path, uv_uid_t uid, uv_gid_t gid) {
  uv_fs_t req;
  int r = uv_fs_chown(NULL, &req, path, uid, gid, NULL);
  uv_fs_req_cleanup(&req);
  return r;
}

static void only_the_user_may_own(void** state) {
  (void)state;
  uvsim_world_begin(NULL);
  uv_fs_t req;
  int fd = uv_fs_open(NULL, &req, "/tmp/f", O_CREAT | O_WRONLY, 0644, NULL);
  assert_true(fd >= 0);
  uv_fs_req_cleanup(&req);
  assert_int_equal(geteuid(), 1000);
  assert_int_equal(chown_sync("/tmp/f", 0, 0), UV_EPERM);
  assert_int_equal(chown_sync("/tmp/f", (uv_uid_t)-1, 0), UV_EPERM);
  assert_int_equal(chown_sync("/tmp/f", 0, (uv_gid_t)-1), UV_EPERM);
  assert_int_equal(chown_sync("/tmp/f", getuid(), getgid()), 0);
  assert_int_equal(chown_sync("/tmp/f", (uv_uid_t)-1, (uv_gid_t)-1), 0);
  assert_int_equal(chown_sync("/tmp/missing", 0, 0), UV_ENOENT);
  assert_int_equal(uv_fs_fchown(NULL, &req, fd, 0, 0, NULL), UV_EPERM);
  uv_fs_req_cleanup(&req);
  assert_int_equal(uv_fs_fchown(NULL, &req, fd, 1000, 1000, NULL), 0);
  uv_fs_req_cleanup(&req);
  assert_int_equal(uv_fs_lchown(NULL, &req, "/tmp/f", 2, 2, NULL), UV_EPERM);
  uv_fs_req_cleanup(&req);
  assert_int_equal(uv_fs_close(NULL, &req, fd, NULL), 0);
  uv_fs_req_cleanup(&req);
  uvsim_world_end();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(only_the_user_may_own),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
