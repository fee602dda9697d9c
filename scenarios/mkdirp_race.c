/* scenarios/mkdirp_race.c — two concurrent `mkdir -p` of sibling paths.
 *
 *   async function mkdirp(dir) {                         // buggy
 *     for (const p of prefixes(dir)) {                   // /data, /data/cache, dir
 *       try { await fs.stat(p); continue; }
 *       catch (e) { if (e.code !== 'ENOENT') throw e; }
 *       await fs.mkdir(p);                               // EEXIST is an error
 *     }
 *   }
 *   mkdirp('/data/cache/a');                            // request 1, 0 ms
 *   setTimeout(() => mkdirp('/data/cache/b'), 1);       // request 2, 1 ms
 *
 * Invariant: both calls succeed and both directories exist.
 *
 * The bug: stat-then-mkdir is check-then-act: between one caller's stat
 * (ENOENT) and its mkdir, the other caller creates the directory, and the
 * mkdir fails with EEXIST. On an idle machine request 1 is done before
 * request 2 starts; a slow stat of request 1 (10 ms, one decision) lets
 * request 2 create /data first.
 *
 * The fix: just mkdir and treat EEXIST as success (what `fs.mkdir(p,
 * {recursive: true})` does); the stat is not needed at all.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "scn.h"

#define MK_PARTS 3

typedef struct mkdirp_frame {
  uvsim_async a;
  const char* const* parts;
  int i;
} mkdirp_frame;

static struct {
  int fixed;
  int ok, failed;
  char failure[64];
} mk;

static const char* const path_a[MK_PARTS] = { "/data", "/data/cache", "/data/cache/a" };
static const char* const path_b[MK_PARTS] = { "/data", "/data/cache", "/data/cache/b" };

static void mkdirp(uvsim_async* a) {
  mkdirp_frame* f = (mkdirp_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  for (f->i = 0; f->i < MK_PARTS; f->i++) {
    if (!mk.fixed) {
      UVSIM_AWAIT_TRY(f, uvsim_promise_value(scn_fs_stat(f->parts[f->i])));
      if (!UVSIM_AWAIT_REJECTED(f)) continue;
      if (strcmp(scn_code(UVSIM_AWAITED(f)), "ENOENT") != 0)
        UVSIM_ASYNC_THROW(f, UVSIM_AWAITED(f));
    }
    UVSIM_AWAIT_TRY(f, uvsim_promise_value(scn_fs_mkdir(f->parts[f->i])));
    if (UVSIM_AWAIT_REJECTED(f) &&
        !(mk.fixed && strcmp(scn_code(UVSIM_AWAITED(f)), "EEXIST") == 0))
      UVSIM_ASYNC_THROW(f, UVSIM_AWAITED(f));
  }
  UVSIM_ASYNC_END(f);
}

static uvsim_value done_ok(uvsim_value v, void* data) {
  (void)v, (void)data;
  mk.ok++;
  return uvsim_undefined();
}

static uvsim_value done_failed(uvsim_value v, void* data) {
  (void)data;
  mk.failed++;
  snprintf(mk.failure, sizeof mk.failure, "%s", scn_code(v));
  return uvsim_undefined();
}

static void start(void* data) {
  mkdirp_frame* f = uvsim_alloc(sizeof *f);
  f->parts = data;
  uvsim_then(uvsim_async_call(&f->a, mkdirp), done_ok, done_failed, NULL);
}

static int is_dir(const char* path) {
  uv_fs_t req;
  int rc = uv_fs_stat(scn_loop, &req, path, NULL);
  int dir = rc == 0 && (req.statbuf.st_mode & S_IFMT) == S_IFDIR;
  uv_fs_req_cleanup(&req);
  return dir;
}

static void mkdirp_race(int fixed) {
  memset(&mk, 0, sizeof mk);
  mk.fixed = fixed;
  scn_begin();
  start((void*)path_a);
  uvsim_set_timeout_l(start, (void*)path_b, 1, "request 2 arrives");
  if (scn_run()) {
    UVSIM_CHECK(mk.failed == 0, "mkdirp failed with %s", mk.failure);
    UVSIM_CHECK(mk.ok == 2, "%d of 2 mkdirp calls finished", mk.ok);
    UVSIM_CHECK(is_dir(path_a[2]) && is_dir(path_b[2]), "a directory is missing");
  }
  scn_end();
}

static void mkdirp_race_buggy(void) { mkdirp_race(0); }
static void mkdirp_race_fixed(void) { mkdirp_race(1); }

UVSIM_SCENARIO(mkdirp_race, buggy, mkdirp_race_buggy,
               .description = "concurrent mkdir -p: stat then mkdir, EEXIST is an error",
               .invariant = "both mkdirp calls succeed; both directories exist",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(mkdirp_race, fixed, mkdirp_race_fixed,
               .description = "mkdir -p that treats EEXIST as success",
               .invariant = "both mkdirp calls succeed; both directories exist",
               .expect = UVSIM_EXPECT_CLEAN);
