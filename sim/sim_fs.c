/* sim/sim_fs.c — the in-memory filesystem behind uv_fs_* (see fs.h for the
 * contract). Inodes live in one table that a reset frees in one pass;
 * directories keep their entries in creation order (readdir order) and
 * scandir sorts a copy. Error codes follow Linux; where Linux's choice is not
 * obvious the function says which check comes first and why. */
#include "sim/sim_fs.h"

#include <assert.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim_fs_real.h"
#include "sim/sim_util.h"

#define FS_DEV 0x5157u          /* st_dev of every simulated inode          */
#define FS_UID 1000u            /* the simulated process's user and group   */
#define FS_UMASK 022u
#define FS_DIRSTREAMS_MAX 256
#define FS_SLOTS (SIM_FS_FDS_MAX + SIM_FS_LOW_MAX)

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
  int mount;                    /* a passthrough mapping's root: its index+1 */
};

typedef struct ofile {
  inode* node;                  /* NULL and !real: free slot                */
  int real;                     /* a mapped file: rfd is the host's fd      */
  int rfd;
  int ro;                       /* opened through a read-only mapping       */
  int flags;
  int64_t pos;
  int share;                    /* sim_fs_dup: next slot sharing the open
                                 * file's position, +1 (0: not shared)    */
  int low;                      /* a number below SIM_FS_FD_BASE it goes by
                                 * (sim_fs_dup2), +1; 0: SIM_FS_FD_BASE+i */
  char* path;
} ofile;

typedef struct dstream {
  int used;
  inode* dir;                   /* NULL for a mapped directory              */
  sim_fs_dirent* ents;
  size_t n, pos;
} dstream;

/* A real directory mapped at a simulated path (sim_fs_map). */
typedef struct fs_map {
  char* sim;                    /* absolute, normalised, never "/"          */
  char* real;                   /* canonical (realpath) when mapped         */
  unsigned flags;
  sim_fsr_snapshot snap;            /* SIM_FS_MAP_SNAPSHOT: the tree, read once */
} fs_map;

struct sim_fs {
  sim* world;
  inode** inodes;
  size_t ninodes, inodes_cap;
  uint64_t next_ino;
  inode* root;
  inode* cwd;
  char cwd_path[SIM_FS_PATH_MAX];
  ofile* files;                 /* SIM_FS_FDS_MAX slots, then SIM_FS_LOW_MAX
                                 * for low numbers; allocated once          */
  size_t nopen;
  short low[SIM_FS_FD_BASE];    /* low number -> its slot+1 (0: none)       */
  size_t nlow;                  /* low numbers held                         */
  dstream dirs[FS_DIRSTREAMS_MAX];
  uint64_t tmp_counter;         /* mkdtemp/mkstemp names                    */
  fs_map maps[SIM_FS_MAPS_MAX];
  size_t nmaps;
  int cwd_map;                  /* the cwd is inside mapping cwd_map-1      */
  sim_fs_notify_fn notify;      /* file watchers (sim_fs_on_change)         */
  void* notify_ctx;
};

/* ------------------------------------------------------------- helpers */

static uint64_t now(const sim_fs* fs) {
  return SIM_FS_EPOCH_NS + sim_now(fs->world ? fs->world : sim_current());
}

static int is_dir(const inode* n) { return S_ISDIR(n->mode); }
static int is_reg(const inode* n) { return S_ISREG(n->mode); }
static int is_lnk(const inode* n) { return S_ISLNK(n->mode); }

static void touch_mc(sim_fs* fs, inode* n) { n->mtime = n->ctime = now(fs); }

/* One inotify event for the watchers (sim_fs_on_change): about `n` itself,
 * or, with `dir`, about its entry `name` in dir. */
static void note(sim_fs* fs, const inode* n, uint32_t mask, const inode* dir,
                 const char* name) {
  if (fs->notify == NULL) return;
  if (is_dir(n)) mask |= SIM_FS_EV_ISDIR;
  fs->notify(fs->notify_ctx, n->ino, mask, dir ? dir->ino : 0, dir ? name : NULL);
}

static inode* inode_new(sim_fs* fs, uint32_t mode) {
  inode* n = sim_xmalloc(sizeof *n);
  memset(n, 0, sizeof *n);
  n->ino = fs->next_ino++;
  n->mode = mode;
  n->atime = n->mtime = n->ctime = n->btime = now(fs);
  if (fs->ninodes == fs->inodes_cap) {
    fs->inodes_cap = fs->inodes_cap ? fs->inodes_cap * 2 : 64;
    fs->inodes = sim_xrealloc(fs->inodes, fs->inodes_cap * sizeof *fs->inodes);
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
  note(fs, n, SIM_FS_EV_DELETE_SELF, NULL, NULL);
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
    dir->ents = sim_xrealloc(dir->ents, dir->ents_cap * sizeof *dir->ents);
  }
  dir->ents[dir->nents++] = (dentry){ sim_xstrdup(name), n };
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
  /* WALK_MAPPED: the path leads into passthrough mapping map-1, at host
   * path `real`; map_root when it names the mapping's root itself. */
  int map;
  int map_root;
  char real[SIM_FS_PATH_MAX];
} lookup;

/* walk()'s answer when the rest of the path belongs to the real kernel. */
#define WALK_MAPPED 1

/* Turns the rest of a path below mapping `idx` into a host path in L->real:
 * "." dropped, ".." resolved lexically. A ".." that climbs above the
 * mapping's root leaves the real world again: returns 0 with *resume just
 * past it, and the walk goes on in the simulated tree. Symlinks below the
 * root are the kernel's business (docs/world.md says where they may lead). */
