/* loop/fdreserve.c — simulated descriptor numbers reserved with the kernel.
 *
 * fdshim.c answers libc's calls on a live simulated number from the world.
 * Were the kernel to give the same number to a real descriptor (a program
 * with a thousand files open, or one that asks for a high number), the
 * program's calls on its real descriptor would be answered by the world.
 * So once the program has seen a number (uv_fs_open's result, uv_fileno's
 * answer), that number is taken in the kernel's table too, by a
 * placeholder: an O_PATH descriptor of /dev/null, on which read, write and
 * ioctl fail with EBADF, so a call that bypasses the shim (glibc's internal
 * calls, another thread) meets what it met before.
 *
 * The reservation never changes a simulated answer: numbers are the
 * world's, chosen before and regardless of it. Where the kernel cannot
 * place the number (above RLIMIT_NOFILE it can give it to nobody, and a
 * real descriptor that already has it is the program's, never closed
 * here), nothing is reserved and a line on stderr says so once.
 *
 * dup2 of a simulated file onto a number (fdshim.c) reserves that number,
 * a low one too (stdout's), taking the place of whatever real descriptor
 * had it, as dup2 closes it (uvs__fd_reserve_over).
 *
 * Released when the simulation closes the number through close(2) or
 * uv_fs_close; numbers whose handle closed otherwise (uv_close on a tcp
 * handle) are released at the next reservation, so the table stays as
 * small as what the program holds; all of them (and the placeholder) when
 * a new run begins (uvsim_world_begin), whose world holds no number yet. Workload: a handful of numbers; the
 * sweep is linear.
 */
#include "loop/internal.h"
#include "loop/fdshim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "loop/entry/foreign.h"
#include "sim/sim_fs.h"

#define RESERVED_MAX 65536   /* the sweep keeps it near what is live */

static int placeholder = -1;
static struct stat ph_st;
static int* reserved;
static size_t nreserved, cap_reserved;

static int open_placeholder(void) {
  if (placeholder >= 0) return 0;
  int fd = open("/dev/null", O_PATH | O_CLOEXEC);
  if (fd < 0 || uvs__real_fstat(fd, &ph_st) < 0) return -1;
  placeholder = fd;
  return 0;
}

/* Still our placeholder? A glibc-internal close may have freed the number
 * and the kernel given it to someone else: never close theirs. */
static int is_placeholder(int fd) {
  struct stat st;
  return uvs__real_fstat(fd, &st) == 0 && st.st_dev == ph_st.st_dev &&
         st.st_ino == ph_st.st_ino && st.st_rdev == ph_st.st_rdev;
}

static void drop_at(size_t i) {
  if (is_placeholder(reserved[i])) uvs__real_close(reserved[i]);
  reserved[i] = reserved[--nreserved];
}

static void sweep(void) {
  for (size_t i = 0; i < nreserved;) {
    if (uvs__fd_live(reserved[i])) i++;
    else drop_at(i);
  }
}

static int find(int fd) {
  for (size_t i = 0; i < nreserved; i++)
    if (reserved[i] == fd) return (int)i;
  return -1;
}

static void warn_once(int fd, const char* why) {
  static int warned;
  if (warned++) return;
  fprintf(stderr, "uvsim: simulated descriptor %d is not reserved with the kernel (%s); "
          "a real descriptor with that number would be answered by the simulation\n", fd, why);
}

/* over: the number is the program's dup2 target, and a real descriptor
 * there is closed by taking its place (dup3), as dup2 closes it. */
static void reserve(int fd, int over) {
  sweep();
  if (find(fd) >= 0) return;
  if (nreserved >= RESERVED_MAX || open_placeholder() < 0) {
    warn_once(fd, "no placeholder");
    return;
  }
  /* F_DUPFD takes the lowest free number from fd up: fd itself, unless a
   * real descriptor has it (or it is past the limit: EINVAL). */
  int got = over ? uvs__real_dup3(placeholder, fd, O_CLOEXEC)
                 : uvs__real_fcntl(placeholder, F_DUPFD_CLOEXEC, fd);
  if (got != fd) {
    if (got >= 0) uvs__real_close(got);
    warn_once(fd, got >= 0 ? "a real descriptor has it" : "above RLIMIT_NOFILE");
    return;
  }
  if (nreserved == cap_reserved) {
    size_t cap = cap_reserved ? cap_reserved * 2 : 16;
    int* p = realloc(reserved, cap * sizeof *p);
    if (p == NULL) {
      uvs__real_close(got);
      warn_once(fd, "out of memory");
      return;
    }
    reserved = p;
    cap_reserved = cap;
  }
  reserved[nreserved++] = fd;
}

void uvs__fd_reserve(int fd) {
  if (fd < SIM_FS_FD_BASE || !uvs__on_sim_thread()) return;
  reserve(fd, 0);
}

void uvs__fd_reserve_over(int fd) {
  if (fd < 0 || !uvs__on_sim_thread()) return;
  reserve(fd, 1);
}

void uvs__fd_release_all(void) {
  while (nreserved > 0) drop_at(nreserved - 1);
  if (placeholder >= 0) uvs__real_close(placeholder);
  placeholder = -1;
}

void uvs__fd_release(int fd) {
  if (fd < 0 || !uvs__on_sim_thread()) return;   /* low: a dup2 target */
  int i = find(fd);
  if (i >= 0) drop_at((size_t)i);
}
