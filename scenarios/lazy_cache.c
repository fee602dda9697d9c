/* scenarios/lazy_cache.c — lazy singleton initialisation across an await.
 *
 *   let config;                                  // buggy
 *   async function getConfig() {
 *     if (!config) config = await loadConfig();  // pool job (read + parse)
 *     return config;
 *   }
 *   handle(); setTimeout(handle, 1);             // two requests, 1 ms apart
 *
 * Invariant: loadConfig runs once (it opens the connection pool described
 * by the config: a second run leaks one), and both requests see the same
 * config object.
 *
 * The bug: both callers see "not initialised" when the second arrives while
 * the first load is still in flight — only when loading takes longer than
 * the gap between requests (a 10 ms pool job: one decision). On an idle
 * machine the load is done before the second request.
 *
 * The fix: memoise the promise, not the value:
 *   let configP; const getConfig = () => (configP ??= loadConfig());
 */
#include "scn.h"

typedef struct cfg {
  int generation;
} cfg;

typedef struct get_frame {
  uvsim_async a;
} get_frame;

typedef struct handle_frame {
  uvsim_async a;
  int who;
} handle_frame;

static struct {
  int fixed;
  int loads;
  cfg configs[4];
  cfg* config;              /* buggy: the cached value                */
  uvsim_promise* config_p;  /* fixed: the memoised promise            */
  cfg* seen[2];
  int handled;
} lc;

/* loadConfig(): read and parse the file on the pool, then open the pool of
 * connections it describes (counted). */
static uvsim_value load_done(uvsim_value v, void* data) {
  (void)v, (void)data;
  int i = lc.loads < 4 ? lc.loads : 3;
  lc.loads++;
  lc.configs[i].generation = lc.loads;
  return uvsim_ptr(&lc.configs[i]);
}

static uvsim_promise* load_config(void) {
  return uvsim_then(scn_job("fs.readFile config.json"), load_done, NULL, NULL);
}

static void get_config_buggy(uvsim_async* a) {
  get_frame* f = (get_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  if (!lc.config) {
    UVSIM_AWAIT(f, uvsim_promise_value(load_config()));
    lc.config = UVSIM_AWAITED(f).u.ptr;
  }
  UVSIM_ASYNC_RETURN(f, uvsim_ptr(lc.config));
  UVSIM_ASYNC_END(f);
}

static uvsim_promise* get_config(void) {
  if (lc.fixed) {
    if (!lc.config_p) lc.config_p = load_config();
    return lc.config_p;
  }
  get_frame* f;
  return SCN_ASYNC(get_frame, get_config_buggy, f);
}

static void handle(uvsim_async* a) {
  handle_frame* f = (handle_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT(f, uvsim_promise_value(get_config()));
  lc.seen[f->who] = UVSIM_AWAITED(f).u.ptr;
  lc.handled++;
  UVSIM_ASYNC_END(f);
}

static void request(void* data) {
  handle_frame* f;
  f = uvsim_alloc(sizeof *f);
  f->who = (int)(intptr_t)data;
  uvsim_async_call(&f->a, handle);
}

static void lazy_cache(int fixed) {
  memset(&lc, 0, sizeof lc);
  lc.fixed = fixed;
  scn_begin();
  request((void*)(intptr_t)0);
  uvsim_set_timeout_l(request, (void*)(intptr_t)1, 1, "request 2 arrives");
  if (scn_run()) {
    UVSIM_CHECK(lc.handled == 2, "%d of 2 requests handled", lc.handled);
    UVSIM_CHECK(lc.loads == 1, "config loaded %d times (connection pool leaked)",
                lc.loads);
    UVSIM_CHECK(lc.seen[0] == lc.seen[1], "requests saw different config objects");
  }
  scn_end();
}

static void lazy_cache_buggy(void) { lazy_cache(0); }
static void lazy_cache_fixed(void) { lazy_cache(1); }

UVSIM_SCENARIO(lazy_cache, buggy, lazy_cache_buggy,
               .description = "lazy singleton: `if (!x) x = await load()` runs load twice",
               .invariant = "the config is loaded once; every caller sees the same one",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(lazy_cache, fixed, lazy_cache_fixed,
               .description = "lazy singleton memoising the promise",
               .invariant = "the config is loaded once; every caller sees the same one",
               .expect = UVSIM_EXPECT_CLEAN);
