/* The process helpers Node calls at start-up answer as real libuv does:
 * uv_os_getenv/setenv/unsetenv (with libuv's ENOBUFS size contract),
 * uv_os_environ, uv_exepath's truncation, uv_guess_handle on a regular
 * file, and the title round trip. (uv_os_getpid is a fixed number under
 * uvsim, so it is not printed.) */
#include <fcntl.h>
#include <unistd.h>

#include "d.h"

int main(int argc, char** argv) {
  char buf[64];
  size_t size = sizeof buf;
  SAY("getenv missing: %s", E(uv_os_getenv("UVSIM_DIFF_NOPE", buf, &size)));
  SAY("setenv: %s", E(uv_os_setenv("UVSIM_DIFF_VAR", "hello world")));
  size = sizeof buf;
  int r = uv_os_getenv("UVSIM_DIFF_VAR", buf, &size);
  SAY("getenv: %s '%s' size=%zu", E(r), r == 0 ? buf : "", size);
  size = 4;
  r = uv_os_getenv("UVSIM_DIFF_VAR", buf, &size);
  SAY("getenv small: %s size=%zu", E(r), size);
  size = 0;
  SAY("getenv zero: %s", E(uv_os_getenv("UVSIM_DIFF_VAR", buf, &size)));
  SAY("setenv NULL: %s", E(uv_os_setenv(NULL, "x")));
  uv_env_item_t* items;
  int count = 0, found = 0;
  if (uv_os_environ(&items, &count) == 0) {
    for (int i = 0; i < count; i++)
      if (!strcmp(items[i].name, "UVSIM_DIFF_VAR") && !strcmp(items[i].value, "hello world"))
        found++;
    uv_os_free_environ(items, count);
  }
  SAY("environ has it once: %d (count > 0: %d)", found, count > 0);
  SAY("unsetenv: %s", E(uv_os_unsetenv("UVSIM_DIFF_VAR")));
  size = sizeof buf;
  SAY("getenv after unset: %s", E(uv_os_getenv("UVSIM_DIFF_VAR", buf, &size)));

  char exe[4096];
  size = sizeof exe;
  r = uv_exepath(exe, &size);
  SAY("exepath: %s matches /proc: %d", E(r), r == 0 && size == strlen(exe) && exe[0] == '/');
  size = 5;
  r = uv_exepath(exe, &size);
  SAY("exepath truncated: %s size=%zu len=%zu", E(r), size, strlen(exe));
  size = 0;
  SAY("exepath zero: %s", E(uv_exepath(exe, &size)));

  SAY("guess_handle(-1): %d", uv_guess_handle(-1) == UV_UNKNOWN_HANDLE);
  uv_fs_t req;
  char path[] = "/tmp/uvsim-diff-env-XXXXXX";
  int fd = uv_fs_mkstemp(NULL, &req, path, NULL);
  uv_fs_req_cleanup(&req);
  SAY("guess_handle(file): %d", uv_guess_handle(fd) == UV_FILE);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_unlink(NULL, &req, req.path ? req.path : path, NULL);
  uv_fs_req_cleanup(&req);

  SAY("set title before setup_args: %s", E(uv_set_process_title("x")));
  argv = uv_setup_args(argc, argv);
  SAY("set title: %s", E(uv_set_process_title("diff-title")));
  char title[64];
  r = uv_get_process_title(title, sizeof title);
  SAY("get title: %s '%s'", E(r), r == 0 ? title : "");
  SAY("title small: %s", E(uv_get_process_title(title, 3)));
  SAY("memory: %d", uv_get_total_memory() > 0);
  return 0;
}
