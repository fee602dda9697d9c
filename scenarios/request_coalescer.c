/* scenarios/request_coalescer.c — concurrent get(key) coalesced onto one
 * in-flight fetch, with a cache behind it (seed 004's RequestCoalescer plus
 * the usual "decode then cache" step).
 *
 *   async function get(key) {                      // buggy
 *     if (cache.has(key)) return cache.get(key);
 *     if (!inflight.has(key))
 *       inflight.set(key, fetch(key).finally(() => inflight.delete(key)));
 *     const raw = await inflight.get(key);         // pool job: the fetch
 *     const value = await decode(raw);             // pool job: zlib inflate
 *     cache.set(key, value);
 *     return value;
 *   }
 *   get('user:1'); setTimeout(() => get('user:1'), 3); setTimeout(..., 6);
 *
 * Invariant: within the window, the key is fetched once.
 *
 * The bug: the in-flight entry is deleted when the fetch settles, but the
 * cache is only set after the decode. A caller arriving in between finds
 * neither and starts a second fetch. On an idle machine both steps finish
 * before the next caller; it takes a slow decode (or fetch) that spans a
 * caller's arrival (one or two decisions).
 *
 * The fix: the in-flight entry is the whole pipeline (fetch, decode, cache
 * set); it is deleted only after the cache holds the value.
 */
#include "scn.h"

#define RC_CALLERS 3

typedef struct get_frame {
  uvsim_async a;
  int who;
} get_frame;

static struct {
  int fixed;
  int fetches;
  int cached;                 /* cache.has('user:1')                       */
  uvsim_promise* inflight;    /* inflight.get('user:1'), NULL when absent  */
  int answered;
} rc;

static uvsim_value fetch_done(uvsim_value v, void* data) {
  (void)data;
  return v;
}

static uvsim_promise* fetch_key(void) {
  rc.fetches++;
  return uvsim_then(scn_job("http GET /user/1"), fetch_done, NULL, NULL);
}

static uvsim_value forget_inflight(void* data) {
  (void)data;
  rc.inflight = NULL;
  return uvsim_undefined();
}

static uvsim_value cache_set(uvsim_value v, void* data) {
  (void)data;
  rc.cached = 1;
  return v;
}

/* buggy: the entry covers the fetch only */
static void get_buggy(uvsim_async* a) {
  get_frame* f = (get_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  if (rc.cached) UVSIM_ASYNC_RETURN(f, uvsim_str("cached"));
  if (!rc.inflight) rc.inflight = uvsim_finally(fetch_key(), forget_inflight, NULL);
  UVSIM_AWAIT(f, uvsim_promise_value(rc.inflight));
  UVSIM_AWAIT(f, uvsim_promise_value(scn_job("zlib inflate user:1")));
  rc.cached = 1;
  UVSIM_ASYNC_END(f);
}

/* fixed: the entry covers fetch + decode + cache.set */
static uvsim_value decode_step(uvsim_value v, void* data) {
  (void)v, (void)data;
  return uvsim_promise_value(scn_job("zlib inflate user:1"));
}

static void get_fixed(uvsim_async* a) {
  get_frame* f = (get_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  if (rc.cached) UVSIM_ASYNC_RETURN(f, uvsim_str("cached"));
  if (!rc.inflight) {
    uvsim_promise* p = uvsim_then(fetch_key(), decode_step, NULL, NULL);
    p = uvsim_then(p, cache_set, NULL, NULL);
    rc.inflight = uvsim_finally(p, forget_inflight, NULL);
  }
  UVSIM_AWAIT(f, uvsim_promise_value(rc.inflight));
  UVSIM_ASYNC_END(f);
}

static uvsim_value answered(uvsim_value v, void* data) {
  (void)v, (void)data;
  rc.answered++;
  return uvsim_undefined();
}

static void caller(void* data) {
  get_frame* f = uvsim_alloc(sizeof *f);
  f->who = (int)(intptr_t)data;
  uvsim_promise* p = uvsim_async_call(&f->a, rc.fixed ? get_fixed : get_buggy);
  uvsim_then(p, answered, NULL, NULL);
}

static void request_coalescer(int fixed) {
  memset(&rc, 0, sizeof rc);
  rc.fixed = fixed;
  scn_begin();
  caller((void*)(intptr_t)0);
  uvsim_set_timeout_l(caller, (void*)(intptr_t)1, 3, "caller 2 arrives");
  uvsim_set_timeout_l(caller, (void*)(intptr_t)2, 6, "caller 3 arrives");
  if (scn_run()) {
    UVSIM_CHECK(rc.answered == RC_CALLERS, "%d of %d callers answered", rc.answered,
                RC_CALLERS);
    UVSIM_CHECK(rc.fetches == 1, "key fetched %d times within one window", rc.fetches);
  }
  scn_end();
}

static void request_coalescer_buggy(void) { request_coalescer(0); }
static void request_coalescer_fixed(void) { request_coalescer(1); }

UVSIM_SCENARIO(request_coalescer, buggy, request_coalescer_buggy,
               .description = "coalescer forgets the in-flight fetch before the cache is set",
               .invariant = "one fetch per key within the window",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(request_coalescer, fixed, request_coalescer_fixed,
               .description = "coalescer keeps the entry until the value is cached",
               .invariant = "one fetch per key within the window",
               .expect = UVSIM_EXPECT_CLEAN);
