/* loop/fs.c — uv_fs_* on the simulated filesystem (sim/sim_fs.h).
 *
 * Same shape as libuv: each call fills the request, then either runs the
 * operation at once (cb == NULL: synchronous, the result is returned) or
 * hands it to the simulated thread pool, which decides when each job
 * finishes; the operation takes effect when its job runs, and the callback
 * comes in the loop's poll phase. Faults (sim/sim_fault.h) are checked when an
 * operation runs. Descriptors 0-2 pass through to the real stdio so that
 * programs can print with uv_fs_write; the program's own real descriptors
 * (below SIM_FS_FD_BASE) go to the kernel; every other one is simulated.
 */
#include "loop/internal.h"
#include "loop/os.h"
#include "loop/fdshim.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim_fault.h"
#include "sim/sim_fs.h"
#include "uvsim/loop.h"
#include "loop/world_io.h"

/* --------------------------------------------------------------- helpers */

#define FS_IOV_MAX 1024         /* Linux's IOV_MAX */

static sim_fs* FS(void) {
  uvs__fs_env_maps();
  return sim_fs_current();
}

/* A low number dup2 gave a simulated file (loop/fdshim.c) is the file's,
 * not the kernel's: libuv's spawn_stdout_and_stderr_to_file2 reads and
 * closes stderr's number after dup2 of a file onto it. */
static int is_low_sim(uv_file fd) { return sim_fs_is_open(sim_fs_current(), fd); }

static int is_stdio(uv_file fd) { return fd >= 0 && fd <= 2 && !is_low_sim(fd); }

/* A fault rule for this operation? Fills *short_max when it limits a
 * transfer; returns -errno when it fails the operation. */
static int fault(uv_fs_t* req, sim_fault_op op, const char* target, int fd,
                 size_t* short_max) {
  sim_fault_hit hit;
  if (!sim_fault_check(sim_faults_current(), op, target, fd, &hit)) return 0;
  (void)req;
  if (short_max && hit.short_max) *short_max = hit.short_max;
  /* A latency spike: the pool job takes that much longer (nothing for a
   * synchronous call, which takes no virtual time). */
  if (hit.delay_ns) uvsim_pool_cost_ns(hit.delay_ns);
  return hit.err ? -hit.err : 0;
}

/* Nanoseconds since the epoch (negative before it) as a timespec whose
 * tv_nsec is in [0, 1e9), like the kernel's. */
static uv_timespec_t to_ts(uint64_t raw) {
  int64_t ns = (int64_t)raw;
  int64_t sec = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) { rem += 1000000000; sec -= 1; }
  uv_timespec_t t = { (long)sec, (long)rem };
  return t;
}

static void to_uv_stat(const sim_stat* s, uv_stat_t* u) {
  memset(u, 0, sizeof *u);
  u->st_dev = s->dev;
  u->st_mode = s->mode;
  u->st_nlink = s->nlink;
  u->st_uid = s->uid;
  u->st_gid = s->gid;
  u->st_ino = s->ino;
  u->st_size = s->size;
  u->st_blksize = s->blksize;
  u->st_blocks = s->blocks;
  u->st_atim = to_ts(s->atime_ns);
  u->st_mtim = to_ts(s->mtime_ns);
  u->st_ctim = to_ts(s->ctime_ns);
  u->st_birthtim = to_ts(s->birthtime_ns);
}

/* libuv hands seconds as doubles and keeps microseconds (it drops the
 * rest of the nanoseconds for consistency across platforms). */
static int64_t to_ns(double t) {
  int64_t sec = (int64_t)t;
  int64_t ns = (int64_t)((t - (double)sec) * 1e9);
  ns -= ns % 1000;
  if (ns < 0) {
    ns += 1000000000;
    sec -= 1;
  }
  return sec * 1000000000 + ns;
}

/* ------------------------------------------------------------ the work */

/* A descriptor below SIM_FS_FD_BASE was never handed out by the simulation
 * (its own start there), unless dup2 put a simulated file there: it is one the program got from the kernel itself,
 * with pipe(2), open(2), socket(2), or its stdio. Operations on it are done
 * by the kernel, as libuv does them, so a program that reads a real pipe
 * with uv_fs_read works (libuv's fs_partial_read, eintr_handling). Nothing
 * of the simulated world is touched, and only when such a call completes is
 * real: an asynchronous one is still a job of the simulated pool. */
static int is_real(uv_file fd) {
  return fd >= 0 && fd < SIM_FS_FD_BASE && !is_low_sim(fd);
}

/* Room for the iovecs of one call: at most IOV_MAX, on the heap (16 KiB
 * of thread-local arrays would be static TLS in every thread of the
 * program, and pthread_create refuses small stacks that cannot hold it). */
static struct iovec* iov_alloc(unsigned nbufs) {
  return malloc((nbufs < FS_IOV_MAX ? (nbufs ? nbufs : 1) : FS_IOV_MAX) * sizeof(struct iovec));
}

/* One readv(2)/preadv(2) of at most IOV_MAX buffers, cut to *limit bytes
 * when a fault rule shortens it; EINTR is returned, not retried, as libuv
 * does for reads. */
static ssize_t real_read(uv_fs_t* req, size_t limit) {
  struct iovec* iov = iov_alloc(req->nbufs);
  if (iov == NULL) return UV_ENOMEM;
  unsigned n = 0;
  size_t total = 0;
  for (unsigned i = 0; i < req->nbufs && n < FS_IOV_MAX; i++) {
    size_t len = req->bufs[i].len;
    if (limit && total + len > limit) len = limit - total;
    if (len == 0 && req->bufs[i].len) break;
    iov[n].iov_base = req->bufs[i].base;
    iov[n++].iov_len = len;
    total += len;
  }
  ssize_t r = req->off < 0 ? readv(req->file, iov, (int)n)
                           : preadv(req->file, iov, (int)n, req->off);
  if (r < 0) r = -errno;
  free(iov);
  return r;
}

