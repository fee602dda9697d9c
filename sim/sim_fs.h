/* sim/sim_fs.h — the simulated world's in-memory filesystem.
 *
 * A POSIX-like tree of inodes (regular files, directories, symlinks) with an
 * open-file table. Every operation returns 0 (or a count / an fd) on success
 * and -errno on failure, with the error codes Linux returns for the same
 * situation, so that loop/fs.c can hand them to libuv callers unchanged
 * (UV_Exxx == -Exxx on Linux).
 *
 * Paths are absolute, or relative to a virtual cwd ("/" after a reset).
 * File descriptors start at SIM_FS_FD_BASE so they never collide with the
 * process's real descriptors. Times are virtual nanoseconds taken from the
 * world the fs is attached to (sim_fs_attach) plus SIM_FS_EPOCH_NS, never
 * from the wall clock.
 *
 * Nothing here touches the host's filesystem unless a program maps a real
 * directory (sim_fs_map below).
 *
 * Workload: scenarios with tens of files, reset thousands of times a second;
 * reset frees the tree but keeps the tables. Every run starts from an empty
 * "/" containing "/tmp"; a scenario pre-populates with sim_fs_put_file and
 * sim_fs_mkdir_p.
 *
 * The process runs as a non-root user as far as the fs is concerned: access()
 * checks the owner's permission bits. There are no hard limits on file size
 * beyond SIM_FS_FILE_MAX (EFBIG past it).
 */
#ifndef UVSIM_SIM_SIM_FS_H
#define UVSIM_SIM_SIM_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/sim.h"

#define SIM_FS_FD_BASE 1000
#define SIM_FS_FDS_MAX 4096          /* open files at once (EMFILE past it)  */
#define SIM_FS_LOW_MAX 64            /* of them under numbers below the base */
#define SIM_FS_FILE_MAX (1u << 30)   /* bytes in one file (EFBIG past it)    */
#define SIM_FS_PATH_MAX 4096         /* with the NUL, like Linux's PATH_MAX  */
#define SIM_FS_NAME_MAX 255
#define SIM_FS_SYMLOOP_MAX 40        /* symlinks followed in one lookup      */
/* Virtual time 0 is this date on the files' clocks (2023-11-14T22:13:20Z),
 * so that timestamps look like a real machine's. */
#define SIM_FS_EPOCH_NS 1700000000000000000ull

typedef struct sim_fs sim_fs;

typedef struct sim_fs_stat {
  uint64_t dev;
  uint64_t ino;
  uint32_t mode;      /* S_IFREG/S_IFDIR/S_IFLNK | permission bits */
  uint64_t nlink;
  uint32_t uid, gid;
  uint64_t size;
  uint64_t blksize;
  uint64_t blocks;    /* 512-byte units */
  uint64_t atime_ns, mtime_ns, ctime_ns, birthtime_ns;
} sim_stat;

/* Directory entry types (the same values libuv's uv_dirent_type_t uses for
 * files, dirs and links). */
typedef enum sim_fs_dtype {
  SIM_FS_DT_UNKNOWN = 0,
  SIM_FS_DT_FILE = 1,
  SIM_FS_DT_DIR = 2,
  SIM_FS_DT_LINK = 3
} sim_fs_dtype;

typedef struct sim_fs_dirent {
  char name[SIM_FS_NAME_MAX + 1];
  sim_fs_dtype type;
} sim_fs_dirent;

/* Lifecycle. A new or reset fs holds "/" and "/tmp" (mode 01777) only. */
sim_fs* sim_fs_new(void);
void sim_fs_free(sim_fs* fs);
void sim_fs_reset(sim_fs* fs);
/* The world whose clock stamps times (NULL: sim_current() at each call). */
void sim_fs_attach(sim_fs* fs, sim* s);
/* The process-wide fs the loop layer uses (created on first use). */
sim_fs* sim_fs_current(void);

/* Scenario set-up: create (or replace) a regular file with given contents,
 * creating missing parent directories; mode 0644 when mode is 0. */
int sim_fs_put_file(sim_fs* fs, const char* path, const void* data, size_t len,
                    unsigned mode);
int sim_fs_mkdir_p(sim_fs* fs, const char* path, unsigned mode);
/* Reads a whole regular file into a malloc'd buffer (for tests/oracles). */
int sim_fs_get_file(sim_fs* fs, const char* path, char** data, size_t* len);

/* The virtual cwd. */
int sim_fs_chdir(sim_fs* fs, const char* path);
const char* sim_fs_getcwd(const sim_fs* fs);

/* Files. flags use the host's O_* values (O_CREAT, O_EXCL, O_TRUNC,
 * O_APPEND, O_RDONLY/O_WRONLY/O_RDWR, O_DIRECTORY, O_NOFOLLOW). */
