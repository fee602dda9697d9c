/* loop/fdshim.c — the kernel's descriptor calls on simulated numbers.
 *
 * uv_fs_open hands out 1000 and up, uv_fileno 5000 and up (tcp, pipes) and
 * 7000 and up (udp): numbers of the simulated world, not of the kernel. A
 * program that calls libc on one — fstat or lseek after uv_fs_open,
 * close(2) or shutdown(2) on uv_fileno's socket, uvloop's write(2) on a
 * connected transport — would get EBADF from the kernel. libuvsim defines
 * those libc functions (libuvsim.a linked in, libuvsim.so preloaded):
 *
 *  - a number below SIM_FS_FD_BASE (every real descriptor of an ordinary
 *    program) costs one compare and goes to libc untouched;
 *  - a live simulated number, on the simulated world's thread, is answered
 *    by the world as a real kernel answers for a real descriptor: a file's
 *    position is the one uv_fs_read/uv_fs_write with offset -1 use, a
 *    socket's bytes are the simulated network's;
 *  - anything else (a number the world does not hold, or a call from
 *    another thread: the world is single-threaded) goes to libc, where it
 *    meets EBADF or the reservation's placeholder (fdreserve.c).
 *
 * Answers come from the simulated world only, so they repeat with the
 * seed. Only calls that reach these symbols are caught: glibc's internal
 * calls (stdio's fwrite, fdopen's fcntl) use private aliases and still go
 * to the kernel (docs/loop.md, "Descriptors"). Urgent data is not modelled:
 * MSG_OOB bytes travel in line, as with SO_OOBINLINE.
 */
#include "loop/internal.h"
#include "loop/fdshim.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loop/entry/foreign.h"
#include "sim/sim_dgram.h"
#include "sim/sim_fs.h"
#include "sim/sim_net.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------ libc's own */

/* The next definition after ours (libc's, or a sanitizer's interceptor),
 * looked up once; a race only looks it up twice. The look-up is out of
 * line so that a real descriptor's call is a compare, a load and a jump. */
__attribute__((noinline, cold)) static void* real_lookup(void* _Atomic* slot, const char* name) {
  void* p = dlsym(RTLD_NEXT, name);
  if (p == NULL) uvs__fatal("fdshim", "libc's descriptor calls are not found (dlsym)");
  atomic_store_explicit(slot, p, memory_order_release);
  return p;
}

static inline void* real_sym(void* _Atomic* slot, const char* name) {
  void* p = atomic_load_explicit(slot, memory_order_acquire);
  return UVS__UNLIKELY(p == NULL) ? real_lookup(slot, name) : p;
}

#define REAL(name) ((__typeof__(&name))real_sym(&real_##name, #name))
#define REAL_SLOT(name) static void* _Atomic real_##name

REAL_SLOT(close); REAL_SLOT(read); REAL_SLOT(write); REAL_SLOT(readv);
REAL_SLOT(writev); REAL_SLOT(pread); REAL_SLOT(pwrite); REAL_SLOT(pread64);
REAL_SLOT(pwrite64); REAL_SLOT(preadv); REAL_SLOT(pwritev); REAL_SLOT(lseek);
REAL_SLOT(lseek64); REAL_SLOT(fstat); REAL_SLOT(fstat64); REAL_SLOT(ftruncate);
REAL_SLOT(ftruncate64); REAL_SLOT(fsync); REAL_SLOT(fdatasync); REAL_SLOT(fcntl);
REAL_SLOT(fcntl64); REAL_SLOT(ioctl); REAL_SLOT(send); REAL_SLOT(recv);
REAL_SLOT(sendto); REAL_SLOT(recvfrom); REAL_SLOT(shutdown); REAL_SLOT(getsockopt);
REAL_SLOT(setsockopt); REAL_SLOT(getsockname); REAL_SLOT(getpeername);
REAL_SLOT(__read_chk); REAL_SLOT(__pread_chk); REAL_SLOT(__pread64_chk);
REAL_SLOT(__recv_chk); REAL_SLOT(__recvfrom_chk); REAL_SLOT(dup); REAL_SLOT(dup2);
REAL_SLOT(dup3);