/* Writes every buffer, as libuv's write loop does: IOV_MAX buffers per
 * writev(2)/pwritev(2), EINTR retried, a partial write continued from where
 * it stopped; the count written, or the error when nothing was. */
static ssize_t real_write(uv_fs_t* req, size_t limit) {
  struct iovec* iov = iov_alloc(req->nbufs);
  if (iov == NULL) return UV_ENOMEM;
  ssize_t result = 0;
  size_t total = 0;
  unsigned i = 0;
  size_t skip = 0;              /* bytes of bufs[i] already written */
  while (i < req->nbufs && (!limit || total < limit)) {
    unsigned n = 0;
    size_t room = limit ? limit - total : SIZE_MAX;
    for (unsigned j = i; j < req->nbufs && n < FS_IOV_MAX && room > 0; j++) {
      size_t off = j == i ? skip : 0;
      size_t len = req->bufs[j].len - off;
      if (len > room) len = room;
      iov[n].iov_base = req->bufs[j].base + off;
      iov[n++].iov_len = len;
      room -= len;
    }
    ssize_t r;
    do {
      r = req->off < 0 ? writev(req->file, iov, (int)n)
                       : pwritev(req->file, iov, (int)n, req->off + (off_t)total);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) {
      result = r < 0 ? -errno : 0;
      break;
    }
    total += (size_t)r;
    for (size_t left = (size_t)r; i < req->nbufs && left > 0;) {
      size_t rest = req->bufs[i].len - skip;
      if (left < rest) {
        skip += left;
        left = 0;
      } else {
        left -= rest;
        skip = 0;
        i++;
      }
    }
    while (i < req->nbufs && req->bufs[i].len == 0) i++;
  }
  free(iov);
  return total ? (ssize_t)total : result;
}

/* The other operations on a real descriptor (not stdio, which keeps its
 * own rules below): the kernel's answer. */
static ssize_t real_fd_call(uv_fs_t* req) {
  int r;
  switch (req->fs_type) {
  case UV_FS_CLOSE:
    r = close(req->file);
    if (r < 0 && (errno == EINTR || errno == EINPROGRESS)) r = 0;  /* closed */
    break;
  case UV_FS_FTRUNCATE: r = ftruncate(req->file, req->off); break;
  case UV_FS_FSYNC: r = fsync(req->file); break;
  case UV_FS_FDATASYNC: r = fdatasync(req->file); break;
  case UV_FS_FCHMOD: r = fchmod(req->file, req->mode); break;
  case UV_FS_FCHOWN: r = fchown(req->file, req->uid, req->gid); break;
  case UV_FS_FUTIME: {
    int64_t a = to_ns(req->atime), m = to_ns(req->mtime);
    struct timespec ts[2] = { { (time_t)(a / 1000000000), (long)(a % 1000000000) },
                              { (time_t)(m / 1000000000), (long)(m % 1000000000) } };
    r = futimens(req->file, ts);
    break;
  }
  default: return UV_ENOSYS;
  }
  return r < 0 ? -errno : 0;
}

/* fstat(2) of a real descriptor, in uv_stat_t's terms. */
static ssize_t real_fstat(uv_fs_t* req) {
  struct stat st;
  if (fstat(req->file, &st) < 0) return -errno;
  uv_stat_t* u = &req->statbuf;
  memset(u, 0, sizeof *u);
  u->st_dev = st.st_dev;
  u->st_mode = st.st_mode;
  u->st_nlink = st.st_nlink;
  u->st_uid = st.st_uid;
  u->st_gid = st.st_gid;
  u->st_rdev = st.st_rdev;
  u->st_ino = st.st_ino;
  u->st_size = (uint64_t)st.st_size;
  u->st_blksize = (uint64_t)st.st_blksize;
  u->st_blocks = (uint64_t)st.st_blocks;
  u->st_atim.tv_sec = st.st_atim.tv_sec;
  u->st_atim.tv_nsec = st.st_atim.tv_nsec;
  u->st_mtim.tv_sec = st.st_mtim.tv_sec;
  u->st_mtim.tv_nsec = st.st_mtim.tv_nsec;
  u->st_ctim.tv_sec = st.st_ctim.tv_sec;
  u->st_ctim.tv_nsec = st.st_ctim.tv_nsec;
  req->ptr = u;
  return 0;
}


static ssize_t do_read(uv_fs_t* req) {
  size_t limit = 0;
  int f = fault(req, SIM_FOP_READ, sim_fs_fd_path(FS(), req->file), req->file, &limit);
  if (f < 0) return f;
  if (is_real(req->file)) return real_read(req, limit);
  ssize_t total = 0;
  /* One preadv(2): at most IOV_MAX buffers, as libuv passes them. */
  unsigned nbufs = req->nbufs < FS_IOV_MAX ? req->nbufs : FS_IOV_MAX;
  for (unsigned i = 0; i < nbufs; i++) {
    size_t want = req->bufs[i].len;
    if (limit && (size_t)total + want > limit) want = limit - (size_t)total;
    if (want == 0 && req->bufs[i].len) break;
    int64_t off = req->off < 0 ? -1 : req->off + total;
    ssize_t n = sim_fs_read(FS(), req->file, req->bufs[i].base, want, off);
    if (n < 0) return total ? total : n;
    total += n;
    if ((size_t)n < req->bufs[i].len) break;
  }
  return total;
}

