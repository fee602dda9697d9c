/* The kernel's own calls on uv_fs_open's descriptor: fstat, lseek, read,
 * write, pread, pwrite, readv, writev, ftruncate, fcntl and close(2), mixed
 * with uv_fs_read/uv_fs_write at offset -1, which share the descriptor's
 * position. Under libuvsim the number is a simulated file's, answered by
 * loop/fdshim.c; the output must be what the real kernel gives. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "diff.h"

/* "what: N" or "what: UV_EXXX" from a libc call's result. */
static long sys(const char* what, long r) {
  if (r < 0) printf("%s: %s\n", what, uv_err_name(-errno));
  else printf("%s: %ld\n", what, r);
  return r;
}

static int uv_write_str(uv_file fd, const char* s, int64_t off) {
  uv_fs_t req;
  uv_buf_t b = uv_buf_init((char*)s, (unsigned)strlen(s));
  int r = uv_fs_write(NULL, &req, fd, &b, 1, off, NULL);
  uv_fs_req_cleanup(&req);
  return r;
}

static void uv_read_show(const char* what, uv_file fd, int64_t off) {
  char buf[64];
  uv_fs_t req;
  uv_buf_t b = uv_buf_init(buf, sizeof buf - 1);
  int r = uv_fs_read(NULL, &req, fd, &b, 1, off, NULL);
  uv_fs_req_cleanup(&req);
  if (r < 0) printf("%s: %s\n", what, uv_err_name(r));
  else printf("%s: '%.*s'\n", what, r, buf);
}

static void stat_compare(uv_file fd) {
  struct stat st;
  uv_fs_t req;
  if (sys("fstat", fstat(fd, &st)) < 0) return;
  uv_fs_fstat(NULL, &req, fd, NULL);
  uv_stat_t* u = &req.statbuf;
  printf("fstat: regular %d, mode %o, size %lld, nlink %lu, blocks %lld\n", S_ISREG(st.st_mode),
         (unsigned)(st.st_mode & 0777), (long long)st.st_size, (unsigned long)st.st_nlink,
         (long long)st.st_blocks);
  printf("fstat equals uv_fs_fstat: %d\n",
         u->st_dev == (uint64_t)st.st_dev && u->st_ino == (uint64_t)st.st_ino &&
         u->st_mode == (uint64_t)st.st_mode && u->st_size == (uint64_t)st.st_size &&
         u->st_uid == (uint64_t)st.st_uid && u->st_blksize == (uint64_t)st.st_blksize &&
         u->st_mtim.tv_sec == st.st_mtim.tv_sec && u->st_mtim.tv_nsec == st.st_mtim.tv_nsec &&
         u->st_ctim.tv_sec == st.st_ctim.tv_sec);
  uv_fs_req_cleanup(&req);
}

int main(void) {
  mktmp();
  uv_fs_t req;
  uv_file fd = uv_fs_open(NULL, &req, P("f"), UV_FS_O_RDWR | UV_FS_O_CREAT, 0600, NULL);
  uv_fs_req_cleanup(&req);
  if (fd < 0) return show("open", fd), 1;

  /* the position is shared between the kernel's calls and offset -1 */
  sys("write hello", write(fd, "hello ", 6));
  sys("lseek cur", lseek(fd, 0, SEEK_CUR));
  printf("uv_fs_write -1: %d\n", uv_write_str(fd, "world", -1));
  sys("lseek cur", lseek(fd, 0, SEEK_CUR));
  printf("uv_fs_write at 0: %d\n", uv_write_str(fd, "J", 0));
  sys("lseek cur (unmoved)", lseek(fd, 0, SEEK_CUR));
  sys("lseek set 2", lseek(fd, 2, SEEK_SET));
  uv_read_show("uv_fs_read -1", fd, -1);
  sys("lseek end", lseek(fd, 0, SEEK_END));
  sys("lseek end -3", lseek(fd, -3, SEEK_END));
  char buf[64];
  long n = sys("read", read(fd, buf, sizeof buf));
  if (n > 0) printf("read got '%.*s'\n", (int)n, buf);
  sys("read at end", read(fd, buf, sizeof buf));
  sys("lseek negative", lseek(fd, -100, SEEK_CUR));
  sys("lseek bad whence", lseek(fd, 0, 42));
  sys("lseek data", lseek(fd, 1, SEEK_DATA));
  sys("lseek hole", lseek(fd, 1, SEEK_HOLE));
  sys("lseek data past end", lseek(fd, 100, SEEK_DATA));

  /* positioned calls leave the position alone */
  sys("lseek set 0", lseek(fd, 0, SEEK_SET));
  sys("pwrite at 6", pwrite(fd, "W", 1, 6));
  n = sys("pread at 4", pread(fd, buf, 4, 4));
  if (n > 0) printf("pread got '%.*s'\n", (int)n, buf);
  sys("pread negative", pread(fd, buf, 4, -1));
  sys("lseek cur", lseek(fd, 0, SEEK_CUR));

  /* vectors, and a write past the end leaves a gap of zeros */
  struct iovec iov[2] = { { "ab", 2 }, { "cd", 2 } };
  sys("lseek set 20", lseek(fd, 20, SEEK_SET));
  sys("writev", writev(fd, iov, 2));
  char x[3] = { 0 }, y[30] = { 0 };
  struct iovec in[2] = { { x, 2 }, { y, sizeof y } };
  sys("lseek set 0", lseek(fd, 0, SEEK_SET));
  n = sys("readv", readv(fd, in, 2));
  printf("readv: '%s' then %d bytes, zero at 11: %d, tail '%s'\n", x, (int)(n - 2), y[9] == 0,
         y + 18);
  uv_read_show("uv_fs_read -1 after readv", fd, -1);
  stat_compare(fd);
  sys("ftruncate 5", ftruncate(fd, 5));
  stat_compare(fd);
  sys("fsync", fsync(fd));
  sys("fcntl getfl accmode", fcntl(fd, F_GETFL) & O_ACCMODE);
  sys("fcntl getfd cloexec", fcntl(fd, F_GETFD) & FD_CLOEXEC);

  /* a read-only and an append descriptor */
  uv_file ro = uv_fs_open(NULL, &req, P("f"), UV_FS_O_RDONLY, 0, NULL);
  uv_fs_req_cleanup(&req);
  sys("write read-only", write(ro, "x", 1));
  sys("fcntl getfl read-only", fcntl(ro, F_GETFL) & O_ACCMODE);
  sys("close read-only", close(ro));
  uv_file ap = uv_fs_open(NULL, &req, P("f"), UV_FS_O_WRONLY | UV_FS_O_APPEND, 0, NULL);
  uv_fs_req_cleanup(&req);
  sys("lseek append 0", lseek(ap, 0, SEEK_SET));
  sys("write append", write(ap, "!", 1));
  sys("lseek append cur", lseek(ap, 0, SEEK_CUR));
  sys("fcntl getfl append", (fcntl(ap, F_GETFL) & O_APPEND) != 0);
  sys("close append", close(ap));
  printf("file: '%s'\n", get("f"));

  /* close(2) ends it for libuv too, and a second close is EBADF */
  sys("close", close(fd));
  uv_read_show("uv_fs_read after close", fd, 0);
  sys("close again", close(fd));
  sys("fstat after close", fstat(fd, &(struct stat){ 0 }));
  sys("lseek after close", lseek(fd, 0, SEEK_SET));
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