int uvs__real_close(int fd) { return REAL(close)(fd); }
int uvs__real_fcntl(int fd, int cmd, long arg) { return REAL(fcntl)(fd, cmd, arg); }
int uvs__real_fstat(int fd, struct stat* st) { return REAL(fstat)(fd, st); }
int uvs__real_dup3(int fd, int newfd, int flags) { return REAL(dup3)(fd, newfd, flags); }

/* ------------------------------------------------------------- dispatch */

enum fd_kind { K_REAL, K_FILE, K_SOCK, K_DGRAM };

static int dgram_live(int fd) {
  sim_addr a;
  return sim_dgram_getsockname(sim_dgram_current(), fd, &a) != -EBADF;
}

/* Set once dup2 has put a simulated file under a number below
 * SIM_FS_FD_BASE (a program's dup2 of a uv_fs_open'd file onto its stdout
 * or stderr): from then on every low number pays the world's look-up too.
 * Sticky: a program that does it once may do it again, and the flag costs
 * nothing to the programs that never do. */
static atomic_int low_used;

/* Files take 1000-4999 (and, after dup2, low numbers), sockets 5000 up and
 * datagrams 7000 up (ids are never reused within a run, so a long run's
 * sockets may reach 7000). */
static enum fd_kind kind_any_thread(int fd) {
  if (fd < SIM_FS_FD_BASE)
    return fd >= 0 && sim_fs_is_open(sim_fs_current(), fd) ? K_FILE : K_REAL;
  if (fd < SIM_NET_ID_BASE)
    return sim_fs_is_open(sim_fs_current(), fd) ? K_FILE : K_REAL;
  if (fd >= SIM_DGRAM_ID_BASE && dgram_live(fd)) return K_DGRAM;
  if (sim_net_family(sim_net_current(), fd)) return K_SOCK;
  return K_REAL;
}

int uvs__fd_live(int fd) { return kind_any_thread(fd) != K_REAL; }

static enum fd_kind kind_slow(int fd) {
  if (!uvs__on_sim_thread()) return K_REAL;
  return kind_any_thread(fd);
}

/* The one check every call pays (and a load, for a low number). */
static inline enum fd_kind kind(int fd) {
  if (__builtin_expect(fd < SIM_FS_FD_BASE, 1) &&
      __builtin_expect(!atomic_load_explicit(&low_used, memory_order_relaxed), 1))
    return K_REAL;
  return kind_slow(fd);
}

static int fail(int err) {
  errno = err;
  return -1;
}

/* A sim_* result (-errno or a count) as libc returns it. */
static ssize_t ret(ssize_t r) {
  if (r < 0) {
    errno = (int)-r;
    return -1;
  }
  return r;
}

/* A call the world does not answer on this kind of descriptor: -ENOSYS
 * and a line on stderr, as libuvsim's other unsimulated calls. */
static int unsupported(const char* call, int fd) {
  fprintf(stderr, "uvsim: %s on simulated descriptor %d is not simulated (ENOSYS)\n", call, fd);
  return -ENOSYS;
}

static sim_fs* FS(void) { return sim_fs_current(); }
static sim_net* NET(void) { return sim_net_current(); }
static sim_dgram* DG(void) { return sim_dgram_current(); }

/* ------------------------------------------------------------ transfers */

static ssize_t sim_read(enum fd_kind k, int fd, void* buf, size_t n, int64_t off) {
  switch (k) {
  case K_FILE: return sim_fs_read(FS(), fd, buf, n, off);
  case K_SOCK: return off >= 0 ? -ESPIPE : sim_net_read(NET(), fd, buf, n);
  default: {
    int trunc = 0;
    return off >= 0 ? -ESPIPE : sim_dgram_recv(DG(), fd, buf, n, NULL, &trunc);
  }
  }
}