static ssize_t do_write(uv_fs_t* req) {
  size_t limit = 0;
  int f = fault(req, SIM_FOP_WRITE, sim_fs_fd_path(FS(), req->file), req->file, &limit);
  if (f < 0) return f;
  if (is_real(req->file)) return real_write(req, limit);
  ssize_t total = 0;
  for (unsigned i = 0; i < req->nbufs; i++) {
    size_t want = req->bufs[i].len;
    if (limit && (size_t)total + want > limit) want = limit - (size_t)total;
    if (want == 0 && req->bufs[i].len) break;
    int64_t off = req->off < 0 ? -1 : req->off + total;
    ssize_t n = sim_fs_write(FS(), req->file, req->bufs[i].base, want, off);
    if (n < 0) return total ? total : n;
    total += n;
    if ((size_t)n < req->bufs[i].len) break;
  }
  return total;
}

static ssize_t do_stat(uv_fs_t* req, int kind) {
  sim_stat st;
  int r = fault(req, SIM_FOP_STAT, req->path ? req->path : sim_fs_fd_path(FS(), req->file),
                req->file, NULL);
  if (r < 0) return r;
  if (kind == UV_FS_FSTAT) {
    if (is_stdio(req->file)) {
      memset(&st, 0, sizeof st);
      st.mode = S_IFCHR | 0620;
      st.nlink = 1;
      r = 0;
    } else if (is_real(req->file)) {
      return real_fstat(req);
    } else {
      r = sim_fs_fstat(FS(), req->file, &st);
    }
  } else if (kind == UV_FS_STAT) {
    r = sim_fs_stat(FS(), req->path, &st);
  } else {
    r = sim_fs_lstat(FS(), req->path, &st);
  }
  if (r == 0) {
    to_uv_stat(&st, &req->statbuf);
    req->ptr = &req->statbuf;
  }
  return r;
}

static ssize_t do_scandir(uv_fs_t* req) {
  int r = fault(req, SIM_FOP_SCANDIR, req->path, -1, NULL);
  if (r < 0) return r;
  sim_fs_dirent* ents = NULL;
  r = sim_fs_scandir(FS(), req->path, &ents);
  if (r < 0) return r;
  if (r == 0) {                 /* libuv leaves no list for an empty dir */
    free(ents);
    ents = NULL;
  }
  req->ptr = ents;
  req->nbufs = 0;               /* the scandir_next cursor, as in libuv */
  return r;
}

/* The private DIR* of uv_dir_t carries the sim stream handle + 1. */
static int dir_handle(const uv_dir_t* dir) { return (int)(intptr_t)dir->dir - 1; }

static ssize_t do_opendir(uv_fs_t* req) {
  int r = fault(req, SIM_FOP_SCANDIR, req->path, -1, NULL);
  if (r < 0) return r;
  int h = sim_fs_opendir(FS(), req->path);
  if (h < 0) return h;
  uv_dir_t* dir = calloc(1, sizeof *dir);
  if (dir == NULL) {
    sim_fs_closedir(FS(), h);
    return UV_ENOMEM;
  }
  dir->dir = (DIR*)(intptr_t)(h + 1);
  req->ptr = dir;
  return 0;
}

static ssize_t do_readdir(uv_fs_t* req) {
  uv_dir_t* dir = req->ptr;
  int r = fault(req, SIM_FOP_READDIR, NULL, -1, NULL);
  if (r < 0) return r;
  if (dir->dirents == NULL || dir->nentries == 0) return 0;
  sim_fs_dirent ents[64];
  size_t want = dir->nentries < 64 ? dir->nentries : 64;
  int n = sim_fs_readdir(FS(), dir_handle(dir), ents, want);
  if (n < 0) return n;
  for (int i = 0; i < n; i++) {
    dir->dirents[i].name = strdup(ents[i].name);
    dir->dirents[i].type = (uv_dirent_type_t)ents[i].type;
  }
  return n;
}

static ssize_t do_closedir(uv_fs_t* req) {
  uv_dir_t* dir = req->ptr;
  sim_fs_closedir(FS(), dir_handle(dir));
  free(dir);
  req->ptr = NULL;
  return 0;
}

static ssize_t do_readlink_or_realpath(uv_fs_t* req, int realpath) {
  int r = fault(req, SIM_FOP_READLINK, req->path, -1, NULL);
  if (r < 0) return r;
  char* buf = malloc(SIM_FS_PATH_MAX);
  if (buf == NULL) return UV_ENOMEM;
  if (realpath) {
    r = sim_fs_realpath(FS(), req->path, buf, SIM_FS_PATH_MAX);
  } else {
    ssize_t n = sim_fs_readlink(FS(), req->path, buf, SIM_FS_PATH_MAX - 1);
    r = n < 0 ? (int)n : 0;
    if (n >= 0) buf[n] = '\0';
  }
  if (r < 0) {
    free(buf);
    return r;
  }
  req->ptr = buf;
  return 0;
}

static ssize_t do_copyfile(uv_fs_t* req) {
  int r = fault(req, SIM_FOP_COPYFILE, req->path, -1, NULL);
  if (r < 0) return r;
  if (req->flags & UV_FS_COPYFILE_FICLONE_FORCE) return UV_ENOTSUP;
  return sim_fs_copyfile(FS(), req->path, req->new_path,
                         req->flags & UV_FS_COPYFILE_EXCL);
}

/* sendfile's two ends may each be real or simulated. */
static ssize_t fd_pread(int fd, char* buf, size_t n, int64_t off) {
  if (!is_real(fd)) return sim_fs_read(FS(), fd, buf, n, off);
  ssize_t r = pread(fd, buf, n, (off_t)off);
  return r < 0 ? -errno : r;
}