int sim_fs_open(sim_fs* fs, const char* path, int flags, unsigned mode);
int sim_fs_close(sim_fs* fs, int fd);
/* dup(2): a new descriptor (the lowest free) for the same open file; the
 * two share one position until either is closed. */
int sim_fs_dup(sim_fs* fs, int fd);
/* fcntl(F_DUPFD): the same, the lowest free from min up (EINVAL if min is
 * negative; a min below SIM_FS_FD_BASE is the base). */
int sim_fs_dup_min(sim_fs* fs, int fd, int min);
/* dup2(2): newfd (closed first if open) becomes a descriptor for fd's open
 * file. newfd may be below SIM_FS_FD_BASE — a program's dup2 of a file
 * onto its stdout's number — and is then one of the fs's descriptors like
 * the others until closed (SIM_FS_LOW_MAX such at once: EMFILE past it).
 * newfd == fd: fd, unchanged. */
int sim_fs_dup2(sim_fs* fs, int fd, int newfd);
/* off < 0: use and advance the file position (read(2)/write(2)); off >= 0:
 * pread/pwrite, position unchanged (O_APPEND writes still append, as on
 * Linux). Return bytes transferred or -errno. */
ssize_t sim_fs_read(sim_fs* fs, int fd, void* buf, size_t len, int64_t off);
ssize_t sim_fs_write(sim_fs* fs, int fd, const void* buf, size_t len,
                     int64_t off);
int sim_fs_is_open(const sim_fs* fs, int fd);
/* lseek(2): the new position or -errno (SEEK_SET/CUR/END/DATA/HOLE). */
int64_t sim_fs_lseek(sim_fs* fs, int fd, int64_t off, int whence);
/* The flags the descriptor was opened with (fcntl F_GETFL), or -EBADF. */
int sim_fs_fd_flags(const sim_fs* fs, int fd);
int sim_fs_fsync(sim_fs* fs, int fd);
int sim_fs_ftruncate(sim_fs* fs, int fd, int64_t len);
int sim_fs_fstat(sim_fs* fs, int fd, sim_stat* st);
int sim_fs_futime(sim_fs* fs, int fd, int64_t atime_ns, int64_t mtime_ns);
int sim_fs_fchmod(sim_fs* fs, int fd, unsigned mode);
/* The path a descriptor was opened with (diagnostics, fault targeting). */
const char* sim_fs_fd_path(const sim_fs* fs, int fd);

/* Paths. */
int sim_fs_stat(sim_fs* fs, const char* path, sim_stat* st);
int sim_fs_lstat(sim_fs* fs, const char* path, sim_stat* st);
int sim_fs_mkdir(sim_fs* fs, const char* path, unsigned mode);
/* tmpl must end in "XXXXXX"; replaced in place (deterministic: a per-run
 * counter, never the real PRNG). */
int sim_fs_mkdtemp(sim_fs* fs, char* tmpl);
int sim_fs_mkstemp(sim_fs* fs, char* tmpl);   /* returns an fd */
int sim_fs_rmdir(sim_fs* fs, const char* path);
int sim_fs_unlink(sim_fs* fs, const char* path);
int sim_fs_rename(sim_fs* fs, const char* from, const char* to);
int sim_fs_link(sim_fs* fs, const char* from, const char* to);
int sim_fs_symlink(sim_fs* fs, const char* target, const char* path);
/* Copies the target into buf (no NUL, like readlink(2)); returns length. */
ssize_t sim_fs_readlink(sim_fs* fs, const char* path, char* buf, size_t len);
int sim_fs_realpath(sim_fs* fs, const char* path, char* out, size_t outlen);
/* mode: F_OK or a mask of R_OK/W_OK/X_OK (owner bits). */
int sim_fs_access(sim_fs* fs, const char* path, int mode);
int sim_fs_chmod(sim_fs* fs, const char* path, unsigned mode);
int sim_fs_utime(sim_fs* fs, const char* path, int64_t atime_ns,
                 int64_t mtime_ns);
int sim_fs_lutime(sim_fs* fs, const char* path, int64_t atime_ns,
                  int64_t mtime_ns);
/* excl: fail with EEXIST when `to` exists (UV_FS_COPYFILE_EXCL). */
int sim_fs_copyfile(sim_fs* fs, const char* from, const char* to, int excl);

/* Directories. scandir returns the entries except "." and "..", sorted with
 * strcmp (as libuv's uv_fs_scandir does); *out is malloc'd, free() it. */
int sim_fs_scandir(sim_fs* fs, const char* path, sim_fs_dirent** out);
/* A directory stream (opendir/readdir/closedir): entries in creation order,
 * without "." and "..", as libuv's uv_fs_readdir skips them. Returns a
 * handle >= 0. readdir fills up to n entries; returns the count, 0 at end. */
