/* sim/sim_fs_real.h — the real filesystem under a mapped directory (internal to
 * sim/sim_fs.c; the contract is sim_fs_map in fs.h).
 *
 * Thin wrappers over the host's system calls on *real* paths and
 * descriptors, each returning 0 / a count / an fd, or -errno, like every
 * sim_fs_* function, plus the snapshot of a real tree that
 * SIM_FS_MAP_SNAPSHOT loads once and replays into every run. Nothing here is
 * reached unless a program asked for a mapping. */
#ifndef UVSIM_SIM_SIM_FS_REAL_H
#define UVSIM_SIM_SIM_FS_REAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/sim_fs.h"

int sim_fsr_open(const char* real, int flags, unsigned mode);
int sim_fsr_close(int rfd);
int sim_fsr_dup(int rfd);
ssize_t sim_fsr_read(int rfd, void* buf, size_t len, int64_t off);
ssize_t sim_fsr_write(int rfd, const void* buf, size_t len, int64_t off);
int sim_fsr_fsync(int rfd);
int sim_fsr_ftruncate(int rfd, int64_t len);
int64_t sim_fsr_lseek(int rfd, int64_t off, int whence);
int sim_fsr_fstat(int rfd, sim_stat* st);
int sim_fsr_futime(int rfd, int64_t atime_ns, int64_t mtime_ns);
int sim_fsr_fchmod(int rfd, unsigned mode);

int sim_fsr_stat(const char* real, int follow, sim_stat* st);
int sim_fsr_mkdir(const char* real, unsigned mode);
int sim_fsr_rmdir(const char* real);
int sim_fsr_unlink(const char* real);
int sim_fsr_rename(const char* from, const char* to);
int sim_fsr_link(const char* from, const char* to);
int sim_fsr_symlink(const char* target, const char* real);
ssize_t sim_fsr_readlink(const char* real, char* buf, size_t len);
/* realpath(3) into out (SIM_FS_PATH_MAX bytes). */
int sim_fsr_realpath(const char* real, char* out);
int sim_fsr_access(const char* real, int mode);
int sim_fsr_chmod(const char* real, unsigned mode);
int sim_fsr_utime(const char* real, int follow, int64_t atime_ns, int64_t mtime_ns);
/* The entries of a directory except "." and "..", sorted with strcmp so that
 * the order does not depend on the host filesystem's hashing; *out is
 * malloc'd. Returns the count. */
int sim_fsr_list(const char* real, sim_fs_dirent** out);

/* A snapshot: a real tree read once, in depth-first order with each
 * directory's entries sorted, so replaying it creates the same inodes in the
 * same order every run. Regular files, directories and symlinks only;
 * anything else (sockets, fifos, devices) is skipped. */
typedef struct sim_fsr_entry {
  char* rel;                    /* path below the root, without leading "/" */
  uint32_t mode;                /* S_IFMT | permission bits                 */
  char* data;                   /* contents / symlink target                */
  size_t len;
} sim_fsr_entry;

typedef struct sim_fsr_snapshot {
  sim_fsr_entry* ents;
  size_t n, cap;
  size_t bytes;
} sim_fsr_snapshot;

#define SIM_FSR_SNAPSHOT_ENTRIES_MAX 100000
#define SIM_FSR_SNAPSHOT_BYTES_MAX (512u << 20)

/* -errno with a one-line reason in err (E2BIG past the limits above). */
int sim_fsr_snapshot_load(sim_fsr_snapshot* snap, const char* real_root, char* err,
                      size_t errlen);
void sim_fsr_snapshot_free(sim_fsr_snapshot* snap);

#endif /* UVSIM_SIM_SIM_FS_REAL_H */