static ssize_t fd_write(int fd, const char* buf, size_t n) {
  if (!is_real(fd)) return sim_fs_write(FS(), fd, buf, n, -1);
  ssize_t r = write(fd, buf, n);
  return r < 0 ? -errno : r;
}

static ssize_t do_sendfile(uv_fs_t* req) {
  /* in fd = req->flags, out fd = req->file, as libuv stores them. */
  char buf[8192];
  size_t want = req->bufsml[0].len;
  size_t done = 0;
  while (done < want) {
    size_t chunk = want - done < sizeof buf ? want - done : sizeof buf;
    ssize_t n = fd_pread(req->flags, buf, chunk, req->off + (int64_t)done);
    if (n < 0) return done ? (ssize_t)done : n;
    if (n == 0) break;
    ssize_t w = fd_write(req->file, buf, (size_t)n);
    if (w < 0) return done ? (ssize_t)done : w;
    done += (size_t)w;
  }
  return (ssize_t)done;
}

/* A tmpfs-like volume of 1 GiB; the numbers are fixed, not measured. */
static ssize_t do_statfs(uv_fs_t* req) {
  sim_stat st;
  int r = sim_fs_stat(FS(), req->path, &st);
  if (r < 0) return r;
  uv_statfs_t* sf = calloc(1, sizeof *sf);
  if (sf == NULL) return UV_ENOMEM;
  sf->f_type = 0x01021994;      /* TMPFS_MAGIC */
  sf->f_bsize = 4096;
  sf->f_blocks = 262144;
  sf->f_bfree = 262144 - sim_fs_inode_count(FS());
  sf->f_bavail = sf->f_bfree;
  sf->f_files = 65536;
  sf->f_ffree = 65536 - sim_fs_inode_count(FS());
  req->ptr = sf;
  return 0;
}

/* The fault rule operation a request is checked against before it runs, or
 * -1: the do_* helpers check their own, and ownership is not simulated. */
static int fs_fault_op(uv_fs_type t) {
  switch (t) {
  case UV_FS_OPEN:
  case UV_FS_MKSTEMP: return SIM_FOP_OPEN;
  case UV_FS_CLOSE: return SIM_FOP_CLOSE;
  case UV_FS_FTRUNCATE: return SIM_FOP_FTRUNCATE;
  case UV_FS_UTIME:
  case UV_FS_LUTIME:
  case UV_FS_FUTIME: return SIM_FOP_UTIME;
  case UV_FS_ACCESS: return SIM_FOP_ACCESS;
  case UV_FS_CHMOD:
  case UV_FS_FCHMOD: return SIM_FOP_CHMOD;
  case UV_FS_FSYNC:
  case UV_FS_FDATASYNC: return SIM_FOP_FSYNC;
  case UV_FS_UNLINK: return SIM_FOP_UNLINK;
  case UV_FS_RMDIR: return SIM_FOP_RMDIR;
  case UV_FS_MKDIR:
  case UV_FS_MKDTEMP: return SIM_FOP_MKDIR;
  case UV_FS_RENAME: return SIM_FOP_RENAME;
  case UV_FS_LINK: return SIM_FOP_LINK;
  case UV_FS_SYMLINK: return SIM_FOP_SYMLINK;
  default: return -1;
  }
}

/* Requests on a descriptor (req->file) rather than a path. */
static int fs_on_fd(uv_fs_type t) {
  return t == UV_FS_CLOSE || t == UV_FS_FTRUNCATE || t == UV_FS_FUTIME ||
         t == UV_FS_FCHMOD || t == UV_FS_FSYNC || t == UV_FS_FDATASYNC ||
         t == UV_FS_FCHOWN;
}

/* The fault rules, before the request runs: 0, or -errno to fail it. A
 * rule matches a descriptor by its path, a symlink by the link it makes. */
static int fs_fault(sim_fs* fs, uv_fs_t* req) {
  int op = fs_fault_op(req->fs_type);
  if (op < 0) return 0;
  if (fs_on_fd(req->fs_type))
    return fault(req, (sim_fault_op)op, sim_fs_fd_path(fs, req->file), req->file, NULL);
  const char* target = req->fs_type == UV_FS_SYMLINK ? req->new_path : req->path;
  return fault(req, (sim_fault_op)op, target, -1, NULL);
}

/* Ownership is not stored: every simulated file is the simulated user's
 * (uid and gid UVS__USER_UID/GID, not root; docs/loop.md "The machine").
 * So after the lookup (`found`, ENOENT and the like first), a chown may
 * only leave the owner and group (-1) or name them again; any other is
 * EPERM, as chown(2) answers an unprivileged owner. */
static ssize_t chown_check(const uv_fs_t* req, ssize_t found) {
  if (found < 0) return found;
  if (req->uid != (uv_uid_t)-1 && req->uid != UVS__USER_UID) return UV_EPERM;
  if (req->gid != (uv_gid_t)-1 && req->gid != UVS__USER_GID) return UV_EPERM;
  return 0;
}