static ssize_t sim_write(enum fd_kind k, int fd, const void* buf, size_t n, int64_t off) {
  switch (k) {
  case K_FILE: return sim_fs_write(FS(), fd, buf, n, off);
  case K_SOCK: return off >= 0 ? -ESPIPE : sim_net_write(NET(), fd, buf, n);
  default: return off >= 0 ? -ESPIPE : sim_dgram_send(DG(), fd, buf, n, NULL);
  }
}

/* readv/writev and their positioned forms: one buffer after another until
 * one is short, as the kernel fills them; an error after some bytes moved
 * is the count. A datagram is one message: gathered, scattered. */
static ssize_t sim_rwv(enum fd_kind k, int fd, const struct iovec* iov, int n,
                       int64_t off, int wr) {
  if (n < 0 || n > 1024) return -EINVAL;
  ssize_t total = 0;
  for (int i = 0; i < n; i++) {
    ssize_t r = wr ? sim_write(k, fd, iov[i].iov_base, iov[i].iov_len, off)
                   : sim_read(k, fd, iov[i].iov_base, iov[i].iov_len, off);
    if (r < 0) return total > 0 ? total : r;
    total += r;
    if (off >= 0) off += r;
    if ((size_t)r < iov[i].iov_len || k == K_DGRAM) break;
  }
  return total;
}

SHIM_EXPORT ssize_t read(int fd, void* buf, size_t n) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(read)(fd, buf, n);
  return ret(sim_read(k, fd, buf, n, -1));
}

SHIM_EXPORT ssize_t write(int fd, const void* buf, size_t n) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(write)(fd, buf, n);
  return ret(sim_write(k, fd, buf, n, -1));
}

SHIM_EXPORT ssize_t readv(int fd, const struct iovec* iov, int n) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(readv)(fd, iov, n);
  return ret(sim_rwv(k, fd, iov, n, -1, 0));
}

SHIM_EXPORT ssize_t writev(int fd, const struct iovec* iov, int n) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(writev)(fd, iov, n);
  return ret(sim_rwv(k, fd, iov, n, -1, 1));
}

static ssize_t sim_pread(enum fd_kind k, int fd, void* buf, size_t n, int64_t off) {
  if (k != K_FILE) return -ESPIPE;
  return off < 0 ? -EINVAL : sim_read(k, fd, buf, n, off);
}

static ssize_t sim_pwrite(enum fd_kind k, int fd, const void* buf, size_t n, int64_t off) {
  if (k != K_FILE) return -ESPIPE;
  return off < 0 ? -EINVAL : sim_write(k, fd, buf, n, off);
}

SHIM_EXPORT ssize_t pread(int fd, void* buf, size_t n, off_t off) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(pread)(fd, buf, n, off);
  return ret(sim_pread(k, fd, buf, n, off));
}

SHIM_EXPORT ssize_t pread64(int fd, void* buf, size_t n, off64_t off) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(pread64)(fd, buf, n, off);
  return ret(sim_pread(k, fd, buf, n, off));
}

SHIM_EXPORT ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(pwrite)(fd, buf, n, off);
  return ret(sim_pwrite(k, fd, buf, n, off));
}

SHIM_EXPORT ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(pwrite64)(fd, buf, n, off);
  return ret(sim_pwrite(k, fd, buf, n, off));
}

SHIM_EXPORT ssize_t preadv(int fd, const struct iovec* iov, int n, off_t off) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(preadv)(fd, iov, n, off);
  if (k != K_FILE) return fail(ESPIPE);
  return off < 0 ? fail(EINVAL) : ret(sim_rwv(k, fd, iov, n, off, 0));
}

SHIM_EXPORT ssize_t pwritev(int fd, const struct iovec* iov, int n, off_t off) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(pwritev)(fd, iov, n, off);
  if (k != K_FILE) return fail(ESPIPE);
  return off < 0 ? fail(EINVAL) : ret(sim_rwv(k, fd, iov, n, off, 1));
}

