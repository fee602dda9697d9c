/* scenarios/parallel_delete.c — Promise.all over recursive deletes whose
 * paths overlap (a cleanup list built from a glob: a file and its parent).
 *
 *   async function rmrf(p) {                                // buggy
 *     const st = await fs.lstat(p);
 *     if (st.isDirectory()) {
 *       await Promise.all((await fs.readdir(p)).map(c => rmrf(`${p}/${c}`)));
 *       await fs.rmdir(p);
 *     } else await fs.unlink(p);
 *   }
 *   await Promise.all(['/tmp/build/out.o', '/tmp/build'].map(rmrf));
 *
 * Invariant: the cleanup succeeds and /tmp/build is gone.
 *
 * The bug: the two deletes race for /tmp/build/out.o. On an idle machine
 * the pool completes the lstats in order: out.o is unlinked before
 * /tmp/build is listed. If the lstat of /tmp/build completes first (one
 * pool-completion reorder), the listing still names out.o, the other
 * delete unlinks it, and the recursive delete's lstat or unlink fails with
 * ENOENT: Promise.all rejects and the cleanup "fails".
 *
 * The fix: ENOENT at any step means "already deleted" (what `fs.rm(p,
 * {recursive: true, force: true})` does).
 */
#include <stdio.h>
#include <sys/stat.h>

#include "scn.h"

#define PD_TARGETS 2

typedef struct rmrf_frame {
  uvsim_async a;
  const char* path;
  uvsim_value children[SCN_FS_NAMES_MAX];
  size_t n;
} rmrf_frame;

static struct {
  int fixed;
  int ok, failed;
  char failure[64];
} pd;

static uvsim_promise* rmrf(const char* path);

static int tolerated(uvsim_value err) {
  return pd.fixed && strcmp(scn_code(err), "ENOENT") == 0;
}

/* Rethrows an error unless the fixed variant tolerates it; returns from
 * the async function either way when it is an error. */
#define PD_CHECK(f)                                                      \
  do {                                                                   \
    if (UVSIM_AWAIT_REJECTED(f)) {                                       \
      if (tolerated(UVSIM_AWAITED(f))) UVSIM_ASYNC_RETURN(f, uvsim_undefined()); \
      UVSIM_ASYNC_THROW(f, UVSIM_AWAITED(f));                            \
    }                                                                    \
  } while (0)

static void rmrf_body(uvsim_async* a) {
  rmrf_frame* f = (rmrf_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT_TRY(f, uvsim_promise_value(scn_fs_lstat(f->path)));
  PD_CHECK(f);
  if ((UVSIM_AWAITED(f).u.i & S_IFMT) != S_IFDIR) {
    UVSIM_AWAIT_TRY(f, uvsim_promise_value(scn_fs_unlink(f->path)));
    PD_CHECK(f);
    UVSIM_ASYNC_RETURN(f, uvsim_undefined());
  }
  UVSIM_AWAIT_TRY(f, uvsim_promise_value(scn_fs_scandir(f->path)));
  PD_CHECK(f);
  {
    uvsim_array* names = UVSIM_AWAITED(f).u.arr;
    f->n = names->len;
    for (size_t i = 0; i < f->n; i++)
      f->children[i] = uvsim_promise_value(
          rmrf(uvsim_strf("%s/%s", f->path, names->items[i].u.s).u.s));
  }
  UVSIM_AWAIT(f, uvsim_promise_value(uvsim_promise_all(f->children, f->n)));
  UVSIM_AWAIT_TRY(f, uvsim_promise_value(scn_fs_rmdir(f->path)));
  PD_CHECK(f);
  UVSIM_ASYNC_END(f);
}

static uvsim_promise* rmrf(const char* path) {
  rmrf_frame* f = uvsim_alloc(sizeof *f);
  f->path = path;
  return uvsim_async_call(&f->a, rmrf_body);
}

static uvsim_value cleanup_ok(uvsim_value v, void* data) {
  (void)v, (void)data;
  pd.ok++;
  return uvsim_undefined();
}

static uvsim_value cleanup_failed(uvsim_value v, void* data) {
  (void)data;
  pd.failed++;
  snprintf(pd.failure, sizeof pd.failure, "%s", scn_code(v));
  return uvsim_undefined();
}

static int exists(const char* path) {
  uv_fs_t req;
  int rc = uv_fs_lstat(scn_loop, &req, path, NULL);
  uv_fs_req_cleanup(&req);
  return rc == 0;
}

static void parallel_delete(int fixed) {
  memset(&pd, 0, sizeof pd);
  pd.fixed = fixed;
  scn_begin();
  int rc = scn_fs_sync_mkdir("/tmp/build");
  if (rc == 0) rc = scn_fs_sync_touch("/tmp/build/out.o");
  UVSIM_CHECK(rc == 0, "set-up: %s", uv_err_name(rc));
  uvsim_value targets[PD_TARGETS] = {
    uvsim_promise_value(rmrf("/tmp/build/out.o")),
    uvsim_promise_value(rmrf("/tmp/build")),
  };
  uvsim_then(uvsim_promise_all(targets, PD_TARGETS), cleanup_ok, cleanup_failed, NULL);
  if (scn_run()) {
    UVSIM_CHECK(pd.failed == 0, "cleanup failed with %s", pd.failure);
    UVSIM_CHECK(pd.ok == 1, "cleanup did not finish");
    UVSIM_CHECK(!exists("/tmp/build"), "/tmp/build still exists");
  }
  scn_end();
}

static void parallel_delete_buggy(void) { parallel_delete(0); }
static void parallel_delete_fixed(void) { parallel_delete(1); }

UVSIM_SCENARIO(parallel_delete, buggy, parallel_delete_buggy,
               .description = "Promise.all over overlapping recursive deletes: ENOENT",
               .invariant = "the cleanup succeeds and the tree is gone",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(parallel_delete, fixed, parallel_delete_fixed,
               .description = "recursive delete that treats ENOENT as deleted",
               .invariant = "the cleanup succeeds and the tree is gone",
               .expect = UVSIM_EXPECT_CLEAN);