/* Requests on a path, after the fault rules let them through. */
static ssize_t fs_path_call(sim_fs* fs, uv_fs_t* req) {
  sim_stat st;
  ssize_t r;
  switch (req->fs_type) {
  case UV_FS_OPEN: return sim_fs_open(fs, req->path, req->flags, (unsigned)req->mode);
  case UV_FS_UTIME:
    return sim_fs_utime(fs, req->path, to_ns(req->atime), to_ns(req->mtime));
  case UV_FS_LUTIME:
    return sim_fs_lutime(fs, req->path, to_ns(req->atime), to_ns(req->mtime));
  case UV_FS_ACCESS: return sim_fs_access(fs, req->path, req->flags);
  case UV_FS_CHMOD: return sim_fs_chmod(fs, req->path, (unsigned)req->mode);
  case UV_FS_UNLINK: return sim_fs_unlink(fs, req->path);
  case UV_FS_RMDIR: return sim_fs_rmdir(fs, req->path);
  case UV_FS_MKDIR: return sim_fs_mkdir(fs, req->path, (unsigned)req->mode);
  case UV_FS_MKDTEMP: return sim_fs_mkdtemp(fs, (char*)req->path);
  case UV_FS_MKSTEMP:
    r = sim_fs_mkstemp(fs, (char*)req->path);
    if (r < 0) ((char*)req->path)[0] = '\0';   /* as libuv leaves it */
    return r;
  case UV_FS_RENAME: return sim_fs_rename(fs, req->path, req->new_path);
  case UV_FS_LINK: return sim_fs_link(fs, req->path, req->new_path);
  case UV_FS_SYMLINK: return sim_fs_symlink(fs, req->path, req->new_path);
  case UV_FS_CHOWN: return chown_check(req, sim_fs_stat(fs, req->path, &st));
  case UV_FS_LCHOWN: return chown_check(req, sim_fs_lstat(fs, req->path, &st));
  default: return UV_ENOSYS;
  }
}

/* Requests on a descriptor, after the fault rules let them through. */
static ssize_t fs_fd_call(sim_fs* fs, uv_fs_t* req) {
  sim_stat st;
  if (is_real(req->file) && !is_stdio(req->file)) return real_fd_call(req);
  switch (req->fs_type) {
  case UV_FS_CLOSE: return is_stdio(req->file) ? 0 : sim_fs_close(fs, req->file);
  case UV_FS_FTRUNCATE: return sim_fs_ftruncate(fs, req->file, req->off);
  case UV_FS_FUTIME:
    return sim_fs_futime(fs, req->file, to_ns(req->atime), to_ns(req->mtime));
  case UV_FS_FCHMOD: return sim_fs_fchmod(fs, req->file, (unsigned)req->mode);
  case UV_FS_FSYNC:
  case UV_FS_FDATASYNC:
    return is_stdio(req->file) ? UV_EINVAL : sim_fs_fsync(fs, req->file);
  case UV_FS_FCHOWN: return chown_check(req, sim_fs_fstat(fs, req->file, &st));
  default: return UV_ENOSYS;
  }
}

/* The operation itself: a do_* helper (which checks its own fault rules),
 * or a call on a descriptor or a path. */
static ssize_t fs_call(sim_fs* fs, uv_fs_t* req) {
  switch (req->fs_type) {
  case UV_FS_READ: return do_read(req);
  case UV_FS_WRITE: return do_write(req);
  case UV_FS_SENDFILE: return do_sendfile(req);
  case UV_FS_STAT:
  case UV_FS_LSTAT:
  case UV_FS_FSTAT: return do_stat(req, req->fs_type);
  case UV_FS_SCANDIR: return do_scandir(req);
  case UV_FS_READLINK: return do_readlink_or_realpath(req, 0);
  case UV_FS_REALPATH: return do_readlink_or_realpath(req, 1);
  case UV_FS_COPYFILE: return do_copyfile(req);
  case UV_FS_OPENDIR: return do_opendir(req);
  case UV_FS_READDIR: return do_readdir(req);
  case UV_FS_CLOSEDIR: return do_closedir(req);
  case UV_FS_STATFS: return do_statfs(req);
  default: return fs_on_fd(req->fs_type) ? fs_fd_call(fs, req) : fs_path_call(fs, req);
  }
}

/* Runs the operation against the simulated world. Called at once for a
 * synchronous request, when its pool job runs for an asynchronous one. */
static void fs_work(uv_fs_t* req) {
  sim_fs* fs = FS();
  int e = fs_fault(fs, req);
  req->result = e < 0 ? e : fs_call(fs, req);
  /* the kernel must not give a simulated file's number to a real
   * descriptor while the program holds it (fdreserve.c) */
  if ((req->fs_type == UV_FS_OPEN || req->fs_type == UV_FS_MKSTEMP) && req->result >= 0)
    uvs__fd_reserve((int)req->result);
  if (req->fs_type == UV_FS_CLOSE && req->result == 0) uvs__fd_release(req->file);
}

/* ---------------------------------------------------------- submission */

/* The pool's job record; uv_fs_t's own work_req is too small for it, so
 * it is allocated and found again through work_req.wq[0] (uv_cancel). */
typedef struct fs_job {
  uvs__work w;                  /* first: the pool hands it back          */
  uv_fs_t* req;
} fs_job;

static const char* const op_names[] = {
  [UV_FS_OPEN] = "open", [UV_FS_CLOSE] = "close", [UV_FS_READ] = "read",
  [UV_FS_WRITE] = "write", [UV_FS_SENDFILE] = "sendfile", [UV_FS_STAT] = "stat",
  [UV_FS_LSTAT] = "lstat", [UV_FS_FSTAT] = "fstat", [UV_FS_FTRUNCATE] = "ftruncate",
  [UV_FS_UTIME] = "utime", [UV_FS_FUTIME] = "futime", [UV_FS_ACCESS] = "access",
  [UV_FS_CHMOD] = "chmod", [UV_FS_FCHMOD] = "fchmod", [UV_FS_FSYNC] = "fsync",
  [UV_FS_FDATASYNC] = "fdatasync", [UV_FS_UNLINK] = "unlink", [UV_FS_RMDIR] = "rmdir",
  [UV_FS_MKDIR] = "mkdir", [UV_FS_MKDTEMP] = "mkdtemp", [UV_FS_RENAME] = "rename",
  [UV_FS_SCANDIR] = "scandir", [UV_FS_LINK] = "link", [UV_FS_SYMLINK] = "symlink",
  [UV_FS_READLINK] = "readlink", [UV_FS_CHOWN] = "chown", [UV_FS_FCHOWN] = "fchown",
  [UV_FS_REALPATH] = "realpath", [UV_FS_COPYFILE] = "copyfile",
  [UV_FS_LCHOWN] = "lchown", [UV_FS_OPENDIR] = "opendir", [UV_FS_READDIR] = "readdir",
  [UV_FS_CLOSEDIR] = "closedir", [UV_FS_STATFS] = "statfs", [UV_FS_MKSTEMP] = "mkstemp",
  [UV_FS_LUTIME] = "lutime",
};

