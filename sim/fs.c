/* sim/fs.c — the in-memory filesystem behind uv_fs_* (see fs.h for the
 * contract). Inodes live in one table that a reset frees in one pass;
 * directories keep their entries in creation order (readdir order) and
 * scandir sorts a copy. Error codes follow Linux; where Linux's choice is not
 * obvious the function says which check comes first and why. */
#include "fs.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FS_DEV 0x5157u          /* st_dev of every simulated inode          */
#define FS_UID 1000u            /* the simulated process's user and group   */
#define FS_UMASK 022u
#define FS_DIRSTREAMS_MAX 256

typedef struct inode inode;

typedef struct dentry {
  char* name;
  inode* node;
} dentry;

struct inode {
  uint64_t ino;
  uint32_t mode;                /* S_IFMT | permissions                     */
  uint32_t nlink;
  uint32_t refs;                /* open fds, dir streams, the cwd           */
  int dead;                     /* a removed directory (no new entries)     */
  char* data;                   /* file contents / symlink target           */
  size_t size, cap;
  dentry* ents;                 /* directory entries, creation order        */
  size_t nents, ents_cap;
  inode* parent;                /* directories: for ".."                    */
  uint64_t atime, mtime, ctime, btime;
  size_t slot;                  /* index in fs->inodes                      */
};

typedef struct ofile {
  inode* node;                  /* NULL: free slot                          */
  int flags;
  int64_t pos;
  char* path;
} ofile;

typedef struct dstream {
  int used;
  inode* dir;
  sim_fs_dirent* ents;
  size_t n, pos;
} dstream;

struct sim_fs {
  sim* world;
  inode** inodes;
  size_t ninodes, inodes_cap;
  uint64_t next_ino;
  inode* root;
  inode* cwd;
  char cwd_path[SIM_FS_PATH_MAX];
  ofile* files;                 /* SIM_FS_FDS_MAX slots, allocated once     */
  size_t nopen;
  dstream dirs[FS_DIRSTREAMS_MAX];
  uint64_t tmp_counter;         /* mkdtemp/mkstemp names                    */
};

/* ------------------------------------------------------------- helpers */

static void* xmalloc(size_t n) {
  void* p = malloc(n ? n : 1);
  if (p == NULL) abort();
  return p;
}

static void* xrealloc(void* p, size_t n) {
  void* q = realloc(p, n ? n : 1);
  if (q == NULL) abort();
  return q;
}