static int map_enter(const sim_fs* fs, int idx, const char* rest, lookup* L,
                     const char** resume) {
  const fs_map* m = &fs->maps[idx - 1];
  size_t rl = strlen(rest);
  int trailing = rl > 0 && rest[rl - 1] == '/';
  size_t root = strlen(m->real), len = root;
  char* out = L->real;
  memcpy(out, m->real, root + 1);
  const char* p = rest;
  for (;;) {
    while (*p == '/') p++;
    if (*p == '\0') break;
    const char* e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (len == root) {
        *resume = p + n;
        return 0;
      }
      while (out[len - 1] != '/') len--;
      out[--len] = '\0';
    } else if (!(n == 1 && p[0] == '.')) {
      if (len + 1 + n + 2 > SIM_FS_PATH_MAX) return -ENAMETOOLONG;
      out[len++] = '/';
      memcpy(out + len, p, n);
      out[len += n] = '\0';
    }
    p += n;
  }
  if (trailing && len > root) strcpy(out + len, "/");
  L->map = idx;
  L->map_root = len == root;
  return WALK_MAPPED;
}

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
  if (path[0] != '/' && fs->cwd_map) {
    /* The cwd is a mapped directory, which has no inode: go by its path. */
    snprintf(buf, sizeof buf, "%s/%s", fs->cwd_path, path);
  } else {
    memcpy(buf, path, plen + 1);
  }
  inode* cur = buf[0] == '/' ? fs->root : fs->cwd;
  char* p = buf;
  int links = 0;
  /* Field by field: L->real is large and most walks never touch it. */
  L->dir = L->node = NULL;
  L->name[0] = '\0';
  L->trailing_slash = L->dot = L->map = L->map_root = 0;
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
    if (child && child->mount && !dot) {
      const char* resume = NULL;
      int r = map_enter(fs, child->mount, last ? "" : rest, L, &resume);
      if (r != 0) return r;
      p = (char*)resume;        /* back out through "..": still in cur */
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

/* Resolves a path that must exist: 0 with L->node set, WALK_MAPPED, or
 * -errno. */
static int walk_existing(sim_fs* fs, const char* path, int follow,
                         lookup* L) {
  int r = walk(fs, path, follow, L);
  if (r != 0) return r;
  return L->node == NULL ? -ENOENT : 0;
}

static int map_ro(const sim_fs* fs, const lookup* L) {
  return (fs->maps[L->map - 1].flags & SIM_FS_MAP_READONLY) != 0;
}

/* What a read-only mount answers for changing an existing name (its own
 * error when the name is missing) and for creating one (EEXIST first). */
static int ro_modify_err(const char* real) {
  sim_stat st;
  int r = sim_fsr_stat(real, 0, &st);
  return r < 0 ? r : -EROFS;
}

static int ro_create_err(const char* real) {
  sim_stat st;
  return sim_fsr_stat(real, 0, &st) == 0 ? -EEXIST : -EROFS;
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

static void maps_apply(sim_fs* fs);

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
  fs->cwd_map = 0;
  maps_apply(fs);
}

sim_fs* sim_fs_new(void) {
  sim_fs* fs = sim_xmalloc(sizeof *fs);
  memset(fs, 0, sizeof *fs);
  fs->files = sim_xmalloc(FS_SLOTS * sizeof *fs->files);
  memset(fs->files, 0, FS_SLOTS * sizeof *fs->files);
  fs_build_root(fs);
  return fs;
}

/* Frees every inode in one pass and rebuilds "/" and "/tmp". Tables keep
 * their capacity: a campaign resets thousands of times a second. */
void sim_fs_reset(sim_fs* fs) {
  for (size_t i = 0; i < FS_SLOTS && fs->nopen > 0; i++) {
    ofile* f = &fs->files[i];
    if (f->node == NULL && !f->real) continue;
    if (f->real) sim_fsr_close(f->rfd);   /* a host descriptor: give it back */
    if (f->low) fs->low[f->low - 1] = 0;
    free(f->path);
    memset(f, 0, sizeof *f);
    fs->nopen--;
  }
  assert(fs->nopen == 0);
  fs->nlow = 0;
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
  sim_fs_unmap_all(fs);
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

/* Into a mapped directory: the cwd is then a path, not an inode. */
static int chdir_mapped(sim_fs* fs, const lookup* L) {
  sim_stat st;
  int r = sim_fsr_stat(L->real, 1, &st);
  if (r < 0) return r;
  if (!S_ISDIR(st.mode)) return -ENOTDIR;
  const fs_map* m = &fs->maps[L->map - 1];
  const char* tail = L->real + strlen(m->real);
  size_t tl = strlen(tail);
  if (tl > 1 && tail[tl - 1] == '/') tl--;
  size_t sl = strlen(m->sim);
  if (sl + tl >= sizeof fs->cwd_path) return -ENAMETOOLONG;
  memcpy(fs->cwd_path, m->sim, sl);
  memcpy(fs->cwd_path + sl, tail, tl);
  fs->cwd_path[sl + tl] = '\0';
  fs->cwd_map = L->map;
  return 0;
}

int sim_fs_chdir(sim_fs* fs, const char* path) {
  lookup L;
  int r = walk_existing(fs, path, 1, &L);
  if (r == WALK_MAPPED) return chdir_mapped(fs, &L);
  if (r < 0) return r;
  inode* n = L.node;
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
  fs->cwd_map = 0;
  return 0;
}

const char* sim_fs_getcwd(const sim_fs* fs) { return fs->cwd_path; }

/* ----------------------------------------------------------- descriptors */

static ofile* fd_get(const sim_fs* fs, int fd) {
  ofile* f;
  if (fd >= SIM_FS_FD_BASE && fd < SIM_FS_FD_BASE + SIM_FS_FDS_MAX)
    f = &fs->files[fd - SIM_FS_FD_BASE];
  else if (fd >= 0 && fd < SIM_FS_FD_BASE && fs->nlow > 0 && fs->low[fd])
    f = &fs->files[fs->low[fd] - 1];
  else
    return NULL;
  return f->node || f->real ? f : NULL;
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
    if (f->node || f->real) continue;
    f->node = n;
    f->flags = flags;
    f->pos = 0;
    f->path = sim_xstrdup(path);
    n->refs++;
    fs->nopen++;
    return SIM_FS_FD_BASE + i;
  }
  return -EMFILE;
}

/* A simulated descriptor for a host one (a file under a mapping). */
static int fd_alloc_real(sim_fs* fs, int rfd, int flags, const char* path,
                         int ro) {
  for (int i = 0; i < SIM_FS_FDS_MAX; i++) {
    ofile* f = &fs->files[i];
    if (f->node || f->real) continue;
    f->real = 1;
    f->rfd = rfd;
    f->ro = ro;
    f->flags = flags;
    f->pos = 0;
    f->path = sim_xstrdup(path);
    fs->nopen++;
    return SIM_FS_FD_BASE + i;
  }
  sim_fsr_close(rfd);
  return -EMFILE;
}

/* ------------------------------------------------- shared positions */

/* Descriptors made by sim_fs_dup share one position, as dup(2)'s share one
 * open file description: each slot links to the next of its ring. */
static ofile* share_next(const sim_fs* fs, const ofile* f) {
  return f->share ? &fs->files[f->share - 1] : NULL;
}

static void share_set_pos(sim_fs* fs, ofile* f, int64_t pos) {
  f->pos = pos;
  for (ofile* o = share_next(fs, f); o && o != f; o = share_next(fs, o)) o->pos = pos;
}

static void share_unlink(sim_fs* fs, ofile* f) {
  if (!f->share) return;
  ofile* prev = f;
  while (share_next(fs, prev) != f) prev = share_next(fs, prev);
  /* a ring of two leaves the other one alone */
  prev->share = share_next(fs, f) == prev ? 0 : f->share;
  f->share = 0;
}

static int slot_free(const sim_fs* fs, size_t from, size_t to) {
  for (size_t i = from; i < to; i++)
    if (fs->files[i].node == NULL && !fs->files[i].real) return (int)i;
  return -1;
}

/* Free slot i becomes another descriptor for f's open file, sharing its
 * position. */
static int dup_at(sim_fs* fs, ofile* f, size_t i) {
  ofile* g = &fs->files[i];
  assert(g->node == NULL && !g->real);
  if (f->real) {
    int rfd = sim_fsr_dup(f->rfd);    /* the host shares the position */
    if (rfd < 0) return rfd;
    g->real = 1;
    g->rfd = rfd;
    g->ro = f->ro;
  } else {
    g->node = f->node;
    g->node->refs++;
  }
  g->flags = f->flags;
  g->pos = f->pos;
  g->path = sim_xstrdup(f->path);
  fs->nopen++;
  g->share = f->share ? f->share : (int)(f - fs->files) + 1;
  f->share = (int)i + 1;
  return 0;
}

int sim_fs_dup(sim_fs* fs, int fd) { return sim_fs_dup_min(fs, fd, 0); }

int sim_fs_dup_min(sim_fs* fs, int fd, int min) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL) return -EBADF;
  if (min < 0) return -EINVAL;
  size_t from = min > SIM_FS_FD_BASE ? (size_t)(min - SIM_FS_FD_BASE) : 0;
  int i = slot_free(fs, from, SIM_FS_FDS_MAX);
  if (i < 0) return -EMFILE;
  int r = dup_at(fs, f, (size_t)i);
  return r < 0 ? r : SIM_FS_FD_BASE + i;
}

