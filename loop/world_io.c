/* loop/world_io.c — the simulated world's I/O parts at the run boundary.
 *
 * uvs__world_io_reset() is called by uvsim_world_begin (loop/world.c): the
 * filesystem, the network and the resolver start every run empty, and the
 * fault rules of the previous run are forgotten (a scenario adds its own
 * with uvsim_fault each run; a replay adds the reproducer's `fault` lines
 * after begin). */
#include "loop/internal.h"

#include <unistd.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop/world_io.h"
#include "sim/sim_dgram.h"
#include "sim/sim_dns.h"
#include "sim/sim_fault.h"
#include "sim/sim_fs.h"
#include "sim/sim_net.h"

/* A header in front of every run-owned block: a doubly linked list. */
typedef struct wblock {
  struct wblock* prev;
  struct wblock* next;
  max_align_t align[];
} wblock;

static wblock* blocks;

void* uvs__wcalloc(size_t size) {
  wblock* b = calloc(1, sizeof *b + size);
  if (b == NULL) uvs__fatal("uvsim", "out of memory");
  b->next = blocks;
  if (blocks) blocks->prev = b;
  blocks = b;
  return b->align;
}

void uvs__wfree(void* p) {
  if (p == NULL) return;
  wblock* b = (wblock*)((char*)p - offsetof(wblock, align));
  /* the list of run-owned blocks is well linked around this one */
  UVS__ASSERT(b->prev ? b->prev->next == b : blocks == b,
              "a run-owned block is not on the run's list (freed twice?)");
  UVS__ASSERT(b->next == NULL || b->next->prev == b, "the run's block list is broken");
  if (b->prev) b->prev->next = b->next;
  else blocks = b->next;
  if (b->next) b->next->prev = b->prev;
  free(b);
}

static void fs_env_cwd(void);

/* UVSIM_FS_MAP="SIM=REAL[,ro|,snapshot][;...]": mappings for a program
 * that runs unchanged (docs/world.md). Read once, before the first run;
 * a bad entry ends the program with its reason, as a bad flag would.
 * Called at every run boundary and by loop/fs.c's first operation, for a
 * program that never calls uvsim_world_begin. */
void uvs__fs_env_maps(void) {
  static int done;
  if (done) return;
  done = 1;
  const char* env = getenv("UVSIM_FS_MAP");
  if (env == NULL || *env == '\0') {
    fs_env_cwd();
    return;
  }
  char* all = strdup(env);
  if (all == NULL) uvs__fatal("uvsim", "out of memory");
  char* save = NULL;
  for (char* e = strtok_r(all, ";", &save); e; e = strtok_r(NULL, ";", &save)) {
    char err[SIM_FS_PATH_MAX + 256];
    if (sim_fs_map_spec(sim_fs_current(), e, err, sizeof err) < 0) {
      fprintf(stderr, "uvsim: UVSIM_FS_MAP: %s\n", err);
      fflush(NULL);
      _exit(2);     /* not exit: a runtime's atexit teardown expects a loop */
    }
  }
  free(all);
  fs_env_cwd();
}

/* UVSIM_CWD=DIR: the program starts in DIR of the simulated filesystem
 * (made if missing), as it would in the real one; `uvsim node` passes the
 * directory it was started from. Without it, a program run unchanged starts
 * at the path of its real working directory (configuration its user
 * chose, like the environment), not at `/`: programs build absolute names
 * from uv_cwd() + "/name", which at `/` gives "//name" (libuv's fs_symlink
 * compared that with realpath's "/name"). Read with the maps, once; a run
 * begun with uvsim_world_begin starts at `/` (the reset). */
static void fs_env_cwd(void) {
  const char* dir = getenv("UVSIM_CWD");
  char real[SIM_FS_PATH_MAX];
  int asked = dir != NULL && *dir != '\0';
  if (!asked) {
    if (getcwd(real, sizeof real) == NULL || strcmp(real, "/") == 0) return;
    dir = real;
  }
  sim_fs* fs = sim_fs_current();
  int r = sim_fs_chdir(fs, dir);
  if (r < 0 && sim_fs_mkdir_p(fs, dir, 0755) == 0) r = sim_fs_chdir(fs, dir);
  if (r < 0 && !asked) return;  /* stays at / */
  if (r < 0) {
    fprintf(stderr, "uvsim: UVSIM_CWD: cannot enter %s: %s\n", dir, uv_strerror(r));
    fflush(NULL);
    _exit(2);
  }
}

void uvs__world_io_reset(void) {
  sim* s = uvs__sim();
  while (blocks) uvs__wfree(blocks->align);
  uvs__poll_reset();      /* its pollers were run-owned blocks */
  uvs__rstream_reset();   /* and so were its real streams' states */
  uvs__fs_env_maps();
  sim_fs_reset(sim_fs_current());
  sim_net_reset(sim_net_current());
  sim_dgram_reset(sim_dgram_current());
  sim_dns_reset(sim_dns_current());
  uvs__spawn_reset();
  sim_faults_clear(sim_faults_current());
  /* Every component asks the current world; none holds on to an old one. */
  sim_fs_attach(sim_fs_current(), NULL);
  sim_net_attach(sim_net_current(), NULL);
  sim_dgram_attach(sim_dgram_current(), NULL);
  sim_faults_attach(sim_faults_current(), NULL);
  (void)s;
}