static char* xstrdup(const char* s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

static uint64_t now(const sim_fs* fs) {
  return SIM_FS_EPOCH_NS + sim_now(fs->world ? fs->world : sim_current());
}

static int is_dir(const inode* n) { return S_ISDIR(n->mode); }
static int is_reg(const inode* n) { return S_ISREG(n->mode); }
static int is_lnk(const inode* n) { return S_ISLNK(n->mode); }

static void touch_mc(sim_fs* fs, inode* n) { n->mtime = n->ctime = now(fs); }

static inode* inode_new(sim_fs* fs, uint32_t mode) {
  inode* n = xmalloc(sizeof *n);
  memset(n, 0, sizeof *n);
  n->ino = fs->next_ino++;
  n->mode = mode;
  n->atime = n->mtime = n->ctime = n->btime = now(fs);
  if (fs->ninodes == fs->inodes_cap) {
    fs->inodes_cap = fs->inodes_cap ? fs->inodes_cap * 2 : 64;
    fs->inodes = xrealloc(fs->inodes, fs->inodes_cap * sizeof *fs->inodes);
  }
  n->slot = fs->ninodes;
  fs->inodes[fs->ninodes++] = n;
  return n;
}

static void inode_destroy(inode* n) {
  for (size_t i = 0; i < n->nents; i++) free(n->ents[i].name);
  free(n->ents);
  free(n->data);
  free(n);
}

/* Frees an inode once no name and no descriptor refers to it. */
static void inode_maybe_free(sim_fs* fs, inode* n) {
  if (n->nlink > 0 || n->refs > 0) return;
  assert(fs->inodes[n->slot] == n);
  size_t last = --fs->ninodes;
  fs->inodes[n->slot] = fs->inodes[last];
  fs->inodes[n->slot]->slot = n->slot;
  inode_destroy(n);
}

static dentry* dir_find(inode* dir, const char* name) {
  for (size_t i = 0; i < dir->nents; i++)
    if (strcmp(dir->ents[i].name, name) == 0) return &dir->ents[i];
  return NULL;
}

static void dir_add(sim_fs* fs, inode* dir, const char* name, inode* n) {
  assert(is_dir(dir) && !dir->dead);
  assert(dir_find(dir, name) == NULL);
  if (dir->nents == dir->ents_cap) {
    dir->ents_cap = dir->ents_cap ? dir->ents_cap * 2 : 8;
    dir->ents = xrealloc(dir->ents, dir->ents_cap * sizeof *dir->ents);
  }
  dir->ents[dir->nents++] = (dentry){ xstrdup(name), n };
  n->nlink++;
  if (is_dir(n)) {
    n->parent = dir;
    dir->nlink++;               /* the child's ".." */
  }
  touch_mc(fs, dir);
}

/* Takes the entry out of `dir` and drops the name's link; the inode lives
 * on (a rename re-attaches it). */
static inode* detach(sim_fs* fs, inode* dir, const char* name) {
  dentry* d = dir_find(dir, name);
  assert(d != NULL);
  inode* n = d->node;
  free(d->name);
  size_t i = (size_t)(d - dir->ents);
  memmove(&dir->ents[i], &dir->ents[i + 1],
          (dir->nents - i - 1) * sizeof *dir->ents);
  dir->nents--;
  touch_mc(fs, dir);
  n->ctime = now(fs);
  assert(n->nlink > 0);
  n->nlink--;
  if (is_dir(n)) dir->nlink--;  /* the child's ".." */
  return n;
}

/* Removes the entry; the inode is freed if nothing else holds it. */
static void dir_remove(sim_fs* fs, inode* dir, const char* name) {
  inode* n = detach(fs, dir, name);
  if (is_dir(n)) {
    assert(n->nents == 0);
    n->nlink = 0;               /* its own "." goes with it */
    n->dead = 1;
  }
  inode_maybe_free(fs, n);
}

/* ---------------------------------------------------------- path walk */

typedef struct lookup {
  inode* dir;                   /* directory holding the last component    */
  inode* node;                  /* NULL: last component does not exist     */
  char name[SIM_FS_NAME_MAX + 1];
  int trailing_slash;
  int dot;                      /* last component is "." or ".." or "/"    */
} lookup;

/* Resolves `path`. Intermediate symlinks are always followed; the last one
 * only when follow_last (or when a trailing slash forces it, as POSIX says).
 * Returns 0 with L->node possibly NULL when only the last component is
 * missing, else -errno (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG). */
static int walk(sim_fs* fs, const char* path, int follow_last, lookup* L) {
  if (path == NULL) return -EFAULT;
  if (path[0] == '\0') return -ENOENT;
  size_t plen = strlen(path);
  if (plen >= SIM_FS_PATH_MAX) return -ENAMETOOLONG;
  char buf[SIM_FS_PATH_MAX * 2];
  memcpy(buf, path, plen + 1);
  inode* cur = buf[0] == '/' ? fs->root : fs->cwd;
  char* p = buf;
  int links = 0;
  memset(L, 0, sizeof *L);
  for (;;) {
    while (*p == '/') p++;
    if (*p == '\0') {           /* "/" or a symlink to "/": the dir itself */
      L->dir = cur->parent ? cur->parent : cur;
      L->node = cur;
      L->dot = 1;
      L->trailing_slash = 1;
      strcpy(L->name, ".");
      return 0;
    }
    if (!is_dir(cur)) return -ENOTDIR;
    char* end = strchr(p, '/');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n > SIM_FS_NAME_MAX) return -ENAMETOOLONG;
    char* rest = end;
    while (rest && *rest == '/') rest++;
    int last = rest == NULL || *rest == '\0';
    char name[SIM_FS_NAME_MAX + 1];
    memcpy(name, p, n);
    name[n] = '\0';
    inode* child;
    int dot = 0;
    if (strcmp(name, ".") == 0) {
      child = cur, dot = 1;
    } else if (strcmp(name, "..") == 0) {
      child = cur->parent ? cur->parent : cur, dot = 1;
    } else {
      dentry* d = dir_find(cur, name);
      child = d ? d->node : NULL;
    }
    int trailing = last && end != NULL;
    if (child && is_lnk(child) && (!last || follow_last || trailing)) {
      if (++links > SIM_FS_SYMLOOP_MAX) return -ELOOP;
      char tmp[SIM_FS_PATH_MAX * 2];
      size_t tl = child->size;
      const char* tail = last ? (trailing ? "/" : "") : rest - 1;
      size_t rl = strlen(tail);
      if (tl + rl + 1 >= sizeof tmp) return -ENAMETOOLONG;
      memcpy(tmp, child->data, tl);
      memcpy(tmp + tl, tail, rl + 1);
      memcpy(buf, tmp, tl + rl + 1);
      if (buf[0] == '/') cur = fs->root;
      p = buf;
      continue;
    }
    if (last) {
      L->dir = cur;
      L->node = child;
      L->dot = dot;
      L->trailing_slash = trailing;
      memcpy(L->name, name, n + 1);
      if (trailing && child && !is_dir(child)) return -ENOTDIR;
      return 0;
    }
    if (child == NULL) return -ENOENT;
    if (!is_dir(child)) return -ENOTDIR;
    cur = child;
    p = rest;
  }
}