/* "fs.stat b": the operation and the last path component. A request on a
 * descriptor is named by the path the descriptor was opened with ("fs.read
 * balance"), not by its number: descriptor numbers follow the order files
 * were opened, which any earlier open changes (labels must survive edits). */
static const char* job_label(const uv_fs_t* req) {
  const char* op = (unsigned)req->fs_type < sizeof op_names / sizeof *op_names &&
                   op_names[req->fs_type] ? op_names[req->fs_type] : "op";
  sim* s = uvs__sim();
  const char* path = req->path;
  if (!path) path = sim_fs_fd_path(sim_fs_current(), (int)req->file);
  if (path) {
    const char* base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    return sim_internf(s, "fs.%s %s", op, base);
  }
  return sim_internf(s, "fs.%s fd%d", op, (int)req->file);
}

static void job_work(uvs__work* w) { fs_work(((fs_job*)w)->req); }

static void job_done(uvs__work* w, int status) {
  fs_job* job = (fs_job*)w;
  uv_fs_t* req = job->req;
  UVS__ASSERT(req->type == UV_FS && req->work_req.wq[0] == job && req->cb != NULL,
              "an fs job is not its (asynchronous) request's");
  req->work_req.wq[0] = NULL;
  uvs__wfree(job);
  uvs__req_unregister(req->loop);
  if (status == UV_ECANCELED) {
    UVS__ASSERT(req->result == 0, "a cancelled fs request already has a result");
    req->result = UV_ECANCELED;
  }
  req->cb(req);
}

static int fs_cancel(uv_req_t* r) {
  uv_fs_t* req = (uv_fs_t*)r;
  fs_job* job = req->work_req.wq[0];
  if (job == NULL) return UV_EBUSY;
  UVS__ASSERT(job->req == req, "uv_cancel: the job belongs to another request");
  return uvs__work_cancel(&job->w);
}

/* Synchronous: run now and return the result. Asynchronous: a pool job
 * whose work is fs_work and whose completion calls the callback. */
static int post(uv_loop_t* loop, uv_fs_t* req) {
  if (req->cb == NULL) {
    fs_work(req);
    return (int)req->result;
  }
  uvs__cancel_hook[UV_FS] = fs_cancel;
  fs_job* job = uvs__wcalloc(sizeof *job);
  job->req = req;
  req->work_req.wq[0] = job;
  uvs__req_register(loop);
  uvs__work_submit(loop, &job->w, job_label(req), job_work, job_done);
  return 0;
}

static int init(uv_loop_t* loop, uv_fs_t* req, uv_fs_type type, uv_fs_cb cb) {
  if (req == NULL) return UV_EINVAL;
  UVS__CLEAR_REQ(req);
  req->type = UV_FS;
  req->fs_type = type;
  req->loop = loop;
  req->cb = cb;
  req->file = -1;
  return 0;
}

/* Async requests own copies of their paths (freed by uv_fs_req_cleanup);
 * sync ones borrow the caller's, as in libuv. */
static int set_paths(uv_fs_t* req, const char* path, const char* new_path) {
  if (path == NULL) return UV_EINVAL;
  if (req->cb == NULL) {
    req->path = path;
    req->new_path = new_path;
    return 0;
  }
  size_t pl = strlen(path) + 1, nl = new_path ? strlen(new_path) + 1 : 0;
  char* p = malloc(pl + nl);
  if (p == NULL) return UV_ENOMEM;
  memcpy(p, path, pl);
  req->path = p;
  if (new_path) {
    memcpy(p + pl, new_path, nl);
    req->new_path = p + pl;
  }
  return 0;
}

static int set_bufs(uv_fs_t* req, const uv_buf_t bufs[], unsigned nbufs) {
  if (bufs == NULL || nbufs == 0) return UV_EINVAL;
  req->nbufs = nbufs;
  req->bufs = req->bufsml;
  if (nbufs > sizeof req->bufsml / sizeof *req->bufsml) {
    req->bufs = malloc(nbufs * sizeof *bufs);
    if (req->bufs == NULL) return UV_ENOMEM;
  }
  memcpy(req->bufs, bufs, nbufs * sizeof *bufs);
  return 0;
}

#define INIT(type) do { int r_ = init(loop, req, UV_FS_##type, cb); if (r_) return r_; } while (0)
#define PATH(p) do { int r_ = set_paths(req, (p), NULL); if (r_) return r_; } while (0)
#define PATH2(p, q) do { int r_ = set_paths(req, (p), (q)); if (r_) return r_; } while (0)

/* ---------------------------------------------------------- the API */

int uv_fs_open(uv_loop_t* loop, uv_fs_t* req, const char* path, int flags,
               int mode, uv_fs_cb cb) {
  INIT(OPEN);
  PATH(path);
  req->flags = flags;
  req->mode = (mode_t)mode;
  return post(loop, req);
}

int uv_fs_close(uv_loop_t* loop, uv_fs_t* req, uv_file file, uv_fs_cb cb) {
  INIT(CLOSE);
  req->file = file;
  return post(loop, req);
}