int sim_fs_dup2(sim_fs* fs, int fd, int newfd) {
  ofile* f = fd_get(fs, fd);
  if (f == NULL) return -EBADF;
  if (newfd == fd) return newfd;
  if (newfd < 0 || newfd >= SIM_FS_FD_BASE + SIM_FS_FDS_MAX) return -EBADF;
  /* dup2 closes what newfd was, silently; a failure of the host's dup
   * below (a mapped file) leaves it closed, which Linux's never does */
  if (fd_get(fs, newfd)) sim_fs_close(fs, newfd);
  int i = newfd >= SIM_FS_FD_BASE ? newfd - SIM_FS_FD_BASE
                                  : slot_free(fs, SIM_FS_FDS_MAX, FS_SLOTS);
  if (i < 0) return -EMFILE;
  int r = dup_at(fs, f, (size_t)i);
  if (r < 0) return r;
  if (newfd < SIM_FS_FD_BASE) {
    fs->files[i].low = newfd + 1;
    fs->low[newfd] = (short)(i + 1);
    fs->nlow++;
  }
  return newfd;
}

/* An event about an open file: its watchers, and its directory's through
 * the name it was opened by, where that name still leads to it. */
static void note_fd(sim_fs* fs, const ofile* f, uint32_t mask) {
  if (fs->notify == NULL) return;
  lookup L;
  if (walk(fs, f->path, 1, &L) == 0 && L.node == f->node && !L.dot)
    note(fs, f->node, mask, L.dir, L.name);
  else
    note(fs, f->node, mask, NULL, NULL);
}