/* Resolves a path that must exist. */
static int walk_existing(sim_fs* fs, const char* path, int follow,
                         inode** out) {
  lookup L;
  int r = walk(fs, path, follow, &L);
  if (r < 0) return r;
  if (L.node == NULL) return -ENOENT;
  *out = L.node;
  return 0;
}

/* The absolute path of a directory, by climbing "..". */
static int dir_path(const inode* dir, char* out, size_t outlen) {
  const inode* chain[SIM_FS_PATH_MAX / 2];
  size_t depth = 0;
  for (const inode* d = dir; d->parent != NULL && depth < sizeof chain / sizeof *chain;
       d = d->parent)
    chain[depth++] = d;
  size_t len = 0;
  out[0] = '\0';
  if (depth == 0) {
    if (outlen < 2) return -ENAMETOOLONG;
    strcpy(out, "/");
    return 0;
  }
  for (size_t i = depth; i-- > 0;) {
    const inode* d = chain[i];
    const char* nm = NULL;
    for (size_t k = 0; k < d->parent->nents; k++)
      if (d->parent->ents[k].node == d) nm = d->parent->ents[k].name;
    if (nm == NULL) return -ENOENT;    /* a removed directory */
    size_t nl = strlen(nm);
    if (len + 1 + nl + 1 > outlen) return -ENAMETOOLONG;
    out[len++] = '/';
    memcpy(out + len, nm, nl + 1);
    len += nl;
  }
  return 0;
}

/* ------------------------------------------------------------ lifecycle */

static void fs_build_root(sim_fs* fs) {
  fs->next_ino = 2;             /* like ext4: the root is inode 2 */
  fs->root = inode_new(fs, S_IFDIR | 0755);
  fs->root->nlink = 2;
  fs->cwd = fs->root;
  fs->root->refs++;             /* the cwd reference */
  strcpy(fs->cwd_path, "/");
  inode* tmp = inode_new(fs, S_IFDIR | 01777);
  tmp->nlink = 1;               /* "." ; dir_add adds the name */
  dir_add(fs, fs->root, "tmp", tmp);
  fs->tmp_counter = 0;
}

sim_fs* sim_fs_new(void) {
  sim_fs* fs = xmalloc(sizeof *fs);
  memset(fs, 0, sizeof *fs);
  fs->files = xmalloc(SIM_FS_FDS_MAX * sizeof *fs->files);
  memset(fs->files, 0, SIM_FS_FDS_MAX * sizeof *fs->files);
  fs_build_root(fs);
  return fs;
}

/* Frees every inode in one pass and rebuilds "/" and "/tmp". Tables keep
 * their capacity: a campaign resets thousands of times a second. */
void sim_fs_reset(sim_fs* fs) {
  for (size_t i = 0; i < SIM_FS_FDS_MAX && fs->nopen > 0; i++) {
    if (fs->files[i].node == NULL) continue;
    free(fs->files[i].path);
    fs->files[i].node = NULL;
    fs->files[i].path = NULL;
    fs->nopen--;
  }
  assert(fs->nopen == 0);
  for (size_t i = 0; i < FS_DIRSTREAMS_MAX; i++) {
    free(fs->dirs[i].ents);
    memset(&fs->dirs[i], 0, sizeof fs->dirs[i]);
  }
  for (size_t i = 0; i < fs->ninodes; i++) inode_destroy(fs->inodes[i]);
  fs->ninodes = 0;
  fs_build_root(fs);
}

void sim_fs_free(sim_fs* fs) {
  if (fs == NULL) return;
  sim_fs_reset(fs);
  for (size_t i = 0; i < fs->ninodes; i++) inode_destroy(fs->inodes[i]);
  free(fs->inodes);
  free(fs->files);
  free(fs);
}

void sim_fs_attach(sim_fs* fs, sim* s) { fs->world = s; }

sim_fs* sim_fs_current(void) {
  static sim_fs* current;
  if (current == NULL) current = sim_fs_new();
  return current;
}