/* _FORTIFY_SOURCE's forms (what a program built with it calls when the
 * buffer's size is known): past the buffer, libc's own check aborts. */
extern ssize_t __read_chk(int fd, void* buf, size_t n, size_t buflen);
extern ssize_t __pread_chk(int fd, void* buf, size_t n, off_t off, size_t buflen);
extern ssize_t __pread64_chk(int fd, void* buf, size_t n, off64_t off, size_t buflen);
extern ssize_t __recv_chk(int fd, void* buf, size_t n, size_t buflen, int flags);
extern ssize_t __recvfrom_chk(int fd, void* buf, size_t n, size_t buflen, int flags,
                              struct sockaddr* from, socklen_t* fromlen);

SHIM_EXPORT ssize_t __read_chk(int fd, void* buf, size_t n, size_t buflen) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL || n > buflen) return REAL(__read_chk)(fd, buf, n, buflen);
  return ret(sim_read(k, fd, buf, n, -1));
}

SHIM_EXPORT ssize_t __pread_chk(int fd, void* buf, size_t n, off_t off, size_t buflen) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL || n > buflen) return REAL(__pread_chk)(fd, buf, n, off, buflen);
  return ret(sim_pread(k, fd, buf, n, off));
}

SHIM_EXPORT ssize_t __pread64_chk(int fd, void* buf, size_t n, off64_t off, size_t buflen) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL || n > buflen) return REAL(__pread64_chk)(fd, buf, n, off, buflen);
  return ret(sim_pread(k, fd, buf, n, off));
}

/* ------------------------------------------------------ files' metadata */

static int64_t sim_lseek(enum fd_kind k, int fd, int64_t off, int whence) {
  return k == K_FILE ? sim_fs_lseek(FS(), fd, off, whence) : -ESPIPE;
}

SHIM_EXPORT off_t lseek(int fd, off_t off, int whence) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(lseek)(fd, off, whence);
  return (off_t)ret(sim_lseek(k, fd, off, whence));
}

SHIM_EXPORT off64_t lseek64(int fd, off64_t off, int whence) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(lseek64)(fd, off, whence);
  return (off64_t)ret(sim_lseek(k, fd, off, whence));
}

static struct timespec ts_of(uint64_t raw) {
  int64_t ns = (int64_t)raw;
  struct timespec t = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
  if (t.tv_nsec < 0) {
    t.tv_nsec += 1000000000;
    t.tv_sec -= 1;
  }
  return t;
}

/* What uv_fs_fstat reports, in the kernel's struct. A socket is what
 * Linux shows for one: S_IFSOCK 0777 on the socket filesystem (its inode
 * is the number: nothing real about it). */
static int sim_fstat(enum fd_kind k, int fd, struct stat* st) {
  memset(st, 0, sizeof *st);
  if (k != K_FILE) {
    st->st_mode = S_IFSOCK | 0777;
    st->st_nlink = 1;
    st->st_ino = (ino_t)fd;
    st->st_uid = st->st_gid = 1000;
    st->st_blksize = 4096;
    return 0;
  }
  sim_stat s;
  int r = sim_fs_fstat(FS(), fd, &s);
  if (r < 0) return r;
  st->st_dev = (dev_t)s.dev;
  st->st_ino = (ino_t)s.ino;
  st->st_mode = s.mode;
  st->st_nlink = (nlink_t)s.nlink;
  st->st_uid = s.uid;
  st->st_gid = s.gid;
  st->st_size = (off_t)s.size;
  st->st_blksize = (blksize_t)s.blksize;
  st->st_blocks = (blkcnt_t)s.blocks;
  st->st_atim = ts_of(s.atime_ns);
  st->st_mtim = ts_of(s.mtime_ns);
  st->st_ctim = ts_of(s.ctime_ns);
  return 0;
}

SHIM_EXPORT int fstat(int fd, struct stat* st) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(fstat)(fd, st);
  return (int)ret(sim_fstat(k, fd, st));
}