int sim_fs_opendir(sim_fs* fs, const char* path);
int sim_fs_readdir(sim_fs* fs, int dir, sim_fs_dirent* out, size_t n);
int sim_fs_closedir(sim_fs* fs, int dir);

/* Mapping a real directory into the tree (opt-in; docs/world.md,
 * "Mapping a real directory"). Without flags it is a passthrough: every
 * operation on a path below sim_dir is done by the host's kernel on the
 * same path below real_dir (descriptors are host descriptors behind
 * simulated numbers), while the simulated pool still decides when each
 * completes. Two names on different sides of a mapping's edge are on
 * different devices (rename/link: EXDEV); the mapping's root cannot be
 * removed or renamed (EBUSY).
 *   SIM_FS_MAP_READONLY  changes fail with EROFS, as on a read-only mount.
 *   SIM_FS_MAP_SNAPSHOT  real_dir is read once, now, into memory; every run
 *                        starts from a private copy and the host directory
 *                        is never touched again (deterministic; for
 *                        campaigns).
 * A mapping outlives resets until unmapped; mapping the same directory
 * again the same way is a no-op, another way replaces it. Returns 0 or
 * -errno with a one-line reason in err (EINVAL: a bad sim_dir such as "/"
 * or one with ".."; EBUSY: overlaps another mapping; ENOSPC: more than
 * SIM_FS_MAPS_MAX; E2BIG: a snapshot past its limits). */
#define SIM_FS_MAP_READONLY 1u
#define SIM_FS_MAP_SNAPSHOT 2u
#define SIM_FS_MAPS_MAX 8
int sim_fs_map(sim_fs* fs, const char* sim_dir, const char* real_dir,
               unsigned flags, char* err, size_t errlen);
int sim_fs_unmap(sim_fs* fs, const char* sim_dir);
void sim_fs_unmap_all(sim_fs* fs);
size_t sim_fs_map_count(const sim_fs* fs);
/* The same as text, "SIM=REAL[,ro|,snapshot]" (UVSIM_FS_MAP entries,
 * `uvsim run --map`, a reproducer's `map` lines), and mapping i back in
 * that form (the host path as mapped: canonical). */
int sim_fs_map_spec(sim_fs* fs, const char* spec, char* err, size_t errlen);
int sim_fs_map_spec_of(const sim_fs* fs, size_t i, char* out, size_t outlen);

/* Change notification, as inotify(7) sees the tree (file watchers,
 * loop/fs_event.c). After each change to the in-memory tree `fn` hears
 * what happened to inode `ino`, with the inotify IN_* bit values below
 * (SIM_FS_EV_ISDIR added when the inode is a directory); `dir_ino` and
 * `name` (0 and NULL for an event about the inode itself) name the
 * directory entry the change went through, which a watch on the directory
 * hears about. Calls come in the order Linux queues the events (rename:
 * MOVED_FROM, MOVED_TO, the replaced target's ATTRIB, MOVE_SELF, then its
 * DELETE_SELF). Changes below a passthrough mapping are the host's: not
 * reported. NULL turns it off. */
#define SIM_FS_EV_MODIFY 0x002u
#define SIM_FS_EV_ATTRIB 0x004u
#define SIM_FS_EV_MOVED_FROM 0x040u
#define SIM_FS_EV_MOVED_TO 0x080u
#define SIM_FS_EV_CREATE 0x100u
#define SIM_FS_EV_DELETE 0x200u
#define SIM_FS_EV_DELETE_SELF 0x400u
#define SIM_FS_EV_MOVE_SELF 0x800u
#define SIM_FS_EV_ISDIR 0x40000000u
typedef void (*sim_fs_notify_fn)(void* ctx, uint64_t ino, uint32_t mask,
                                 uint64_t dir_ino, const char* name);
void sim_fs_on_change(sim_fs* fs, sim_fs_notify_fn fn, void* ctx);
/* The inode a watch on `path` follows (symlinks followed, as
 * inotify_add_watch does): 0 with *ino and *is_dir, -errno, or -ENOSYS for
 * a path below a writable passthrough mapping (the host's files are not
 * watched; below a read-only one nothing simulated can change them, and
 * the watch, keyed by the host's inode with the top bit set, hears
 * nothing). */
int sim_fs_watch_target(sim_fs* fs, const char* path, uint64_t* ino,
                        int* is_dir);

/* Counters for tests: live inodes and open descriptors. */
size_t sim_fs_inode_count(const sim_fs* fs);
size_t sim_fs_open_count(const sim_fs* fs);

#endif /* UVSIM_SIM_SIM_FS_H */