static int can_read(const ofile* f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static int can_write(const ofile* f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

static int file_resize(inode* n, uint64_t size) {
  if (size > SIM_FS_FILE_MAX) return -EFBIG;
  if (size > n->cap) {
    size_t cap = n->cap ? n->cap : 64;
    while (cap < size) cap *= 2;
    n->data = sim_xrealloc(n->data, cap);
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
  note(fs, n, SIM_FS_EV_CREATE, dir, name);
  return n;
}

/* On a read-only mapping an open that would write or create is EROFS,
 * except that O_CREAT on a file that exists is no creation at all. */
static int open_mapped(sim_fs* fs, const lookup* L, const char* path,
                       int flags, unsigned mode) {
  int ro = map_ro(fs, L);
  if (ro) {
    sim_stat st;
    int r = sim_fsr_stat(L->real, !(flags & O_NOFOLLOW), &st);
    if (r == -ENOENT && (flags & O_CREAT)) return -EROFS;
    if (r < 0) return r;
    if ((flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) return -EROFS;
    flags &= ~(O_CREAT | O_EXCL);
  }
  int rfd = sim_fsr_open(L->real, flags, mode);
  if (rfd < 0) return rfd;
  return fd_alloc_real(fs, rfd, flags, path, ro);
}

/* /dev/null, where the scenario put nothing of its own there: the one
 * device programs open without being given it (libuv's spawn_fs_open, a
 * daemon's stdio). The host's, through a descriptor like a mapped file's:
 * it reads nothing and takes every write on every machine, so what the
 * program sees repeats (but for what fstat tells of the host's node). */
#define DEV_NULL "/dev/null"

static int open_dev_null(sim_fs* fs, int flags) {
  if (flags & O_DIRECTORY) return -ENOTDIR;
  if ((flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
  int rfd = sim_fsr_open(DEV_NULL, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK), 0);
  if (rfd < 0) return rfd;
  return fd_alloc_real(fs, rfd, flags, DEV_NULL, 0);
}

int sim_fs_open(sim_fs* fs, const char* path, int flags, unsigned mode) {
  int excl = (flags & O_CREAT) && (flags & O_EXCL);
  int follow = !(flags & O_NOFOLLOW) && !excl;
  lookup L;
  int r = walk(fs, path, follow, &L);
  if (r == WALK_MAPPED) return open_mapped(fs, &L, path, flags, mode);
  if ((r == -ENOENT || (r == 0 && L.node == NULL)) && strcmp(path, DEV_NULL) == 0)
    return open_dev_null(fs, flags);
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
    if ((flags & O_TRUNC) && is_reg(n) && acc != O_RDONLY)
      note(fs, n, SIM_FS_EV_MODIFY, L.dir, L.name);
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
  share_unlink(fs, f);
  if (f->low) {
    fs->low[f->low - 1] = 0;
    f->low = 0;
    fs->nlow--;
  }
  if (f->real) {
    int r = sim_fsr_close(f->rfd);
    free(f->path);
    memset(f, 0, sizeof *f);
    fs->nopen--;
    return r;
  }
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
  if (f && f->real) return sim_fsr_read(f->rfd, buf, len, off);
  if (f == NULL || !can_read(f)) return -EBADF;
  if (is_dir(f->node)) return -EISDIR;
  inode* n = f->node;
  uint64_t at = off < 0 ? (uint64_t)f->pos : (uint64_t)off;
  size_t got = 0;
  if (at < n->size) {
    got = n->size - at < len ? (size_t)(n->size - at) : len;
    memcpy(buf, n->data + at, got);
  }
  if (off < 0) share_set_pos(fs, f, f->pos + (int64_t)got);
  return (ssize_t)got;
}

ssize_t sim_fs_write(sim_fs* fs, int fd, const void* buf, size_t len,
                     int64_t off) {
  ofile* f = fd_get(fs, fd);
  if (f && f->real) return sim_fsr_write(f->rfd, buf, len, off);
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
  if (off < 0) share_set_pos(fs, f, (int64_t)(at + len));
  note_fd(fs, f, SIM_FS_EV_MODIFY);
  return (ssize_t)len;
}

/* lseek(2) on a simulated file. No holes are kept (a file is one run of
 * bytes), so SEEK_DATA finds data anywhere before the end and SEEK_HOLE
 * only the end, as Linux answers for a file without holes. */
int64_t sim_fs_lseek(sim_fs* fs, int fd, int64_t off, int whence) {
  ofile* f = fd_get(fs, fd);
  if (f && f->real) return sim_fsr_lseek(f->rfd, off, whence);
  if (f == NULL) return -EBADF;
  int64_t size = (int64_t)(is_dir(f->node) ? 4096 : f->node->size);
  int64_t base;
  switch (whence) {
  case SEEK_SET: base = 0; break;
  case SEEK_CUR: base = f->pos; break;
  case SEEK_END: base = size; break;
  case SEEK_DATA:
  case SEEK_HOLE:
    if (off < 0 || off >= size) return -ENXIO;
    share_set_pos(fs, f, whence == SEEK_DATA ? off : size);
    return f->pos;
  default: return -EINVAL;
  }
  if ((off > 0 && base > INT64_MAX - off)) return -EOVERFLOW;
  if (base + off < 0) return -EINVAL;
  share_set_pos(fs, f, base + off);   /* dup'd descriptors move with it */
  return f->pos;
}

int sim_fs_fd_flags(const sim_fs* fs, int fd) {
  ofile* f = fd_get(fs, fd);
  return f ? f->flags : -EBADF;
}

int sim_fs_fsync(sim_fs* fs, int fd) {
  ofile* f = fd_get(fs, fd);
  if (f && f->real) return sim_fsr_fsync(f->rfd);
  return f ? 0 : -EBADF;
}

int sim_fs_ftruncate(sim_fs* fs, int fd, int64_t len) {
  ofile* f = fd_get(fs, fd);
  if (f && f->real) return sim_fsr_ftruncate(f->rfd, len);
  if (f == NULL) return -EBADF;
  if (len < 0) return -EINVAL;
  /* Linux answers EINVAL (not EBADF) for a descriptor without write access
   * or a non-regular file. */
  if (!can_write(f) || !is_reg(f->node)) return -EINVAL;
  int r = file_resize(f->node, (uint64_t)len);
  if (r < 0) return r;
  touch_mc(fs, f->node);
  note_fd(fs, f, SIM_FS_EV_MODIFY);
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
  if (f && f->real) return sim_fsr_fstat(f->rfd, st);
  if (f == NULL) return -EBADF;
  fill_stat(f->node, st);
  return 0;
}

int sim_fs_futime(sim_fs* fs, int fd, int64_t atime_ns, int64_t mtime_ns) {
  ofile* f = fd_get(fs, fd);
  if (f && f->real)
    return f->ro ? -EROFS : sim_fsr_futime(f->rfd, atime_ns, mtime_ns);
  if (f == NULL) return -EBADF;
  f->node->atime = (uint64_t)atime_ns;
  f->node->mtime = (uint64_t)mtime_ns;
  f->node->ctime = now(fs);
  note_fd(fs, f, SIM_FS_EV_ATTRIB);
  return 0;
}

int sim_fs_fchmod(sim_fs* fs, int fd, unsigned mode) {
  ofile* f = fd_get(fs, fd);
  if (f && f->real) return f->ro ? -EROFS : sim_fsr_fchmod(f->rfd, mode);
  if (f == NULL) return -EBADF;
  f->node->mode = (f->node->mode & S_IFMT) | (mode & 07777);
  f->node->ctime = now(fs);
  note_fd(fs, f, SIM_FS_EV_ATTRIB);
  return 0;
}

/* ---------------------------------------------------------------- paths */

static int stat_path(sim_fs* fs, const char* path, int follow, sim_stat* st) {
  lookup L;
  int r = walk_existing(fs, path, follow, &L);
  if (r == WALK_MAPPED) return sim_fsr_stat(L.real, follow, st);
  if (r < 0) return r;
  fill_stat(L.node, st);
  return 0;
}

int sim_fs_stat(sim_fs* fs, const char* path, sim_stat* st) {
  return stat_path(fs, path, 1, st);
}

int sim_fs_lstat(sim_fs* fs, const char* path, sim_stat* st) {
  return stat_path(fs, path, 0, st);
}

int sim_fs_mkdir(sim_fs* fs, const char* path, unsigned mode) {
  lookup L;
  int r = walk(fs, path, 0, &L);
  if (r == WALK_MAPPED)
    return map_ro(fs, &L) ? ro_create_err(L.real) : sim_fsr_mkdir(L.real, mode);
  if (r == -ENOTDIR && L.node != NULL) return -EEXIST;  /* "file/" */
  if (r < 0) return r;
  if (L.node != NULL || L.dot) return -EEXIST;
  if (L.dir->dead) return -ENOENT;
  inode* n = inode_new(fs, S_IFDIR | (mode & 07777 & ~FS_UMASK));
  n->nlink = 1;                 /* "." ; the name adds one */
  dir_add(fs, L.dir, L.name, n);
  note(fs, n, SIM_FS_EV_CREATE, L.dir, L.name);
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

/* get_file through descriptors, for a file under a mapping. */
static int get_file_fd(sim_fs* fs, const char* path, char** data,
                       size_t* len) {
  int fd = sim_fs_open(fs, path, O_RDONLY, 0);
  if (fd < 0) return fd;
  size_t cap = 4096, got = 0;
  char* buf = sim_xmalloc(cap + 1);
  ssize_t n;
  while ((n = sim_fs_read(fs, fd, buf + got, cap - got, -1)) > 0) {
    got += (size_t)n;
    if (got == cap) buf = sim_xrealloc(buf, (cap *= 2) + 1);
  }
  sim_fs_close(fs, fd);
  if (n < 0) {
    free(buf);
    return (int)n;
  }
  buf[got] = '\0';
  *data = buf;
  *len = got;
  return 0;
}

int sim_fs_get_file(sim_fs* fs, const char* path, char** data, size_t* len) {
  lookup L;
  int r = walk_existing(fs, path, 1, &L);
  if (r == WALK_MAPPED) return get_file_fd(fs, path, data, len);
  if (r < 0) return r;
  inode* n = L.node;
  if (is_dir(n)) return -EISDIR;
  *data = sim_xmalloc(n->size + 1);
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
  if (r == WALK_MAPPED) {
    if (L.map_root) return -EBUSY;       /* a mount point, as Linux says */
    return map_ro(fs, &L) ? ro_modify_err(L.real) : sim_fsr_rmdir(L.real);
  }
  if (r < 0) return r;
  if (L.node == NULL) return -ENOENT;
  if (!is_dir(L.node)) return -ENOTDIR;
  if (L.node == fs->root) return -EBUSY;
  if (strcmp(L.name, ".") == 0) return -EINVAL;
  if (L.dot) return -ENOTEMPTY;  /* ".." */
  if (L.node->nents > 0) return -ENOTEMPTY;
  note(fs, L.node, SIM_FS_EV_DELETE, L.dir, L.name);
  dir_remove(fs, L.dir, L.name);   /* DELETE_SELF once nothing holds it */
  return 0;
}

int sim_fs_unlink(sim_fs* fs, const char* path) {
  lookup L;
  int r = walk(fs, path, 0, &L);
  if (r == WALK_MAPPED)
    return map_ro(fs, &L) ? ro_modify_err(L.real) : sim_fsr_unlink(L.real);
  if (r < 0) return r;
  if (L.node == NULL) return -ENOENT;
  if (is_dir(L.node) || L.dot) return -EISDIR;
  /* Linux: the link count's IN_ATTRIB, the entry's IN_DELETE, and
   * IN_DELETE_SELF when the last name and descriptor are gone */
  note(fs, L.node, SIM_FS_EV_ATTRIB, NULL, NULL);
  note(fs, L.node, SIM_FS_EV_DELETE, L.dir, L.name);
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
/* rename/link where either side is under a mapping: the kernel's answer
 * when both are in the same one; EXDEV across mappings or between a mapping
 * and the simulated tree, as between two real mounts. */
static int two_paths_mapped(sim_fs* fs, const lookup* A, int ra,
                            const lookup* B, int rb, int is_rename) {
  if (ra != WALK_MAPPED || rb != WALK_MAPPED || A->map != B->map)
    return -EXDEV;
  if (is_rename && (A->map_root || B->map_root)) return -EBUSY;
  if (map_ro(fs, A)) return ro_modify_err(A->real);
  return is_rename ? sim_fsr_rename(A->real, B->real) : sim_fsr_link(A->real, B->real);
}

int sim_fs_rename(sim_fs* fs, const char* from, const char* to) {
  lookup A, B;
  int ra = walk(fs, from, 0, &A);
  if (ra < 0) return ra;
  if (ra == 0 && A.node == NULL) return -ENOENT;
  int r = walk(fs, to, 0, &B);
  if (r < 0) return r;
  if (ra == WALK_MAPPED || r == WALK_MAPPED)
    return two_paths_mapped(fs, &A, ra, &B, r, 1);
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
  /* inotify's order (fsnotify_move): both entries, the replaced target's
   * link count, the moved inode; the target's DELETE_SELF comes last */
  note(fs, n, SIM_FS_EV_MOVED_FROM, A.dir, A.name);
  note(fs, n, SIM_FS_EV_MOVED_TO, B.dir, B.name);
  if (B.node != NULL) note(fs, B.node, SIM_FS_EV_ATTRIB, NULL, NULL);
  note(fs, n, SIM_FS_EV_MOVE_SELF, NULL, NULL);
  if (B.node != NULL) dir_remove(fs, B.dir, B.name);
  detach(fs, A.dir, A.name);
  dir_add(fs, B.dir, B.name, n);
  return 0;
}

int sim_fs_link(sim_fs* fs, const char* from, const char* to) {
  lookup A, B;
  int ra = walk_existing(fs, from, 0, &A);
  if (ra < 0) return ra;
  inode* n = A.node;
  if (ra == 0 && is_dir(n)) return -EPERM;
  int r = walk(fs, to, 0, &B);
  if (r < 0) return r;
  if (ra == WALK_MAPPED || r == WALK_MAPPED)
    return two_paths_mapped(fs, &A, ra, &B, r, 0);
  if (B.node != NULL || B.dot) return -EEXIST;
  if (B.trailing_slash) return -ENOENT;
  if (B.dir->dead) return -ENOENT;
  dir_add(fs, B.dir, B.name, n);
  n->ctime = now(fs);
  note(fs, n, SIM_FS_EV_ATTRIB, NULL, NULL);
  note(fs, n, SIM_FS_EV_CREATE, B.dir, B.name);
  return 0;
}

int sim_fs_symlink(sim_fs* fs, const char* target, const char* path) {
  if (target == NULL) return -EFAULT;
  if (target[0] == '\0') return -ENOENT;
  size_t tl = strlen(target);
  if (tl >= SIM_FS_PATH_MAX) return -ENAMETOOLONG;
  lookup L;
  int r = walk(fs, path, 0, &L);
  if (r == WALK_MAPPED)
    return map_ro(fs, &L) ? ro_create_err(L.real) : sim_fsr_symlink(target, L.real);
  if (r < 0) return r;
  if (L.node != NULL || L.dot) return -EEXIST;
  if (L.trailing_slash) return -ENOENT;
  if (L.dir->dead) return -ENOENT;
  inode* n = inode_new(fs, S_IFLNK | 0777);
  n->data = sim_xmalloc(tl);
  memcpy(n->data, target, tl);
  n->size = n->cap = tl;
  dir_add(fs, L.dir, L.name, n);
  note(fs, n, SIM_FS_EV_CREATE, L.dir, L.name);
  return 0;
}

ssize_t sim_fs_readlink(sim_fs* fs, const char* path, char* buf, size_t len) {
  lookup L;
  int r = walk_existing(fs, path, 0, &L);
  if (r == WALK_MAPPED) return sim_fsr_readlink(L.real, buf, len);
  if (r < 0) return r;
  inode* n = L.node;
  if (!is_lnk(n) || len == 0) return -EINVAL;
  size_t k = n->size < len ? n->size : len;
  memcpy(buf, n->data, k);
  return (ssize_t)k;
}

/* The kernel resolves, then the answer is put back in simulated terms. A
 * path whose symlinks lead out of the mapping has no simulated name: EXDEV. */
static int realpath_mapped(sim_fs* fs, const lookup* L, char* out,
                           size_t outlen) {
  char host[SIM_FS_PATH_MAX];
  int r = sim_fsr_realpath(L->real, host);
  if (r < 0) return r;
  const fs_map* m = &fs->maps[L->map - 1];
  size_t rl = strlen(m->real);
  if (strncmp(host, m->real, rl) != 0 || (host[rl] != '/' && host[rl] != '\0'))
    return -EXDEV;
  if ((size_t)snprintf(out, outlen, "%s%s", m->sim, host + rl) >= outlen)
    return -ENAMETOOLONG;
  return 0;
}

int sim_fs_realpath(sim_fs* fs, const char* path, char* out, size_t outlen) {
  lookup L;
  int r = walk(fs, path, 1, &L);
  if (r == WALK_MAPPED) return realpath_mapped(fs, &L, out, outlen);
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
  lookup L;
  int r = walk_existing(fs, path, 1, &L);
  if (r == WALK_MAPPED) {
    if ((mode & W_OK) && map_ro(fs, &L)) return ro_modify_err(L.real);
    return sim_fsr_access(L.real, mode);
  }
  if (r < 0) return r;
  inode* n = L.node;
  if (mode & ~(R_OK | W_OK | X_OK)) return -EINVAL;
  if ((mode & R_OK) && !(n->mode & S_IRUSR)) return -EACCES;
  if ((mode & W_OK) && !(n->mode & S_IWUSR)) return -EACCES;
  if ((mode & X_OK) && !(n->mode & S_IXUSR)) return -EACCES;
  return 0;
}

int sim_fs_chmod(sim_fs* fs, const char* path, unsigned mode) {
  lookup L;
  int r = walk_existing(fs, path, 1, &L);
  if (r == WALK_MAPPED)
    return map_ro(fs, &L) ? ro_modify_err(L.real) : sim_fsr_chmod(L.real, mode);
  if (r < 0) return r;
  inode* n = L.node;
  n->mode = (n->mode & S_IFMT) | (mode & 07777);
  n->ctime = now(fs);
  note(fs, n, SIM_FS_EV_ATTRIB, L.dot ? NULL : L.dir, L.name);
  return 0;
}

static int set_times(sim_fs* fs, const char* path, int follow, int64_t a,
                     int64_t m) {
  lookup L;
  int r = walk_existing(fs, path, follow, &L);
  if (r == WALK_MAPPED)
    return map_ro(fs, &L) ? ro_modify_err(L.real)
                          : sim_fsr_utime(L.real, follow, a, m);
  if (r < 0) return r;
  inode* n = L.node;
  n->atime = (uint64_t)a;
  n->mtime = (uint64_t)m;
  n->ctime = now(fs);
  note(fs, n, SIM_FS_EV_ATTRIB, L.dot ? NULL : L.dir, L.name);
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
/* copyfile through descriptors, when either side is under a mapping: as
 * libuv's fallback does it, nothing to do when both name the same file. */
static int copy_by_fd(sim_fs* fs, const char* from, const char* to, int excl) {
  int in = sim_fs_open(fs, from, O_RDONLY, 0);
  if (in < 0) return in;
  sim_stat si, so;
  int r = sim_fs_fstat(fs, in, &si);
  if (r == 0 && S_ISDIR(si.mode)) r = -EISDIR;
  int out = r < 0 ? r : sim_fs_open(fs, to, O_WRONLY | O_CREAT |
                                    (excl ? O_EXCL : 0), si.mode & 07777);
  if (out < 0) {
    sim_fs_close(fs, in);
    return out;
  }
  r = sim_fs_fstat(fs, out, &so);
  if (r == 0 && so.dev == si.dev && so.ino == si.ino) goto done;
  if (r == 0) r = sim_fs_ftruncate(fs, out, 0);
  char buf[16384];
  ssize_t n = 0;
  while (r == 0 && (n = sim_fs_read(fs, in, buf, sizeof buf, -1)) > 0) {
    ssize_t w = sim_fs_write(fs, out, buf, (size_t)n, -1);
    if (w < 0) r = (int)w;
  }
  if (r == 0 && n < 0) r = (int)n;
  if (r == 0) r = sim_fs_fchmod(fs, out, si.mode & 07777);
done:
  sim_fs_close(fs, in);
  sim_fs_close(fs, out);
  return r;
}

int sim_fs_copyfile(sim_fs* fs, const char* from, const char* to, int excl) {
  lookup A, B;
  int ra = walk_existing(fs, from, 1, &A);
  if (ra < 0) return ra;
  int r = walk(fs, to, 1, &B);
  if (ra == WALK_MAPPED || r == WALK_MAPPED)
    return copy_by_fd(fs, from, to, excl);
  inode* src = A.node;
  if (is_dir(src)) return -EISDIR;
  if (r < 0) return r;
  inode* dst = B.node;
  if (dst != NULL) {
    if (excl) return -EEXIST;
    if (is_dir(dst)) return -EISDIR;
    if (dst == src) return 0;
    note(fs, dst, SIM_FS_EV_MODIFY, B.dir, B.name);   /* libuv's ftruncate */
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
  /* libuv's fchmod, then the copy */
  note(fs, dst, SIM_FS_EV_ATTRIB, B.dir, B.name);
  if (src->size) note(fs, dst, SIM_FS_EV_MODIFY, B.dir, B.name);
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
  sim_fs_dirent* out = sim_xmalloc(dir->nents * sizeof *out);
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
  lookup L;
  int r = walk_existing(fs, path, 1, &L);
  if (r == WALK_MAPPED) return sim_fsr_list(L.real, out);
  if (r < 0) return r;
  inode* n = L.node;
  if (!is_dir(n)) return -ENOTDIR;
  *out = snapshot(n);
  qsort(*out, n->nents, sizeof **out, cmp_dirent);
  return (int)n->nents;
}

/* A stream over a copy of the entries taken now (n: a simulated directory,
 * whose refs keep it alive; NULL: a mapped one, ents from sim_fsr_list). */
static int dstream_open(sim_fs* fs, inode* n, sim_fs_dirent* ents,
                        size_t count) {
  for (int i = 0; i < FS_DIRSTREAMS_MAX; i++) {
    dstream* d = &fs->dirs[i];
    if (d->used) continue;
    d->used = 1;
    d->dir = n;
    d->ents = ents;
    d->n = count;
    d->pos = 0;
    if (n) n->refs++;
    return i;
  }
  free(ents);
  return -EMFILE;
}

int sim_fs_opendir(sim_fs* fs, const char* path) {
  lookup L;
  int r = walk_existing(fs, path, 1, &L);
  if (r == WALK_MAPPED) {
    sim_fs_dirent* ents;
    int k = sim_fsr_list(L.real, &ents);
    return k < 0 ? k : dstream_open(fs, NULL, ents, (size_t)k);
  }
  if (r < 0) return r;
  inode* n = L.node;
  if (!is_dir(n)) return -ENOTDIR;
  return dstream_open(fs, n, snapshot(n), n->nents);
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
  if (n) {
    n->refs--;
    inode_maybe_free(fs, n);
  }
  return 0;
}

/* ------------------------------------------------------------- mappings */

/* Copies a snapshot into the tree below m->sim: the same inodes in the same
 * order every run, so a campaign over a snapshot stays deterministic. */
static int snapshot_replay(sim_fs* fs, const fs_map* m) {
  char path[SIM_FS_PATH_MAX * 2];
  for (size_t i = 0; i < m->snap.n; i++) {
    const sim_fsr_entry* e = &m->snap.ents[i];
    if (snprintf(path, sizeof path, "%s/%s", m->sim, e->rel) >= SIM_FS_PATH_MAX)
      return -ENAMETOOLONG;
    int r;
    if (S_ISDIR(e->mode)) {
      r = sim_fs_mkdir(fs, path, 0700);
      if (r == 0) r = sim_fs_chmod(fs, path, e->mode & 07777);
    } else if (S_ISLNK(e->mode)) {
      char target[SIM_FS_PATH_MAX];
      snprintf(target, sizeof target, "%.*s", (int)e->len, e->data);
      r = sim_fs_symlink(fs, target, path);
    } else {
      int fd = sim_fs_open(fs, path, O_WRONLY | O_CREAT | O_EXCL, 0600);
      if (fd < 0) return fd;
      ssize_t w = e->len ? sim_fs_write(fs, fd, e->data, e->len, 0) : 0;
      r = w < 0 ? (int)w : sim_fs_fchmod(fs, fd, e->mode & 07777);
      sim_fs_close(fs, fd);
    }
    if (r < 0) return r;
  }
  return 0;
}

/* Puts mapping i into the current tree: its directory, then either the
 * snapshot's copy or the mark that sends walks to the kernel. */
static int map_apply(sim_fs* fs, size_t i) {
  fs_map* m = &fs->maps[i];
  int r = sim_fs_mkdir_p(fs, m->sim, 0755);
  if (r < 0) return r;
  if (m->flags & SIM_FS_MAP_SNAPSHOT) return snapshot_replay(fs, m);
  lookup L;
  r = walk_existing(fs, m->sim, 1, &L);
  if (r < 0) return r;
  assert(r == 0 && is_dir(L.node));
  L.node->mount = (int)i + 1;
  return 0;
}

/* After a reset: the mappings outlive runs, as a machine's mounts do.
 * Each applied cleanly when it was made, and a fresh tree is the one it
 * was checked against, so failing here is a bug. */
static void maps_apply(sim_fs* fs) {
  for (size_t i = 0; i < fs->nmaps; i++) {
    int r = map_apply(fs, i);
    assert(r == 0);
    (void)r;
  }
}

/* "/a//b/" -> "/a/b"; "." and ".." are refused rather than guessed at. */
static int normalise_sim_dir(const char* in, char* out, size_t outlen) {
  if (in == NULL || in[0] != '/') return -EINVAL;
  size_t len = 0;
  for (const char* p = in; *p;) {
    while (*p == '/') p++;
    if (*p == '\0') break;
    size_t n = strcspn(p, "/");
    if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
      return -EINVAL;
    if (len + 1 + n + 1 > outlen) return -ENAMETOOLONG;
    out[len++] = '/';
    memcpy(out + len, p, n);
    len += n;
    p += n;
  }
  out[len] = '\0';
  return len == 0 ? -EINVAL : 0;  /* "/" itself cannot be mapped */
}

static int path_within(const char* a, const char* b) {
  size_t n = strlen(b);
  return strncmp(a, b, n) == 0 && (a[n] == '/' || a[n] == '\0');
}

static int map_find(const sim_fs* fs, const char* sim_dir) {
  for (size_t i = 0; i < fs->nmaps; i++)
    if (strcmp(fs->maps[i].sim, sim_dir) == 0) return (int)i;
  return -1;
}

#define MAP_ERR(code, ...)                                         \
  do {                                                             \
    if (err && errlen) snprintf(err, errlen, __VA_ARGS__);         \
    return (code);                                                 \
  } while (0)

int sim_fs_map(sim_fs* fs, const char* sim_dir, const char* real_dir,
               unsigned flags, char* err, size_t errlen) {
  char sim_norm[SIM_FS_PATH_MAX], real[SIM_FS_PATH_MAX];
  if (normalise_sim_dir(sim_dir, sim_norm, sizeof sim_norm) < 0)
    MAP_ERR(-EINVAL, "map: '%s' is not an absolute simulated directory "
            "(no '.', '..', not '/')", sim_dir ? sim_dir : "(null)");
  if (flags & ~(SIM_FS_MAP_READONLY | SIM_FS_MAP_SNAPSHOT))
    MAP_ERR(-EINVAL, "map: unknown flags %#x", flags);
  int r = real_dir ? sim_fsr_realpath(real_dir, real) : -EFAULT;
  if (r < 0) MAP_ERR(r, "map: %s: %s", real_dir ? real_dir : "(null)",
                     strerror(-r));
  sim_stat st;
  r = sim_fsr_stat(real, 1, &st);
  if (r == 0 && !S_ISDIR(st.mode)) r = -ENOTDIR;
  if (r < 0) MAP_ERR(r, "map: %s: %s", real_dir, strerror(-r));
  if (strcmp(real, "/") == 0)
    MAP_ERR(-EINVAL, "map: refusing to map the host's whole filesystem");
  int same = map_find(fs, sim_norm);
  if (same >= 0 && strcmp(fs->maps[same].real, real) == 0 &&
      fs->maps[same].flags == flags)
    return 0;                   /* already so: a per-run set-up may repeat */
  if (same >= 0) sim_fs_unmap(fs, sim_norm);
  for (size_t i = 0; i < fs->nmaps; i++)
    if (path_within(sim_norm, fs->maps[i].sim) ||
        path_within(fs->maps[i].sim, sim_norm))
      MAP_ERR(-EBUSY, "map: %s overlaps the mapping at %s", sim_norm,
              fs->maps[i].sim);
  if (fs->nmaps == SIM_FS_MAPS_MAX)
    MAP_ERR(-ENOSPC, "map: at most %d mappings", SIM_FS_MAPS_MAX);
  fs_map* m = &fs->maps[fs->nmaps];
  memset(m, 0, sizeof *m);
  if (flags & SIM_FS_MAP_SNAPSHOT) {
    char why[SIM_FS_PATH_MAX + 128] = "";
    r = sim_fsr_snapshot_load(&m->snap, real, why, sizeof why);
    if (r < 0) MAP_ERR(r, "map: snapshot of %s", why);
  }
  m->sim = sim_xstrdup(sim_norm);
  m->real = sim_xstrdup(real);
  m->flags = flags;
  fs->nmaps++;
  r = map_apply(fs, fs->nmaps - 1);
  if (r < 0) {
    sim_fs_unmap(fs, sim_norm);
    MAP_ERR(r, "map: %s in the simulated tree: %s", sim_norm, strerror(-r));
  }
  return 0;
}

int sim_fs_unmap(sim_fs* fs, const char* sim_dir) {
  char sim_norm[SIM_FS_PATH_MAX];
  if (normalise_sim_dir(sim_dir, sim_norm, sizeof sim_norm) < 0) return -EINVAL;
  int i = map_find(fs, sim_norm);
  if (i < 0) return -ENOENT;
  /* Mount marks and a mapped cwd refer to mappings by index + 1. */
  for (size_t k = 0; k < fs->ninodes; k++) {
    inode* n = fs->inodes[k];
    if (n->mount == i + 1) n->mount = 0;
    else if (n->mount > i + 1) n->mount--;
  }
  if (fs->cwd_map == i + 1) {
    fs->cwd_map = 0;
    if (dir_path(fs->cwd, fs->cwd_path, sizeof fs->cwd_path) < 0)
      strcpy(fs->cwd_path, "/");
  } else if (fs->cwd_map > i + 1) {
    fs->cwd_map--;
  }
  fs_map* m = &fs->maps[i];
  free(m->sim);
  free(m->real);
  sim_fsr_snapshot_free(&m->snap);
  memmove(m, m + 1, (fs->nmaps - (size_t)i - 1) * sizeof *m);
  fs->nmaps--;
  return 0;
}

void sim_fs_unmap_all(sim_fs* fs) {
  while (fs->nmaps > 0) sim_fs_unmap(fs, fs->maps[0].sim);
}

size_t sim_fs_map_count(const sim_fs* fs) { return fs->nmaps; }

/* "SIM=REAL[,ro|,snapshot]": the form UVSIM_FS_MAP, `uvsim run --map` and a
 * reproducer's `map` lines share. The last ",ro"/",snapshot" is the flag;
 * any other comma belongs to the host path. */
int sim_fs_map_spec(sim_fs* fs, const char* spec, char* err, size_t errlen) {
  char buf[SIM_FS_PATH_MAX * 2 + 16];
  if (spec == NULL || strlen(spec) >= sizeof buf)
    MAP_ERR(-ENAMETOOLONG, "map: spec too long");
  strcpy(buf, spec);
  char* eq = strchr(buf, '=');
  char* comma = eq ? strrchr(eq, ',') : NULL;
  unsigned flags = 0;
  if (comma && strcmp(comma, ",ro") == 0) flags = SIM_FS_MAP_READONLY;
  else if (comma && strcmp(comma, ",snapshot") == 0) flags = SIM_FS_MAP_SNAPSHOT;
  else comma = NULL;
  if (comma) *comma = '\0';
  if (eq == NULL || eq == buf || eq[1] == '\0')
    MAP_ERR(-EINVAL, "map: '%s' is not SIM=REAL[,ro|,snapshot]", spec);
  *eq = '\0';
  return sim_fs_map(fs, buf, eq + 1, flags, err, errlen);
}

int sim_fs_map_spec_of(const sim_fs* fs, size_t i, char* out, size_t outlen) {
  if (i >= fs->nmaps) return -ENOENT;
  const fs_map* m = &fs->maps[i];
  const char* flag = (m->flags & SIM_FS_MAP_SNAPSHOT)   ? ",snapshot"
                     : (m->flags & SIM_FS_MAP_READONLY) ? ",ro" : "";
  int n = snprintf(out, outlen, "%s=%s%s", m->sim, m->real, flag);
  return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

/* ------------------------------------------------------------ watchers */

void sim_fs_on_change(sim_fs* fs, sim_fs_notify_fn fn, void* ctx) {
  fs->notify = fn;
  fs->notify_ctx = ctx;
}

int sim_fs_watch_target(sim_fs* fs, const char* path, uint64_t* ino,
                        int* is_dir_out) {
  lookup L;
  int r = walk_existing(fs, path, 1, &L);
  if (r == WALK_MAPPED) {
    /* Nothing the simulated world does can change a read-only mapping, so
     * a watch there is exact: it hears nothing. Host inode numbers get the
     * top bit, apart from the tree's. A writable passthrough would need
     * the host's inotify: not simulated. */
    if (!map_ro(fs, &L)) return -ENOSYS;
    sim_stat st;
    r = sim_fsr_stat(L.real, 1, &st);
    if (r < 0) return r;
    *ino = st.ino | (1ull << 63);
    *is_dir_out = S_ISDIR(st.mode);
    return 0;
  }
  if (r < 0) return r;
  *ino = L.node->ino;
  *is_dir_out = is_dir(L.node);
  return 0;
}