/* x86-64 and aarch64: struct stat64 is struct stat. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64 differs from stat");

SHIM_EXPORT int fstat64(int fd, struct stat64* st) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(fstat64)(fd, st);
  return (int)ret(sim_fstat(k, fd, (struct stat*)(void*)st));
}

static int sim_ftruncate(enum fd_kind k, int fd, int64_t len) {
  return k == K_FILE ? sim_fs_ftruncate(FS(), fd, len) : -EINVAL;
}

SHIM_EXPORT int ftruncate(int fd, off_t len) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(ftruncate)(fd, len);
  return (int)ret(sim_ftruncate(k, fd, len));
}

SHIM_EXPORT int ftruncate64(int fd, off64_t len) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(ftruncate64)(fd, len);
  return (int)ret(sim_ftruncate(k, fd, len));
}

SHIM_EXPORT int fsync(int fd) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(fsync)(fd);
  return (int)ret(k == K_FILE ? sim_fs_fsync(FS(), fd) : -EINVAL);
}

SHIM_EXPORT int fdatasync(int fd) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(fdatasync)(fd);
  return (int)ret(k == K_FILE ? sim_fs_fsync(FS(), fd) : -EINVAL);
}

/* close(2): a file as uv_fs_close closes it; a socket as the kernel does
 * when its last descriptor goes (the peer gets FIN, or RST with unread
 * data). A handle still holding the number then meets EBADF, as libuv's
 * does on a descriptor closed under it (tcp_write_fail). */
SHIM_EXPORT int close(int fd) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(close)(fd);
  int r;
  switch (k) {
  case K_FILE: r = sim_fs_close(FS(), fd); break;
  case K_SOCK: r = sim_net_close(NET(), fd, 0); break;
  default: r = sim_dgram_close(DG(), fd); break;
  }
  if (r == 0) uvs__fd_release(fd);
  return (int)ret(r);
}

/* ---------------------------------------------------------- dup family */

/* A new simulated number for a file's open file (dup, F_DUPFD), reserved
 * with the kernel as uv_fs_open's are. Sockets are not duplicated: the
 * world has one number per socket. */
static int sim_dup(enum fd_kind k, int fd, int min, const char* call) {
  if (k != K_FILE) return unsupported(call, fd);
  int d = sim_fs_dup_min(FS(), fd, min);
  if (d >= 0) uvs__fd_reserve(d);
  return d;
}

SHIM_EXPORT int dup(int fd) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(dup)(fd);
  return (int)ret(sim_dup(k, fd, 0, "dup"));
}

/* dup2 and dup3 (three: dup3's checks). newfd may be anything:
 *  - a simulated file onto a real or free number: the world's fs takes
 *    the number (sim_fs_dup2), and the kernel's descriptor there is closed
 *    and the number reserved (fdreserve.c), as dup2 closes it;
 *  - a real descriptor onto a simulated number: the simulated one is
 *    closed (its reservation with it), then the kernel's dup2;
 *  - a simulated file onto a simulated number: the world's dup2.
 * Numbers from SIM_NET_ID_BASE up are the sockets': a file is not put
 * there. O_CLOEXEC is accepted and changes nothing: a simulated number is
 * never inherited by a child (loop/spawn.c gives it a pipe). */
static int shim_dup2(int fd, int newfd, int flags, int three) {
  enum fd_kind k = kind(fd);
  if (three && (fd == newfd || (flags & ~O_CLOEXEC))) return fail(EINVAL);
  if (k == K_REAL) {
    if (kind(newfd) != K_REAL) close(newfd);
    return three ? REAL(dup3)(fd, newfd, flags) : REAL(dup2)(fd, newfd);
  }
  if (k != K_FILE) return (int)ret(unsupported(three ? "dup3" : "dup2", fd));
  if (fd == newfd) return newfd;
  if (newfd < 0) return fail(EBADF);
  if (newfd >= SIM_NET_ID_BASE) return (int)ret(unsupported("dup2 onto a socket's number", fd));
  enum fd_kind nk = kind(newfd);    /* a file or real: sockets are higher */
  if (newfd < SIM_FS_FD_BASE) atomic_store(&low_used, 1);
  int r = sim_fs_dup2(FS(), fd, newfd);
  if (r < 0) return (int)ret(r);
  if (nk != K_FILE) uvs__fd_reserve_over(newfd);
  return newfd;
}