int uv_fs_read(uv_loop_t* loop, uv_fs_t* req, uv_file file, const uv_buf_t bufs[],
               unsigned int nbufs, int64_t off, uv_fs_cb cb) {
  INIT(READ);
  int r = set_bufs(req, bufs, nbufs);
  if (r) return r;
  req->file = file;
  req->off = (off_t)off;
  return post(loop, req);
}

int uv_fs_write(uv_loop_t* loop, uv_fs_t* req, uv_file file, const uv_buf_t bufs[],
                unsigned int nbufs, int64_t off, uv_fs_cb cb) {
  INIT(WRITE);
  int r = set_bufs(req, bufs, nbufs);
  if (r) return r;
  req->file = file;
  req->off = (off_t)off;
  return post(loop, req);
}

int uv_fs_sendfile(uv_loop_t* loop, uv_fs_t* req, uv_file out_fd, uv_file in_fd,
                   int64_t in_offset, size_t length, uv_fs_cb cb) {
  INIT(SENDFILE);
  req->flags = in_fd;
  req->file = out_fd;
  req->off = (off_t)in_offset;
  req->bufsml[0].len = length;
  return post(loop, req);
}

int uv_fs_unlink(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(UNLINK);
  PATH(path);
  return post(loop, req);
}

int uv_fs_mkdir(uv_loop_t* loop, uv_fs_t* req, const char* path, int mode,
                uv_fs_cb cb) {
  INIT(MKDIR);
  PATH(path);
  req->mode = (mode_t)mode;
  return post(loop, req);
}

/* mkdtemp/mkstemp always own a copy: the name is written into it. */
static int temp_path(uv_fs_t* req, const char* tpl) {
  if (tpl == NULL) return UV_EINVAL;
  req->path = strdup(tpl);
  return req->path ? 0 : UV_ENOMEM;
}

int uv_fs_mkdtemp(uv_loop_t* loop, uv_fs_t* req, const char* tpl, uv_fs_cb cb) {
  INIT(MKDTEMP);
  int r = temp_path(req, tpl);
  if (r) return r;
  return post(loop, req);
}

int uv_fs_mkstemp(uv_loop_t* loop, uv_fs_t* req, const char* tpl, uv_fs_cb cb) {
  INIT(MKSTEMP);
  int r = temp_path(req, tpl);
  if (r) return r;
  return post(loop, req);
}

int uv_fs_rmdir(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(RMDIR);
  PATH(path);
  return post(loop, req);
}

int uv_fs_scandir(uv_loop_t* loop, uv_fs_t* req, const char* path, int flags,
                  uv_fs_cb cb) {
  INIT(SCANDIR);
  PATH(path);
  req->flags = flags;
  return post(loop, req);
}

int uv_fs_scandir_next(uv_fs_t* req, uv_dirent_t* ent) {
  if (req->result < 0) return (int)req->result;
  if (req->ptr == NULL) return UV_EOF;
  sim_fs_dirent* ents = req->ptr;
  if (req->nbufs >= (unsigned)req->result) return UV_EOF;
  sim_fs_dirent* e = &ents[req->nbufs++];
  ent->name = e->name;
  ent->type = (uv_dirent_type_t)e->type;
  return 0;
}

int uv_fs_opendir(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(OPENDIR);
  PATH(path);
  return post(loop, req);
}

int uv_fs_readdir(uv_loop_t* loop, uv_fs_t* req, uv_dir_t* dir, uv_fs_cb cb) {
  INIT(READDIR);
  if (dir == NULL || dir->dir == NULL || dir->dirents == NULL) return UV_EINVAL;
  req->ptr = dir;
  return post(loop, req);
}

int uv_fs_closedir(uv_loop_t* loop, uv_fs_t* req, uv_dir_t* dir, uv_fs_cb cb) {
  INIT(CLOSEDIR);
  if (dir == NULL) return UV_EINVAL;
  req->ptr = dir;
  return post(loop, req);
}

int uv_fs_stat(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(STAT);
  PATH(path);
  return post(loop, req);
}

int uv_fs_lstat(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(LSTAT);
  PATH(path);
  return post(loop, req);
}

int uv_fs_fstat(uv_loop_t* loop, uv_fs_t* req, uv_file file, uv_fs_cb cb) {
  INIT(FSTAT);
  req->file = file;
  return post(loop, req);
}

int uv_fs_statfs(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(STATFS);
  PATH(path);
  return post(loop, req);
}

int uv_fs_rename(uv_loop_t* loop, uv_fs_t* req, const char* path,
                 const char* new_path, uv_fs_cb cb) {
  INIT(RENAME);
  PATH2(path, new_path);
  return post(loop, req);
}

int uv_fs_fsync(uv_loop_t* loop, uv_fs_t* req, uv_file file, uv_fs_cb cb) {
  INIT(FSYNC);
  req->file = file;
  return post(loop, req);
}

int uv_fs_fdatasync(uv_loop_t* loop, uv_fs_t* req, uv_file file, uv_fs_cb cb) {
  INIT(FDATASYNC);
  req->file = file;
  return post(loop, req);
}

int uv_fs_ftruncate(uv_loop_t* loop, uv_fs_t* req, uv_file file, int64_t off,
                    uv_fs_cb cb) {
  INIT(FTRUNCATE);
  req->file = file;
  req->off = (off_t)off;
  return post(loop, req);
}

int uv_fs_copyfile(uv_loop_t* loop, uv_fs_t* req, const char* path,
                   const char* new_path, int flags, uv_fs_cb cb) {
  INIT(COPYFILE);
  if (flags & ~(UV_FS_COPYFILE_EXCL | UV_FS_COPYFILE_FICLONE |
                UV_FS_COPYFILE_FICLONE_FORCE))
    return UV_EINVAL;
  PATH2(path, new_path);
  req->flags = flags;
  return post(loop, req);
}

