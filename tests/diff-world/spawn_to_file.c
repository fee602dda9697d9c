/* A child's stdio on a file the program opened with uv_fs_open (libuv's
 * spawn_stdout_to_file family), as libuv 1.44 gives it on Linux: what the
 * child writes lands in the file at the position of the shared open file
 * (after what the program wrote, overwriting in the middle, appending with
 * O_APPEND), stdout and stderr on one file keep the order written, the
 * child keeps the file after the program closed its descriptor, a file on
 * stdin is read by the child to its end (the shared position moves as far).
 * Bad options: a directory as the program (EACCES), UV_INHERIT_STREAM of a
 * stream with no descriptor (EINVAL). Files are under /tmp (in memory under
 * libuvsim, the real /tmp under libuv), named per process. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

static uv_loop_t* loop;
static char path[64];

static void on_exit_cb(uv_process_t* p, int64_t status, int sig) {
  printf("  exit %lld signal %d\n", (long long)status, sig);
  uv_close((uv_handle_t*)p, NULL);
}

static int fs_open(int flags) {
  uv_fs_t req;
  int fd = uv_fs_open(NULL, &req, path, flags, 0644, NULL);
  uv_fs_req_cleanup(&req);
  return fd;
}

static void fs_write(int fd, const char* s, int64_t off) {
  uv_fs_t req;
  uv_buf_t b = uv_buf_init((char*)s, (unsigned)strlen(s));
  uv_fs_write(NULL, &req, fd, &b, 1, off, NULL);
  uv_fs_req_cleanup(&req);
}

static void fs_close(int fd) {
  uv_fs_t req;
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
}

/* Prints the file's whole content and what a read at `fd`'s position
 * gives now (the position the child left). */
static void show_file(const char* name, int fd) {
  char buf[256];
  uv_fs_t req;
  int rfd = fs_open(O_RDONLY);
  uv_buf_t b = uv_buf_init(buf, sizeof buf);
  ssize_t n = uv_fs_read(NULL, &req, rfd, &b, 1, 0, NULL);
  uv_fs_req_cleanup(&req);
  fs_close(rfd);
  printf("%s: file [%.*s]", name, n > 0 ? (int)n : 0, buf);
  if (fd >= 0) {
    n = uv_fs_read(NULL, &req, fd, &b, 1, -1, NULL);
    uv_fs_req_cleanup(&req);
    printf(" then [%.*s]", n > 0 ? (int)n : 0, buf);
  }
  printf("\n");
}

/* Runs `sh -c cmd` with descriptors 0-2 as given (-1: ignored). */
static void run(const char* name, const char* cmd, int in, int out, int err, int close_after) {
  uv_stdio_container_t stdio[3];
  int fds[3] = { in, out, err };
  for (int i = 0; i < 3; i++) {
    stdio[i].flags = fds[i] < 0 ? UV_IGNORE : UV_INHERIT_FD;
    stdio[i].data.fd = fds[i];
  }
  char* argv[] = { "/bin/sh", "-c", (char*)cmd, NULL };
  uv_process_options_t o;
  memset(&o, 0, sizeof o);
  o.file = argv[0];
  o.args = argv;
  o.exit_cb = on_exit_cb;
  o.stdio = stdio;
  o.stdio_count = 3;
  static uv_process_t proc;
  int r = uv_spawn(loop, &proc, &o);
  printf("%s: spawn %s\n", name, r ? uv_err_name(r) : "0");
  if (close_after >= 0) fs_close(close_after);
  uv_run(loop, UV_RUN_DEFAULT);
}

int main(void) {
  loop = uv_default_loop();
  snprintf(path, sizeof path, "/tmp/uvsim-spawn-to-file-%d", (int)getpid());

  /* stdout and stderr on one file, after what the program wrote */
  int fd = fs_open(O_CREAT | O_TRUNC | O_RDWR);
  fs_write(fd, "head\n", -1);
  run("both", "echo out; echo err >&2; echo out2", -1, fd, fd, -1);
  fs_write(fd, "tail\n", -1);
  show_file("both", fd);
  fs_close(fd);

  /* in the middle of the file: the child overwrites from the position */
  fd = fs_open(O_CREAT | O_TRUNC | O_RDWR);
  fs_write(fd, "0123456789", -1);
  fs_close(fd);
  fd = fs_open(O_RDWR);
  char two[2];
  uv_buf_t b = uv_buf_init(two, 2);
  uv_fs_t req;
  uv_fs_read(NULL, &req, fd, &b, 1, -1, NULL);
  uv_fs_req_cleanup(&req);
  run("middle", "printf XY", -1, fd, -1, -1);
  show_file("middle", fd);
  fs_close(fd);

  /* O_APPEND: at the end, whatever the position */
  fd = fs_open(O_WRONLY | O_APPEND);
  run("append", "printf '+app'", -1, fd, -1, -1);
  fs_close(fd);
  show_file("append", -1);

  /* the program closes its descriptor at once: the child's stays */
  fd = fs_open(O_CREAT | O_TRUNC | O_WRONLY);
  run("closed", "sleep 0.1; echo late", -1, fd, -1, fd);
  show_file("closed", -1);

  /* a file on stdin: the child reads it to its end; so moves the position */
  fd = fs_open(O_CREAT | O_TRUNC | O_RDWR);
  fs_write(fd, "line one\nline two\n", 0);
  fs_write(fd, "", -1);
  int out = open("/dev/null", O_WRONLY);  /* wc's count is not what we check */
  run("stdin", "wc -l >/dev/null", fd, out, -1, -1);
  close(out);
  show_file("stdin", fd);
  fs_close(fd);

  /* bad options */
  char* dir[] = { "/tmp", NULL };
  uv_process_options_t o;
  memset(&o, 0, sizeof o);
  o.file = "/tmp";
  o.args = dir;
  static uv_process_t p1, p2;
  int r = uv_spawn(loop, &p1, &o);
  printf("directory: %s\n", uv_err_name(r));
  uv_close((uv_handle_t*)&p1, NULL);
  uv_pipe_t fresh;
  uv_pipe_init(loop, &fresh, 0);
  uv_stdio_container_t s1 = { .flags = UV_INHERIT_STREAM, .data.stream = (uv_stream_t*)&fresh };
  o.file = "/bin/true";
  o.stdio = &s1;
  o.stdio_count = 1;
  r = uv_spawn(loop, &p2, &o);
  printf("inherit a stream with no fd: %s\n", uv_err_name(r));
  uv_close((uv_handle_t*)&p2, NULL);
  uv_close((uv_handle_t*)&fresh, NULL);
  uv_run(loop, UV_RUN_DEFAULT);

  uv_fs_t u;
  uv_fs_unlink(NULL, &u, path, NULL);
  uv_fs_req_cleanup(&u);
  printf("loop close %d\n", uv_loop_close(loop));
  return 0;
}