size_t sim_fs_inode_count(const sim_fs* fs) { return fs->ninodes; }
size_t sim_fs_open_count(const sim_fs* fs) { return fs->nopen; }

/* ----------------------------------------------------------- the cwd */

int sim_fs_chdir(sim_fs* fs, const char* path) {
  inode* n;
  int r = walk_existing(fs, path, 1, &n);
  if (r < 0) return r;
  if (!is_dir(n)) return -ENOTDIR;
  char p[SIM_FS_PATH_MAX];
  r = dir_path(n, p, sizeof p);
  if (r < 0) return r;
  n->refs++;
  inode* old = fs->cwd;
  fs->cwd = n;
  old->refs--;
  inode_maybe_free(fs, old);
  strcpy(fs->cwd_path, p);
  return 0;
}

const char* sim_fs_getcwd(const sim_fs* fs) { return fs->cwd_path; }

/* ----------------------------------------------------------- descriptors */

static ofile* fd_get(const sim_fs* fs, int fd) {
  if (fd < SIM_FS_FD_BASE || fd >= SIM_FS_FD_BASE + SIM_FS_FDS_MAX) return NULL;
  ofile* f = &fs->files[fd - SIM_FS_FD_BASE];
  return f->node ? f : NULL;
}

int sim_fs_is_open(const sim_fs* fs, int fd) { return fd_get(fs, fd) != NULL; }

const char* sim_fs_fd_path(const sim_fs* fs, int fd) {
  ofile* f = fd_get(fs, fd);
  return f ? f->path : NULL;
}

/* The lowest free descriptor, as open(2) gives. */
static int fd_alloc(sim_fs* fs, inode* n, int flags, const char* path) {
  for (int i = 0; i < SIM_FS_FDS_MAX; i++) {
    ofile* f = &fs->files[i];
    if (f->node) continue;
    f->node = n;
    f->flags = flags;
    f->pos = 0;
    f->path = xstrdup(path);
    n->refs++;
    fs->nopen++;
    return SIM_FS_FD_BASE + i;
  }
  return -EMFILE;
}

static int can_read(const ofile* f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static int can_write(const ofile* f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

static int file_resize(inode* n, uint64_t size) {
  if (size > SIM_FS_FILE_MAX) return -EFBIG;
  if (size > n->cap) {
    size_t cap = n->cap ? n->cap : 64;
    while (cap < size) cap *= 2;
    n->data = xrealloc(n->data, cap);
    n->cap = cap;
  }
  if (size > n->size) memset(n->data + n->size, 0, size - n->size);
  n->size = size;
  return 0;
}

/* Creates a regular file `name` in `dir` (the caller checked it is absent). */
static inode* create_file(sim_fs* fs, inode* dir, const char* name,
                          unsigned mode) {
  inode* n = inode_new(fs, S_IFREG | (mode & 07777 & ~FS_UMASK));
  dir_add(fs, dir, name, n);
  return n;
}

int sim_fs_open(sim_fs* fs, const char* path, int flags, unsigned mode) {
  int excl = (flags & O_CREAT) && (flags & O_EXCL);
  int follow = !(flags & O_NOFOLLOW) && !excl;
  lookup L;
  int r = walk(fs, path, follow, &L);
  if (r < 0) return r;
  inode* n = L.node;
  int acc = flags & O_ACCMODE;
  if (n != NULL) {
    if (excl) return -EEXIST;
    if (is_lnk(n)) return -ELOOP;               /* O_NOFOLLOW on a link */
    if (is_dir(n) && (acc != O_RDONLY || (flags & O_CREAT))) return -EISDIR;
    if ((flags & O_DIRECTORY) && !is_dir(n)) return -ENOTDIR;
    if ((flags & O_TRUNC) && is_reg(n) && acc != O_RDONLY && n->size) {
      n->size = 0;
      touch_mc(fs, n);
    }
  } else {
    if (!(flags & O_CREAT)) return -ENOENT;
    if (L.trailing_slash) return -EISDIR;
    if (L.dir->dead) return -ENOENT;
    n = create_file(fs, L.dir, L.name, mode);
  }
  return fd_alloc(fs, n, flags, path);
}

int sim_fs_close(sim_fs* fs, int fd) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL) return -EBADF;
  inode* n = f->node;
  free(f->path);
  f->path = NULL;
  f->node = NULL;
  fs->nopen--;
  n->refs--;
  inode_maybe_free(fs, n);
  return 0;
}

