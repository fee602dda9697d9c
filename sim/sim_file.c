/* sim/sim_file.c — atomic artifact writes. Every file uvsim produces (reproducer,
 * report, bench JSON) goes through here: write PATH.tmp.<pid>, fsync, rename,
 * so a crash or a full disk never leaves a half-written artifact and never
 * destroys the previous one. */
#include "sim/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sim_write_atomic(const char* path, const void* data, size_t len,
                     char* err, size_t errlen) {
  char tmp[4096];
  int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  if (n < 0 || (size_t)n >= sizeof tmp) {
    if (err) snprintf(err, errlen, "%s: path too long", path);
    return -ENAMETOOLONG;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    if (err) snprintf(err, errlen, "%s: cannot create: %s", path, strerror(e));
    return -e;
  }
  const char* p = data;
  size_t left = len;
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int e = errno;
      close(fd);
      unlink(tmp);
      if (err) snprintf(err, errlen, "%s: write failed: %s", path, strerror(e));
      return -e;
    }
    p += w;
    left -= (size_t)w;
  }
  if (fsync(fd) != 0 && errno != EINVAL) {
    int e = errno;
    close(fd);
    unlink(tmp);
    if (err) snprintf(err, errlen, "%s: fsync failed: %s", path, strerror(e));
    return -e;
  }
  close(fd);
  if (rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    if (err) snprintf(err, errlen, "%s: rename failed: %s", path, strerror(e));
    return -e;
  }
  return 0;
}
