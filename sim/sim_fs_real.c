/* sim/sim_fs_real.c — system calls on a mapped real directory (see fs_real.h).
 * Every function is one call and an errno translation: the point of
 * passthrough is that the kernel, not uvsim, decides the answer. */
#include "sim/sim_fs_real.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int neg(int r) { return r < 0 ? -errno : r; }
static ssize_t negs(ssize_t r) { return r < 0 ? -errno : r; }

/* --------------------------------------------------------- descriptors */

int sim_fsr_open(const char* real, int flags, unsigned mode) {
  /* O_CLOEXEC: a mapped file must not leak into a child a test spawns. */
  return neg(open(real, flags | O_CLOEXEC, mode));
}

int sim_fsr_close(int rfd) { return neg(close(rfd)); }

/* close-on-exec: a real child gets only the descriptors uv_spawn gives it */
int sim_fsr_dup(int rfd) { return neg(fcntl(rfd, F_DUPFD_CLOEXEC, 0)); }

ssize_t sim_fsr_read(int rfd, void* buf, size_t len, int64_t off) {
  return negs(off < 0 ? read(rfd, buf, len) : pread(rfd, buf, len, off));
}

ssize_t sim_fsr_write(int rfd, const void* buf, size_t len, int64_t off) {
  return negs(off < 0 ? write(rfd, buf, len) : pwrite(rfd, buf, len, off));
}

int sim_fsr_fsync(int rfd) { return neg(fsync(rfd)); }
int sim_fsr_ftruncate(int rfd, int64_t len) { return neg(ftruncate(rfd, len)); }
int64_t sim_fsr_lseek(int rfd, int64_t off, int whence) {
  off_t r = lseek(rfd, (off_t)off, whence);
  return r < 0 ? -errno : (int64_t)r;
}

static uint64_t ts_ns(struct timespec t) {
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fill(const struct stat* s, sim_stat* st) {
  memset(st, 0, sizeof *st);
  st->dev = s->st_dev;
  st->ino = s->st_ino;
  st->mode = s->st_mode;
  st->nlink = s->st_nlink;
  st->uid = s->st_uid;
  st->gid = s->st_gid;
  st->size = (uint64_t)s->st_size;
  st->blksize = (uint64_t)s->st_blksize;
  st->blocks = (uint64_t)s->st_blocks;
  st->atime_ns = ts_ns(s->st_atim);
  st->mtime_ns = ts_ns(s->st_mtim);
  st->ctime_ns = ts_ns(s->st_ctim);
  /* Linux's stat(2) has no birth time; libuv reports ctime there too. */
  st->birthtime_ns = st->ctime_ns;
}

int sim_fsr_fstat(int rfd, sim_stat* st) {
  struct stat s;
  if (fstat(rfd, &s) < 0) return -errno;
  fill(&s, st);
  return 0;
}

static void to_timespec(int64_t ns, struct timespec* t) {
  t->tv_sec = (time_t)(ns / 1000000000);
  t->tv_nsec = (long)(ns % 1000000000);
  if (t->tv_nsec < 0) t->tv_nsec += 1000000000, t->tv_sec -= 1;
}

int sim_fsr_futime(int rfd, int64_t a, int64_t m) {
  struct timespec ts[2];
  to_timespec(a, &ts[0]);
  to_timespec(m, &ts[1]);
  return neg(futimens(rfd, ts));
}

int sim_fsr_fchmod(int rfd, unsigned mode) { return neg(fchmod(rfd, mode)); }

/* ---------------------------------------------------------------- paths */

int sim_fsr_stat(const char* real, int follow, sim_stat* st) {
  struct stat s;
  if ((follow ? stat(real, &s) : lstat(real, &s)) < 0) return -errno;
  fill(&s, st);
  return 0;
}

int sim_fsr_mkdir(const char* real, unsigned mode) { return neg(mkdir(real, mode)); }
int sim_fsr_rmdir(const char* real) { return neg(rmdir(real)); }
int sim_fsr_unlink(const char* real) { return neg(unlink(real)); }
int sim_fsr_rename(const char* a, const char* b) { return neg(rename(a, b)); }
int sim_fsr_link(const char* a, const char* b) { return neg(link(a, b)); }
int sim_fsr_symlink(const char* t, const char* p) { return neg(symlink(t, p)); }

ssize_t sim_fsr_readlink(const char* real, char* buf, size_t len) {
  return negs(readlink(real, buf, len));
}

int sim_fsr_realpath(const char* real, char* out) {
  char tmp[PATH_MAX];
  if (realpath(real, tmp) == NULL) return -errno;
  if (strlen(tmp) >= SIM_FS_PATH_MAX) return -ENAMETOOLONG;
  strcpy(out, tmp);
  return 0;
}

int sim_fsr_access(const char* real, int mode) { return neg(access(real, mode)); }
int sim_fsr_chmod(const char* real, unsigned mode) { return neg(chmod(real, mode)); }

int sim_fsr_utime(const char* real, int follow, int64_t a, int64_t m) {
  struct timespec ts[2];
  to_timespec(a, &ts[0]);
  to_timespec(m, &ts[1]);
  return neg(utimensat(AT_FDCWD, real, ts, follow ? 0 : AT_SYMLINK_NOFOLLOW));
}

static int cmp_dirent(const void* a, const void* b) {
  return strcmp(((const sim_fs_dirent*)a)->name,
                ((const sim_fs_dirent*)b)->name);
}

static sim_fs_dtype dtype(unsigned char t) {
  switch (t) {
    case DT_REG: return SIM_FS_DT_FILE;
    case DT_DIR: return SIM_FS_DT_DIR;
    case DT_LNK: return SIM_FS_DT_LINK;
    default: return SIM_FS_DT_UNKNOWN;
  }
}

int sim_fsr_list(const char* real, sim_fs_dirent** out) {
  DIR* d = opendir(real);
  if (d == NULL) return -errno;
  size_t n = 0, cap = 16;
  sim_fs_dirent* v = malloc(cap * sizeof *v);
  if (v == NULL) abort();
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n == cap) {
      cap *= 2;
      v = realloc(v, cap * sizeof *v);
      if (v == NULL) abort();
    }
    snprintf(v[n].name, sizeof v[n].name, "%s", e->d_name);
    v[n].type = dtype(e->d_type);
    n++;
  }
  closedir(d);
  qsort(v, n, sizeof *v, cmp_dirent);
  *out = v;
  return (int)n;
}