SHIM_EXPORT int dup2(int fd, int newfd) { return shim_dup2(fd, newfd, 0, 0); }

SHIM_EXPORT int dup3(int fd, int newfd, int flags) { return shim_dup2(fd, newfd, flags, 1); }

/* ---------------------------------------------------- fcntl and ioctl */

static int sim_fcntl(enum fd_kind k, int fd, int cmd, long arg) {
  switch (cmd) {
  case F_DUPFD:
  case F_DUPFD_CLOEXEC:
    return sim_dup(k, fd, arg < INT_MIN || arg > INT_MAX ? -1 : (int)arg, "fcntl(F_DUPFD)");
  case F_GETFD: return FD_CLOEXEC;     /* libuv opens everything O_CLOEXEC */
  case F_SETFD: return 0;
  case F_GETFL:
    if (k != K_FILE) return O_RDWR | O_NONBLOCK;
    return sim_fs_fd_flags(FS(), fd) & (O_ACCMODE | O_APPEND | O_NONBLOCK);
  case F_SETFL: return 0;              /* blocking changes nothing here */
  default: return unsupported("fcntl", fd);
  }
}

static long va_long(va_list ap) { return (long)va_arg(ap, void*); }

typedef int (*fcntl_fn)(int, int, ...);

/* fcntl and fcntl64 (what a _FILE_OFFSET_BITS=64 program calls): one body,
 * each with its own libc function behind it. */
static int fcntl_any(fcntl_fn real, int fd, int cmd, va_list ap) {
  long arg = va_long(ap);
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return real(fd, cmd, arg);
  return (int)ret(sim_fcntl(k, fd, cmd, arg));
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int r = fcntl_any(REAL(fcntl), fd, cmd, ap);
  va_end(ap);
  return r;
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int r = fcntl_any(REAL(fcntl64), fd, cmd, ap);
  va_end(ap);
  return r;
}

SHIM_EXPORT int ioctl(int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(ioctl)(fd, req, arg);
  switch (req) {
  case FIONBIO:
  case FIOCLEX:
  case FIONCLEX: return 0;
  case FIONREAD:
    if (k == K_SOCK) {
      *(int*)arg = (int)sim_net_unread(NET(), fd);
      return 0;
    }
    return (int)ret(unsupported("ioctl(FIONREAD)", fd));
  default: return fail(ENOTTY);
  }
}

/* ------------------------------------------------------------- sockets */

static ssize_t sim_send(enum fd_kind k, int fd, const void* buf, size_t n, int flags,
                        const struct sockaddr* to, socklen_t tolen) {
  (void)flags;           /* MSG_OOB in line; MSG_NOSIGNAL: no SIGPIPE here */
  if (k == K_FILE) return -ENOTSOCK;
  if (k == K_SOCK) return to ? -EISCONN : sim_net_write(NET(), fd, buf, n);
  if (to == NULL) return sim_dgram_send(DG(), fd, buf, n, NULL);
  sim_addr a;
  if (tolen < sizeof(sa_family_t) || sim_addr_from_sockaddr(&a, to) < 0) return -EINVAL;
  return sim_dgram_send(DG(), fd, buf, n, &a);
}

static int copy_addr(const sim_addr* a, struct sockaddr* out, socklen_t* len) {
  struct sockaddr_storage ss;
  int full = sim_addr_to_sockaddr(a, &ss);
  if (full < 0) return -EINVAL;
  if (out && len) {
    memcpy(out, &ss, (size_t)full < *len ? (size_t)full : *len);
    *len = (socklen_t)full;
  }
  return 0;
}