int uv_fs_access(uv_loop_t* loop, uv_fs_t* req, const char* path, int mode,
                 uv_fs_cb cb) {
  INIT(ACCESS);
  PATH(path);
  req->flags = mode;
  return post(loop, req);
}

int uv_fs_chmod(uv_loop_t* loop, uv_fs_t* req, const char* path, int mode,
                uv_fs_cb cb) {
  INIT(CHMOD);
  PATH(path);
  req->mode = (mode_t)mode;
  return post(loop, req);
}

int uv_fs_fchmod(uv_loop_t* loop, uv_fs_t* req, uv_file file, int mode,
                 uv_fs_cb cb) {
  INIT(FCHMOD);
  req->file = file;
  req->mode = (mode_t)mode;
  return post(loop, req);
}

int uv_fs_utime(uv_loop_t* loop, uv_fs_t* req, const char* path, double atime,
                double mtime, uv_fs_cb cb) {
  INIT(UTIME);
  PATH(path);
  req->atime = atime;
  req->mtime = mtime;
  return post(loop, req);
}

int uv_fs_futime(uv_loop_t* loop, uv_fs_t* req, uv_file file, double atime,
                 double mtime, uv_fs_cb cb) {
  INIT(FUTIME);
  req->file = file;
  req->atime = atime;
  req->mtime = mtime;
  return post(loop, req);
}

int uv_fs_lutime(uv_loop_t* loop, uv_fs_t* req, const char* path, double atime,
                 double mtime, uv_fs_cb cb) {
  INIT(LUTIME);
  PATH(path);
  req->atime = atime;
  req->mtime = mtime;
  return post(loop, req);
}

int uv_fs_link(uv_loop_t* loop, uv_fs_t* req, const char* path,
               const char* new_path, uv_fs_cb cb) {
  INIT(LINK);
  PATH2(path, new_path);
  return post(loop, req);
}

int uv_fs_symlink(uv_loop_t* loop, uv_fs_t* req, const char* path,
                  const char* new_path, int flags, uv_fs_cb cb) {
  INIT(SYMLINK);
  PATH2(path, new_path);
  req->flags = flags;
  return post(loop, req);
}

int uv_fs_readlink(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(READLINK);
  PATH(path);
  return post(loop, req);
}

int uv_fs_realpath(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_fs_cb cb) {
  INIT(REALPATH);
  PATH(path);
  return post(loop, req);
}

int uv_fs_chown(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_uid_t uid,
                uv_gid_t gid, uv_fs_cb cb) {
  INIT(CHOWN);
  PATH(path);
  req->uid = uid;
  req->gid = gid;
  return post(loop, req);
}

int uv_fs_fchown(uv_loop_t* loop, uv_fs_t* req, uv_file file, uv_uid_t uid,
                 uv_gid_t gid, uv_fs_cb cb) {
  INIT(FCHOWN);
  req->file = file;
  req->uid = uid;
  req->gid = gid;
  return post(loop, req);
}

int uv_fs_lchown(uv_loop_t* loop, uv_fs_t* req, const char* path, uv_uid_t uid,
                 uv_gid_t gid, uv_fs_cb cb) {
  INIT(LCHOWN);
  PATH(path);
  req->uid = uid;
  req->gid = gid;
  return post(loop, req);
}

void uv_fs_req_cleanup(uv_fs_t* req) {
  if (req == NULL) return;
  /* Async requests and the temp-name ones own their path block. */
  if (req->path != NULL &&
      (req->cb != NULL || req->fs_type == UV_FS_MKDTEMP ||
       req->fs_type == UV_FS_MKSTEMP))
    free((void*)req->path);
  req->path = NULL;
  req->new_path = NULL;
  if (req->fs_type == UV_FS_READDIR && req->ptr != NULL) {
    uv_dir_t* dir = req->ptr;
    for (ssize_t i = 0; dir->dirents && i < req->result; i++) {
      free((char*)dir->dirents[i].name);
      dir->dirents[i].name = NULL;
    }
    req->ptr = NULL;
  }
  if (req->bufs != req->bufsml) free(req->bufs);
  req->bufs = NULL;
  if (req->fs_type != UV_FS_OPENDIR && req->ptr != &req->statbuf) free(req->ptr);
  req->ptr = NULL;
}

uv_fs_type uv_fs_get_type(const uv_fs_t* req) { return req->fs_type; }
ssize_t uv_fs_get_result(const uv_fs_t* req) { return req->result; }
void* uv_fs_get_ptr(const uv_fs_t* req) { return req->ptr; }
const char* uv_fs_get_path(const uv_fs_t* req) { return req->path; }
uv_stat_t* uv_fs_get_statbuf(uv_fs_t* req) { return &req->statbuf; }
int uv_fs_get_system_error(const uv_fs_t* req) { return -(int)req->result; }

/* ---- the working directory */

/* The program's working directory is the simulated filesystem's: relative
 * uv_fs_* paths resolve against it, and the real cwd is never read or
 * changed. Same contract as libuv: on success *size is the length without
 * the NUL; UV_ENOBUFS sets *size to what is needed, NUL included. */
int uv_cwd(char* buffer, size_t* size) {
  if (buffer == NULL || size == NULL || *size == 0) return UV_EINVAL;
  const char* cwd = sim_fs_getcwd(FS());
  size_t n = strlen(cwd);
  if (n + 1 > *size) {
    *size = n + 1;
    return UV_ENOBUFS;
  }
  memcpy(buffer, cwd, n + 1);
  *size = n;
  return 0;
}

int uv_chdir(const char* dir) {
  if (dir == NULL) return UV_EINVAL;
  return sim_fs_chdir(FS(), dir);
}