ssize_t sim_fs_read(sim_fs* fs, int fd, void* buf, size_t len, int64_t off) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL || !can_read(f)) return -EBADF;
  if (is_dir(f->node)) return -EISDIR;
  inode* n = f->node;
  uint64_t at = off < 0 ? (uint64_t)f->pos : (uint64_t)off;
  size_t got = 0;
  if (at < n->size) {
    got = n->size - at < len ? (size_t)(n->size - at) : len;
    memcpy(buf, n->data + at, got);
  }
  if (off < 0) f->pos += (int64_t)got;
  return (ssize_t)got;
}

ssize_t sim_fs_write(sim_fs* fs, int fd, const void* buf, size_t len,
                     int64_t off) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL || !can_write(f)) return -EBADF;
  inode* n = f->node;
  assert(is_reg(n));
  /* Linux quirk kept on purpose: pwrite on an O_APPEND descriptor appends. */
  uint64_t at = (f->flags & O_APPEND) ? n->size
                : off < 0 ? (uint64_t)f->pos : (uint64_t)off;
  if (len == 0) return 0;
  if (at + len > SIM_FS_FILE_MAX) return -EFBIG;
  if (at + len > n->size) {
    int r = file_resize(n, at + len);
    if (r < 0) return r;
  }
  memcpy(n->data + at, buf, len);
  touch_mc(fs, n);
  if (off < 0) f->pos = (int64_t)(at + len);
  return (ssize_t)len;
}

int sim_fs_fsync(sim_fs* fs, int fd) {
  return fd_get(fs, fd) ? 0 : -EBADF;
}

int sim_fs_ftruncate(sim_fs* fs, int fd, int64_t len) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL) return -EBADF;
  if (len < 0) return -EINVAL;
  /* Linux answers EINVAL (not EBADF) for a descriptor without write access
   * or a non-regular file. */
  if (!can_write(f) || !is_reg(f->node)) return -EINVAL;
  int r = file_resize(f->node, (uint64_t)len);
  if (r < 0) return r;
  touch_mc(fs, f->node);
  return 0;
}

static void fill_stat(const inode* n, sim_stat* st) {
  memset(st, 0, sizeof *st);
  st->dev = FS_DEV;
  st->ino = n->ino;
  st->mode = n->mode;
  st->nlink = n->nlink;
  st->uid = st->gid = FS_UID;
  st->size = is_dir(n) ? 4096 : n->size;
  st->blksize = 4096;
  st->blocks = ((st->size + 4095) / 4096) * 8;
  if (is_lnk(n)) st->blocks = 0;
  st->atime_ns = n->atime;
  st->mtime_ns = n->mtime;
  st->ctime_ns = n->ctime;
  st->birthtime_ns = n->btime;
}

int sim_fs_fstat(sim_fs* fs, int fd, sim_stat* st) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL) return -EBADF;
  fill_stat(f->node, st);
  return 0;
}

int sim_fs_futime(sim_fs* fs, int fd, int64_t atime_ns, int64_t mtime_ns) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL) return -EBADF;
  f->node->atime = (uint64_t)atime_ns;
  f->node->mtime = (uint64_t)mtime_ns;
  f->node->ctime = now(fs);
  return 0;
}

int sim_fs_fchmod(sim_fs* fs, int fd, unsigned mode) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL) return -EBADF;
  f->node->mode = (f->node->mode & S_IFMT) | (mode & 07777);
  f->node->ctime = now(fs);
  return 0;
}

/* ---------------------------------------------------------------- paths */

int sim_fs_stat(sim_fs* fs, const char* path, sim_stat* st) {
  inode* n;
  int r = walk_existing(fs, path, 1, &n);
  if (r < 0) return r;
  fill_stat(n, st);
  return 0;
}

int sim_fs_lstat(sim_fs* fs, const char* path, sim_stat* st) {
  inode* n;
  int r = walk_existing(fs, path, 0, &n);
  if (r < 0) return r;
  fill_stat(n, st);
  return 0;
}

int sim_fs_mkdir(sim_fs* fs, const char* path, unsigned mode) {
  lookup L;
  int r = walk(fs, path, 0, &L);
  if (r == -ENOTDIR && L.node != NULL) return -EEXIST;  /* "file/" */
  if (r < 0) return r;
  if (L.node != NULL || L.dot) return -EEXIST;
  if (L.dir->dead) return -ENOENT;
  inode* n = inode_new(fs, S_IFDIR | (mode & 07777 & ~FS_UMASK));
  n->nlink = 1;                 /* "." ; the name adds one */
  dir_add(fs, L.dir, L.name, n);
  return 0;
}