static ssize_t sim_recv(enum fd_kind k, int fd, void* buf, size_t n, int flags,
                        struct sockaddr* from, socklen_t* fromlen) {
  if (k == K_FILE) return -ENOTSOCK;
  if (flags & MSG_OOB) return -EINVAL;     /* no urgent byte is ever held */
  if (flags & MSG_PEEK) return unsupported("recv(MSG_PEEK)", fd);
  if (k == K_SOCK) {
    ssize_t r = sim_net_read(NET(), fd, buf, n);
    if (r >= 0 && from && fromlen) *fromlen = 0;    /* as Linux for TCP */
    return r;
  }
  sim_addr a;
  int trunc = 0;
  ssize_t r = sim_dgram_recv(DG(), fd, buf, n, &a, &trunc);
  if (r >= 0 && from) copy_addr(&a, from, fromlen);
  return r;
}

SHIM_EXPORT ssize_t send(int fd, const void* buf, size_t n, int flags) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(send)(fd, buf, n, flags);
  return ret(sim_send(k, fd, buf, n, flags, NULL, 0));
}

SHIM_EXPORT ssize_t sendto(int fd, const void* buf, size_t n, int flags,
                           const struct sockaddr* to, socklen_t tolen) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(sendto)(fd, buf, n, flags, to, tolen);
  return ret(sim_send(k, fd, buf, n, flags, to, tolen));
}

SHIM_EXPORT ssize_t recv(int fd, void* buf, size_t n, int flags) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(recv)(fd, buf, n, flags);
  return ret(sim_recv(k, fd, buf, n, flags, NULL, NULL));
}

SHIM_EXPORT ssize_t recvfrom(int fd, void* buf, size_t n, int flags,
                             struct sockaddr* from, socklen_t* fromlen) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(recvfrom)(fd, buf, n, flags, from, fromlen);
  return ret(sim_recv(k, fd, buf, n, flags, from, fromlen));
}

SHIM_EXPORT ssize_t __recv_chk(int fd, void* buf, size_t n, size_t buflen, int flags) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL || n > buflen) return REAL(__recv_chk)(fd, buf, n, buflen, flags);
  return ret(sim_recv(k, fd, buf, n, flags, NULL, NULL));
}

SHIM_EXPORT ssize_t __recvfrom_chk(int fd, void* buf, size_t n, size_t buflen, int flags,
                                   struct sockaddr* from, socklen_t* fromlen) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL || n > buflen)
    return REAL(__recvfrom_chk)(fd, buf, n, buflen, flags, from, fromlen);
  return ret(sim_recv(k, fd, buf, n, flags, from, fromlen));
}

static int sim_shutdown(enum fd_kind k, int fd, int how) {
  if (k == K_FILE) return -ENOTSOCK;
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return -EINVAL;
  if (k == K_DGRAM) return -ENOTCONN;
  int r = 0;
  if (how != SHUT_WR) r = sim_net_shutdown_read(NET(), fd);
  if (r == 0 && how != SHUT_RD) r = sim_net_shutdown(NET(), fd);
  return r;
}

SHIM_EXPORT int shutdown(int fd, int how) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(shutdown)(fd, how);
  return (int)ret(sim_shutdown(k, fd, how));
}

static int sim_name(enum fd_kind k, int fd, struct sockaddr* out, socklen_t* len, int peer) {
  if (k == K_FILE) return -ENOTSOCK;
  sim_addr a;
  int r = k == K_SOCK ? (peer ? sim_net_getpeername(NET(), fd, &a)
                              : sim_net_getsockname(NET(), fd, &a))
                      : (peer ? sim_dgram_getpeername(DG(), fd, &a)
                              : sim_dgram_getsockname(DG(), fd, &a));
  return r < 0 ? r : copy_addr(&a, out, len);
}

