/* scenarios/all_failfast.c — Promise.all rejects fast; the work it leaves
 * running writes shared state after the failure was handled.
 *
 *   async function upload(req) {                          // buggy
 *     try {
 *       await Promise.all([storeBlob(req), scan(req)]);   // pool jobs
 *       status = 'stored';
 *     } catch (e) {
 *       await removeBlob(req);        // deletes what storeBlob wrote
 *       status = 'rejected';
 *     }
 *   }
 *   // scan(req) rejects: the payload is infected
 *
 * Invariant: a rejected upload leaves no blob behind.
 *
 * The bug: Promise.all rejects as soon as scan rejects; storeBlob goes on.
 * On an idle machine storeBlob (submitted first) completes first, so the
 * cleanup removes its blob. If the scan completes first (a pool-completion
 * reorder or a slow store: one decision), the cleanup finds nothing and the
 * store lands afterwards: an infected blob stays on disk.
 *
 * The fix: Promise.allSettled, then decide and clean up once nothing is
 * left running.
 */
#include "scn.h"

enum { PENDING, STORED, REJECTED };

typedef struct upload_frame {
  uvsim_async a;
  uvsim_value parts[2];
} upload_frame;

static struct {
  int fixed;
  int blob;       /* the blob exists on disk */
  int status;
} af;

static uvsim_value blob_stored(uvsim_value v, void* data) {
  (void)v, (void)data;
  af.blob = 1;
  return uvsim_undefined();
}

static uvsim_value scanned(uvsim_value v, void* data) {
  (void)v, (void)data;
  return uvsim_throw(scn_err("EINFECTED", "payload failed the virus scan"));
}

static uvsim_value blob_removed(uvsim_value v, void* data) {
  (void)v, (void)data;
  af.blob = 0;
  return uvsim_undefined();
}

static int any_rejected(uvsim_value settled) {
  for (size_t i = 0; i < settled.u.arr->len; i++)
    if (settled.u.arr->items[i].u.settled->rejected) return 1;
  return 0;
}

static void upload(uvsim_async* a) {
  upload_frame* f = (upload_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  f->parts[0] = uvsim_promise_value(uvsim_then(scn_job("fs.writeFile blob"),
                                               blob_stored, NULL, NULL));
  f->parts[1] = uvsim_promise_value(uvsim_then(scn_job("clamav scan"), scanned,
                                               NULL, NULL));
  if (af.fixed) {
    UVSIM_AWAIT(f, uvsim_promise_value(uvsim_promise_all_settled(f->parts, 2)));
    if (!any_rejected(UVSIM_AWAITED(f))) {
      af.status = STORED;
      UVSIM_ASYNC_RETURN(f, uvsim_undefined());
    }
  } else {
    UVSIM_AWAIT_TRY(f, uvsim_promise_value(uvsim_promise_all(f->parts, 2)));
    if (!UVSIM_AWAIT_REJECTED(f)) {
      af.status = STORED;
      UVSIM_ASYNC_RETURN(f, uvsim_undefined());
    }
  }
  UVSIM_AWAIT(f, uvsim_promise_value(uvsim_then(scn_job("fs.unlink blob"),
                                                blob_removed, NULL, NULL)));
  af.status = REJECTED;
  UVSIM_ASYNC_END(f);
}

static void all_failfast(int fixed) {
  memset(&af, 0, sizeof af);
  af.fixed = fixed;
  scn_begin();
  upload_frame* f;
  SCN_ASYNC(upload_frame, upload, f);
  if (scn_run()) {
    UVSIM_CHECK(af.status == REJECTED, "infected upload not rejected (status %d)",
                af.status);
    UVSIM_CHECK(!af.blob, "rejected upload left its blob on disk");
  }
  scn_end();
}

static void all_failfast_buggy(void) { all_failfast(0); }
static void all_failfast_fixed(void) { all_failfast(1); }

UVSIM_SCENARIO(all_failfast, buggy, all_failfast_buggy,
               .description = "Promise.all fail-fast; the store it left running lands after cleanup",
               .invariant = "a rejected upload leaves no blob behind",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(all_failfast, fixed, all_failfast_fixed,
               .description = "Promise.allSettled, clean up once nothing is running",
               .invariant = "a rejected upload leaves no blob behind",
               .expect = UVSIM_EXPECT_CLEAN);