int sim_fs_mkdir_p(sim_fs* fs, const char* path, unsigned mode) {
  char buf[SIM_FS_PATH_MAX];
  size_t n = strlen(path);
  if (n >= sizeof buf) return -ENAMETOOLONG;
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    char c = buf[i];
    buf[i] = '\0';
    int r = sim_fs_mkdir(fs, buf, mode ? mode : 0755);
    if (r < 0 && r != -EEXIST) return r;
    buf[i] = c;
  }
  sim_stat st;
  int r = sim_fs_stat(fs, path, &st);
  if (r < 0) return r;
  return S_ISDIR(st.mode) ? 0 : -ENOTDIR;
}

int sim_fs_put_file(sim_fs* fs, const char* path, const void* data, size_t len,
                    unsigned mode) {
  char dir[SIM_FS_PATH_MAX];
  size_t n = strlen(path);
  if (n >= sizeof dir) return -ENAMETOOLONG;
  memcpy(dir, path, n + 1);
  char* slash = strrchr(dir, '/');
  if (slash && slash != dir) {
    *slash = '\0';
    int r = sim_fs_mkdir_p(fs, dir, 0755);
    if (r < 0) return r;
  }
  int fd = sim_fs_open(fs, path, O_WRONLY | O_CREAT | O_TRUNC, mode ? mode : 0644);
  if (fd < 0) return fd;
  if (mode) sim_fs_fchmod(fs, fd, mode);
  ssize_t w = len ? sim_fs_write(fs, fd, data, len, 0) : 0;
  sim_fs_close(fs, fd);
  return w < 0 ? (int)w : 0;
}

int sim_fs_get_file(sim_fs* fs, const char* path, char** data, size_t* len) {
  inode* n;
  int r = walk_existing(fs, path, 1, &n);
  if (r < 0) return r;
  if (is_dir(n)) return -EISDIR;
  *data = xmalloc(n->size + 1);
  memcpy(*data, n->data ? n->data : "", n->size);
  (*data)[n->size] = '\0';
  *len = n->size;
  return 0;
}

static const char tmp_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* Fills the six X's from the per-run counter; tries the next name when one
 * exists, like the real functions retry on EEXIST. */
static int make_temp(sim_fs* fs, char* tmpl, int want_dir) {
  size_t n = strlen(tmpl);
  if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0) return -EINVAL;
  for (int tries = 0; tries < 1000; tries++) {
    uint64_t c = fs->tmp_counter++;
    for (int i = 0; i < 6; i++) {
      tmpl[n - 6 + i] = tmp_alphabet[c % 62];
      c /= 62;
    }
    int r = want_dir ? sim_fs_mkdir(fs, tmpl, 0700)
                     : sim_fs_open(fs, tmpl, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (r != -EEXIST) {
      if (r < 0) memcpy(tmpl + n - 6, "XXXXXX", 6);
      return r;
    }
  }
  memcpy(tmpl + n - 6, "XXXXXX", 6);
  return -EEXIST;
}

int sim_fs_mkdtemp(sim_fs* fs, char* tmpl) { return make_temp(fs, tmpl, 1); }
int sim_fs_mkstemp(sim_fs* fs, char* tmpl) { return make_temp(fs, tmpl, 0); }

int sim_fs_rmdir(sim_fs* fs, const char* path) {
  lookup L;
  int r = walk(fs, path, 0, &L);
  if (r < 0) return r;
  if (L.node == NULL) return -ENOENT;
  if (!is_dir(L.node)) return -ENOTDIR;
  if (L.node == fs->root) return -EBUSY;
  if (strcmp(L.name, ".") == 0) return -EINVAL;
  if (L.dot) return -ENOTEMPTY;  /* ".." */
  if (L.node->nents > 0) return -ENOTEMPTY;
  dir_remove(fs, L.dir, L.name);
  return 0;
}

int sim_fs_unlink(sim_fs* fs, const char* path) {
  lookup L;
  int r = walk(fs, path, 0, &L);
  if (r < 0) return r;
  if (L.node == NULL) return -ENOENT;
  if (is_dir(L.node) || L.dot) return -EISDIR;
  dir_remove(fs, L.dir, L.name);
  return 0;
}

static int is_ancestor(const inode* a, const inode* d) {
  for (; d != NULL; d = d->parent)
    if (d == a) return 1;
  return 0;
}

/* rename(2). Order of checks as Linux: "." or ".." → EBUSY, source missing,
 * moving a directory under itself → EINVAL, then type clashes with the
 * target (ENOTDIR/EISDIR) and a non-empty target directory (ENOTEMPTY). */
