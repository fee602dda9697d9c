/* tests/diff-world/diff.h — helpers shared by the differential programs.
 * Each program runs unchanged against real libuv (real files under /tmp,
 * real loopback TCP) and against libuvsim under the natural order; the two
 * outputs must be identical. So programs print no timings, no ports, no
 * absolute paths: only relative names, sizes, and libuv error names. */
#ifndef DIFF_H
#define DIFF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static char diff_base[256];

/* "name: OK" or "name: UV_EXXX" (libuv's own error names). */
static inline int show(const char* what, int r) {
  printf("%s: %s\n", what, r < 0 ? uv_err_name(r) : "OK");
  return r;
}

/* Joins the temp dir and a relative name (rotating static buffers). */
static inline const char* P(const char* rel) {
  static char bufs[8][512];
  static int i;
  char* b = bufs[i++ % 8];
  snprintf(b, 512, "%s/%s", diff_base, rel);
  return b;
}

static inline const char* rel(const char* abs) {
  size_t n = strlen(diff_base);
  if (strncmp(abs, diff_base, n) == 0) return abs[n] == '/' ? abs + n + 1 : abs + n;
  return abs;
}

static inline void mktmp(void) {
  uv_fs_t req;
  int r = uv_fs_mkdtemp(NULL, &req, "/tmp/uvdiff-XXXXXX", NULL);
  if (r < 0) { printf("mkdtemp: %s\n", uv_err_name(r)); exit(1); }
  snprintf(diff_base, sizeof diff_base, "%s", req.path);
  uv_fs_req_cleanup(&req);
}

/* Removes a tree with synchronous libuv calls. */
static inline void rmtree(const char* path) {
  uv_fs_t req;
  uv_dirent_t ent;
  if (uv_fs_lstat(NULL, &req, path, NULL) < 0) { uv_fs_req_cleanup(&req); return; }
  int dir = (req.statbuf.st_mode & 0170000) == 0040000;
  uv_fs_req_cleanup(&req);
  if (!dir) {
    uv_fs_unlink(NULL, &req, path, NULL);
    uv_fs_req_cleanup(&req);
    return;
  }
  if (uv_fs_scandir(NULL, &req, path, 0, NULL) >= 0) {
    while (uv_fs_scandir_next(&req, &ent) != UV_EOF) {
      char child[1024];
      size_t pl = strlen(path), nl = strlen(ent.name);
      if (pl + nl + 2 > sizeof child) continue;
      memcpy(child, path, pl);
      child[pl] = '/';
      memcpy(child + pl + 1, ent.name, nl + 1);
      rmtree(child);
    }
  }
  uv_fs_req_cleanup(&req);
  uv_fs_rmdir(NULL, &req, path, NULL);
  uv_fs_req_cleanup(&req);
}

static inline void rmtmp(void) { rmtree(diff_base); }

/* Writes a whole file synchronously. */
static inline void put(const char* relname, const char* data) {
  uv_fs_t req;
  int fd = uv_fs_open(NULL, &req, P(relname), UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_TRUNC,
                      0644, NULL);
  uv_fs_req_cleanup(&req);
  if (fd < 0) { printf("put %s: %s\n", relname, uv_err_name(fd)); return; }
  uv_buf_t b = uv_buf_init((char*)data, (unsigned)strlen(data));
  uv_fs_write(NULL, &req, fd, &b, 1, 0, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
}

/* Reads a whole (small) file synchronously into a static buffer. */
static inline const char* get(const char* relname) {
  static char buf[4096];
  uv_fs_t req;
  int fd = uv_fs_open(NULL, &req, P(relname), UV_FS_O_RDONLY, 0, NULL);
  uv_fs_req_cleanup(&req);
  if (fd < 0) return uv_err_name(fd);
  uv_buf_t b = uv_buf_init(buf, sizeof buf - 1);
  int n = uv_fs_read(NULL, &req, fd, &b, 1, 0, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  buf[n < 0 ? 0 : n] = '\0';
  return buf;
}

/* Runs the loop and reports whether it closed cleanly. */
static inline void finish(uv_loop_t* loop) {
  uv_run(loop, UV_RUN_DEFAULT);
  printf("close: %s\n", uv_loop_close(loop) == 0 ? "OK" : "BUSY");
}

#endif