SHIM_EXPORT int getsockname(int fd, struct sockaddr* out, socklen_t* len) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(getsockname)(fd, out, len);
  return (int)ret(sim_name(k, fd, out, len, 0));
}

SHIM_EXPORT int getpeername(int fd, struct sockaddr* out, socklen_t* len) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(getpeername)(fd, out, len);
  return (int)ret(sim_name(k, fd, out, len, 1));
}

static int put_int(void* val, socklen_t* len, int v) {
  if (val == NULL || len == NULL || *len < sizeof(int)) return -EINVAL;
  memcpy(val, &v, sizeof v);
  *len = sizeof v;
  return 0;
}

static int family_of(enum fd_kind k, int fd) {
  sim_addr a;
  if (k == K_SOCK) return sim_net_family(NET(), fd);
  return sim_dgram_getsockname(DG(), fd, &a) == 0 ? a.family : AF_INET;
}

/* What a program asks to learn what it holds (Python's socket(fileno=)
 * asks SO_TYPE, SO_DOMAIN, SO_PROTOCOL) and the buffer sizes the world
 * keeps. Options the world does not model read 0. */
static int sim_getsockopt(enum fd_kind k, int fd, int level, int name, void* val,
                          socklen_t* len) {
  if (k == K_FILE) return -ENOTSOCK;
  int fam = family_of(k, fd);
  int v = 0;
  if (level == SOL_SOCKET) {
    switch (name) {
    case SO_TYPE: v = k == K_SOCK ? SOCK_STREAM : SOCK_DGRAM; break;
    case SO_DOMAIN: v = fam; break;
    case SO_PROTOCOL:
      v = fam == AF_UNIX ? 0 : k == K_SOCK ? IPPROTO_TCP : IPPROTO_UDP;
      break;
    case SO_ACCEPTCONN: v = k == K_SOCK && sim_net_is_listening(NET(), fd); break;
    case SO_SNDBUF:
    case SO_RCVBUF: {
      int r = k == K_SOCK ? (name == SO_SNDBUF ? sim_net_sndbuf(NET(), fd, &v)
                                               : sim_net_rcvbuf(NET(), fd, &v))
                          : (name == SO_SNDBUF ? sim_dgram_sndbuf(DG(), fd, &v)
                                               : sim_dgram_rcvbuf(DG(), fd, &v));
      if (r < 0) return r;
      break;
    }
    default: break;           /* SO_ERROR and the rest: 0 */
    }
  }
  return put_int(val, len, v);
}

SHIM_EXPORT int getsockopt(int fd, int level, int name, void* val, socklen_t* len) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(getsockopt)(fd, level, name, val, len);
  return (int)ret(sim_getsockopt(k, fd, level, name, val, len));
}

/* Buffer sizes are applied; other options (TCP_NODELAY, SO_KEEPALIVE,
 * SO_REUSEADDR...) are accepted: the world's timing does not depend on
 * them. */
static int sim_setsockopt(enum fd_kind k, int fd, int level, int name, const void* val,
                          socklen_t len) {
  if (k == K_FILE) return -ENOTSOCK;
  if (val == NULL || len < sizeof(int)) return -EINVAL;
  if (level != SOL_SOCKET || (name != SO_SNDBUF && name != SO_RCVBUF)) return 0;
  int v;
  memcpy(&v, val, sizeof v);
  if (v <= 0) return 0;
  if (k == K_SOCK)
    return name == SO_SNDBUF ? sim_net_sndbuf(NET(), fd, &v) : sim_net_rcvbuf(NET(), fd, &v);
  return name == SO_SNDBUF ? sim_dgram_sndbuf(DG(), fd, &v) : sim_dgram_rcvbuf(DG(), fd, &v);
}

SHIM_EXPORT int setsockopt(int fd, int level, int name, const void* val, socklen_t len) {
  enum fd_kind k = kind(fd);
  if (k == K_REAL) return REAL(setsockopt)(fd, level, name, val, len);
  return (int)ret(sim_setsockopt(k, fd, level, name, val, len));
}