/* ------------------------------------------------------------- snapshot */

static void push(sim_fsr_snapshot* snap, const char* rel, uint32_t mode,
                 char* data, size_t len) {
  if (snap->n == snap->cap) {
    snap->cap = snap->cap ? snap->cap * 2 : 64;
    snap->ents = realloc(snap->ents, snap->cap * sizeof *snap->ents);
    if (snap->ents == NULL) abort();
  }
  sim_fsr_entry* e = &snap->ents[snap->n++];
  e->rel = strdup(rel);
  if (e->rel == NULL) abort();
  e->mode = mode;
  e->data = data;
  e->len = len;
  snap->bytes += len;
}

/* Reads a whole regular file (or a link's target) into a malloc'd buffer. */
static int slurp(const char* path, const struct stat* s, char** data,
                 size_t* len) {
  *data = NULL;
  *len = 0;
  if (S_ISLNK(s->st_mode)) {
    char* t = malloc(PATH_MAX);
    if (t == NULL) abort();
    ssize_t n = readlink(path, t, PATH_MAX);
    if (n < 0) { free(t); return -errno; }
    *data = t, *len = (size_t)n;
    return 0;
  }
  if (!S_ISREG(s->st_mode) || s->st_size == 0) return 0;
  if ((uint64_t)s->st_size > SIM_FSR_SNAPSHOT_BYTES_MAX) return -E2BIG;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  char* buf = malloc((size_t)s->st_size);
  if (buf == NULL) abort();
  size_t got = 0;
  while (got < (size_t)s->st_size) {
    ssize_t n = read(fd, buf + got, (size_t)s->st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;            /* shrank while read: keep what was there */
    got += (size_t)n;
  }
  close(fd);
  *data = buf, *len = got;
  return 0;
}

static int load_dir(sim_fsr_snapshot* snap, const char* root, const char* rel,
                    char* err, size_t errlen) {
  char dir[PATH_MAX];
  if (snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel) >=
      (int)sizeof dir)
    return -ENAMETOOLONG;
  sim_fs_dirent* ents;
  int n = sim_fsr_list(dir, &ents);
  if (n < 0) {
    snprintf(err, errlen, "%s: %s", dir, strerror(-n));
    return n;
  }
  int r = 0;
  for (int i = 0; i < n && r == 0; i++) {
    char child_rel[PATH_MAX], path[2 * PATH_MAX + 2];
    if (snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, *rel ? "/" : "",
                 ents[i].name) >= (int)sizeof child_rel ||
        snprintf(path, sizeof path, "%s/%s", root, child_rel) >= PATH_MAX) {
      snprintf(err, errlen, "%s/%s: %s", root, child_rel, strerror(ENAMETOOLONG));
      r = -ENAMETOOLONG;
      break;
    }
    struct stat s;
    if (lstat(path, &s) < 0) {
      r = -errno;
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      break;
    }
    if (!S_ISREG(s.st_mode) && !S_ISDIR(s.st_mode) && !S_ISLNK(s.st_mode))
      continue;
    uint64_t size = S_ISREG(s.st_mode) ? (uint64_t)s.st_size : 0;
    if (snap->n >= SIM_FSR_SNAPSHOT_ENTRIES_MAX ||
        snap->bytes + size > SIM_FSR_SNAPSHOT_BYTES_MAX) {
      snprintf(err, errlen, "%s: larger than a snapshot may be (%d entries, "
               "%u MiB)", root, SIM_FSR_SNAPSHOT_ENTRIES_MAX,
               SIM_FSR_SNAPSHOT_BYTES_MAX >> 20);
      r = -E2BIG;
      break;
    }
    char* data;
    size_t len;
    r = slurp(path, &s, &data, &len);
    if (r < 0) {
      snprintf(err, errlen, "%s: %s", path, strerror(-r));
      break;
    }
    push(snap, child_rel, s.st_mode & (S_IFMT | 07777), data, len);
    if (S_ISDIR(s.st_mode)) r = load_dir(snap, root, child_rel, err, errlen);
  }
  free(ents);
  return r;
}

int sim_fsr_snapshot_load(sim_fsr_snapshot* snap, const char* real_root, char* err,
                      size_t errlen) {
  memset(snap, 0, sizeof *snap);
  int r = load_dir(snap, real_root, "", err, errlen);
  if (r < 0) sim_fsr_snapshot_free(snap);
  return r;
}

void sim_fsr_snapshot_free(sim_fsr_snapshot* snap) {
  for (size_t i = 0; i < snap->n; i++) {
    free(snap->ents[i].rel);
    free(snap->ents[i].data);
  }
  free(snap->ents);
  memset(snap, 0, sizeof *snap);
}