int sim_fs_rename(sim_fs* fs, const char* from, const char* to) {
  lookup A, B;
  int r = walk(fs, from, 0, &A);
  if (r < 0) return r;
  if (A.node == NULL) return -ENOENT;
  r = walk(fs, to, 0, &B);
  if (r < 0) return r;
  if (A.dot || B.dot) return -EBUSY;
  inode* n = A.node;
  if (B.trailing_slash && !is_dir(n)) return -ENOTDIR;
  if (B.node == n) return 0;    /* same file: POSIX says do nothing */
  if (is_dir(n) && is_ancestor(n, B.dir)) return -EINVAL;
  if (B.node != NULL) {
    if (is_ancestor(B.node, A.dir)) return -ENOTEMPTY;
    if (is_dir(n) && !is_dir(B.node)) return -ENOTDIR;
    if (!is_dir(n) && is_dir(B.node)) return -EISDIR;
    if (is_dir(B.node) && B.node->nents > 0) return -ENOTEMPTY;
  }
  if (B.dir->dead) return -ENOENT;
  if (B.node != NULL) dir_remove(fs, B.dir, B.name);
  detach(fs, A.dir, A.name);
  dir_add(fs, B.dir, B.name, n);
  return 0;
}

int sim_fs_link(sim_fs* fs, const char* from, const char* to) {
  inode* n;
  int r = walk_existing(fs, from, 0, &n);
  if (r < 0) return r;
  if (is_dir(n)) return -EPERM;
  lookup B;
  r = walk(fs, to, 0, &B);
  if (r < 0) return r;
  if (B.node != NULL || B.dot) return -EEXIST;
  if (B.trailing_slash) return -ENOENT;
  if (B.dir->dead) return -ENOENT;
  dir_add(fs, B.dir, B.name, n);
  n->ctime = now(fs);
  return 0;
}

int sim_fs_symlink(sim_fs* fs, const char* target, const char* path) {
  if (target == NULL) return -EFAULT;
  if (target[0] == '\0') return -ENOENT;
  size_t tl = strlen(target);
  if (tl >= SIM_FS_PATH_MAX) return -ENAMETOOLONG;
  lookup L;
  int r = walk(fs, path, 0, &L);
  if (r < 0) return r;
  if (L.node != NULL || L.dot) return -EEXIST;
  if (L.trailing_slash) return -ENOENT;
  if (L.dir->dead) return -ENOENT;
  inode* n = inode_new(fs, S_IFLNK | 0777);
  n->data = xmalloc(tl);
  memcpy(n->data, target, tl);
  n->size = n->cap = tl;
  dir_add(fs, L.dir, L.name, n);
  return 0;
}

ssize_t sim_fs_readlink(sim_fs* fs, const char* path, char* buf, size_t len) {
  inode* n;
  int r = walk_existing(fs, path, 0, &n);
  if (r < 0) return r;
  if (!is_lnk(n) || len == 0) return -EINVAL;
  size_t k = n->size < len ? n->size : len;
  memcpy(buf, n->data, k);
  return (ssize_t)k;
}

int sim_fs_realpath(sim_fs* fs, const char* path, char* out, size_t outlen) {
  lookup L;
  int r = walk(fs, path, 1, &L);
  if (r < 0) return r;
  if (L.node == NULL) return -ENOENT;
  if (is_dir(L.node)) return dir_path(L.node, out, outlen);
  r = dir_path(L.dir, out, outlen);
  if (r < 0) return r;
  size_t dl = strlen(out), nl = strlen(L.name);
  if (dl == 1) dl = 0;          /* "/" + name */
  if (dl + 1 + nl + 1 > outlen) return -ENAMETOOLONG;
  out[dl] = '/';
  memcpy(out + dl + 1, L.name, nl + 1);
  return 0;
}

int sim_fs_access(sim_fs* fs, const char* path, int mode) {
  inode* n;
  int r = walk_existing(fs, path, 1, &n);
  if (r < 0) return r;
  if (mode & ~(R_OK | W_OK | X_OK)) return -EINVAL;
  if ((mode & R_OK) && !(n->mode & S_IRUSR)) return -EACCES;
  if ((mode & W_OK) && !(n->mode & S_IWUSR)) return -EACCES;
  if ((mode & X_OK) && !(n->mode & S_IXUSR)) return -EACCES;
  return 0;
}

int sim_fs_chmod(sim_fs* fs, const char* path, unsigned mode) {
  inode* n;
  int r = walk_existing(fs, path, 1, &n);
  if (r < 0) return r;
  n->mode = (n->mode & S_IFMT) | (mode & 07777);
  n->ctime = now(fs);
  return 0;
}

static int set_times(sim_fs* fs, const char* path, int follow, int64_t a,
                     int64_t m) {
  inode* n;
  int r = walk_existing(fs, path, follow, &n);
  if (r < 0) return r;
  n->atime = (uint64_t)a;
  n->mtime = (uint64_t)m;
  n->ctime = now(fs);
  return 0;
}

int sim_fs_utime(sim_fs* fs, const char* path, int64_t a, int64_t m) {
  return set_times(fs, path, 1, a, m);
}

int sim_fs_lutime(sim_fs* fs, const char* path, int64_t a, int64_t m) {
  return set_times(fs, path, 0, a, m);
}

/* As libuv does it: open the source, open the destination (O_EXCL when
 * asked), nothing to do when both are the same file, else replace the
 * contents and copy the mode. */
int sim_fs_copyfile(sim_fs* fs, const char* from, const char* to, int excl) {
  inode* src;
  int r = walk_existing(fs, from, 1, &src);
  if (r < 0) return r;
  if (is_dir(src)) return -EISDIR;
  lookup B;
  r = walk(fs, to, 1, &B);
  if (r < 0) return r;
  inode* dst = B.node;
  if (dst != NULL) {
    if (excl) return -EEXIST;
    if (is_dir(dst)) return -EISDIR;
    if (dst == src) return 0;
  } else {
    if (B.trailing_slash) return -EISDIR;
    if (B.dir->dead) return -ENOENT;
    dst = create_file(fs, B.dir, B.name, src->mode);
  }
  r = file_resize(dst, src->size);
  if (r < 0) return r;
  if (src->size) memcpy(dst->data, src->data, src->size);
  dst->mode = S_IFREG | (src->mode & 07777);
  touch_mc(fs, dst);
  return 0;
}

/* ----------------------------------------------------------- directories */

static sim_fs_dtype dtype_of(const inode* n) {
  if (is_dir(n)) return SIM_FS_DT_DIR;
  if (is_lnk(n)) return SIM_FS_DT_LINK;
  if (is_reg(n)) return SIM_FS_DT_FILE;
  return SIM_FS_DT_UNKNOWN;
}

static sim_fs_dirent* snapshot(const inode* dir) {
  sim_fs_dirent* out = xmalloc(dir->nents * sizeof *out);
  for (size_t i = 0; i < dir->nents; i++) {
    snprintf(out[i].name, sizeof out[i].name, "%s", dir->ents[i].name);
    out[i].type = dtype_of(dir->ents[i].node);
  }
  return out;
}

static int cmp_dirent(const void* a, const void* b) {
  return strcmp(((const sim_fs_dirent*)a)->name,
                ((const sim_fs_dirent*)b)->name);
}

int sim_fs_scandir(sim_fs* fs, const char* path, sim_fs_dirent** out) {
  inode* n;
  int r = walk_existing(fs, path, 1, &n);
  if (r < 0) return r;
  if (!is_dir(n)) return -ENOTDIR;
  *out = snapshot(n);
  qsort(*out, n->nents, sizeof **out, cmp_dirent);
  return (int)n->nents;
}

int sim_fs_opendir(sim_fs* fs, const char* path) {
  inode* n;
  int r = walk_existing(fs, path, 1, &n);
  if (r < 0) return r;
  if (!is_dir(n)) return -ENOTDIR;
  for (int i = 0; i < FS_DIRSTREAMS_MAX; i++) {
    dstream* d = &fs->dirs[i];
    if (d->used) continue;
    d->used = 1;
    d->dir = n;
    d->ents = snapshot(n);
    d->n = n->nents;
    d->pos = 0;
    n->refs++;
    return i;
  }
  return -EMFILE;
}

int sim_fs_readdir(sim_fs* fs, int dir, sim_fs_dirent* out, size_t n) {
  if (dir < 0 || dir >= FS_DIRSTREAMS_MAX || !fs->dirs[dir].used) return -EBADF;
  dstream* d = &fs->dirs[dir];
  size_t k = 0;
  while (k < n && d->pos < d->n) out[k++] = d->ents[d->pos++];
  return (int)k;
}

int sim_fs_closedir(sim_fs* fs, int dir) {
  if (dir < 0 || dir >= FS_DIRSTREAMS_MAX || !fs->dirs[dir].used) return -EBADF;
  dstream* d = &fs->dirs[dir];
  inode* n = d->dir;
  free(d->ents);
  memset(d, 0, sizeof *d);
  n->refs--;
  inode_maybe_free(fs, n);
  return 0;
}
