/* scenarios/forgotten_await.c — a promise started early and awaited late.
 *
 *   async function handle(req) {                       // buggy
 *     const data = loadData(req);        // pool job
 *     const audit = writeAudit(req);     // pool job; rejects: EROFS
 *     const d = await data;
 *     try { await audit; } catch (e) { auditFailures++; }
 *     return render(d);
 *   }
 *
 * Invariant: no unhandled rejection (Node >= 15 crashes the process: the
 * engine's unhandled-rejection oracle) and the request is answered.
 *
 * The bug: `audit` has no handler until `await data` resumes. On an idle
 * machine the jobs finish in submission order, so the handler is attached
 * before the audit write fails. If the audit write finishes first (a
 * pool-completion reorder or a slow loadData: one decision) it rejects with
 * no handler when the checkpoint ends: an unhandled rejection, although the
 * code "handles" it.
 *
 * The fix: attach the handler when the promise is created
 * (`writeAudit(req).catch(...)`), or await both with Promise.allSettled.
 */
#include "scn.h"

typedef struct handle_frame {
  uvsim_async a;
  uvsim_promise* data;
  uvsim_promise* audit;
} handle_frame;

static struct {
  int fixed;
  int audit_failures;
  int answered;
} fa;

static uvsim_value audit_written(uvsim_value v, void* data) {
  (void)v, (void)data;
  return uvsim_throw(scn_err("EROFS", "audit log: read-only file system"));
}

static uvsim_value count_audit_failure(uvsim_value v, void* data) {
  (void)v, (void)data;
  fa.audit_failures++;
  return uvsim_undefined();
}

static void handle(uvsim_async* a) {
  handle_frame* f = (handle_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  f->data = scn_job("db.query user");
  f->audit = uvsim_then(scn_job("fs.appendFile audit.log"), audit_written, NULL, NULL);
  if (fa.fixed) f->audit = uvsim_catch(f->audit, count_audit_failure, NULL);
  UVSIM_AWAIT(f, uvsim_promise_value(f->data));
  UVSIM_AWAIT_TRY(f, uvsim_promise_value(f->audit));
  if (UVSIM_AWAIT_REJECTED(f)) fa.audit_failures++;
  fa.answered++;
  UVSIM_ASYNC_END(f);
}

static void forgotten_await(int fixed) {
  memset(&fa, 0, sizeof fa);
  fa.fixed = fixed;
  scn_begin();
  handle_frame* f;
  SCN_ASYNC(handle_frame, handle, f);
  if (scn_run()) {
    UVSIM_CHECK(fa.answered == 1, "the request was not answered");
    UVSIM_CHECK(fa.audit_failures == 1, "audit failure counted %d times",
                fa.audit_failures);
  }
  scn_end();
}

static void forgotten_await_buggy(void) { forgotten_await(0); }
static void forgotten_await_fixed(void) { forgotten_await(1); }

UVSIM_SCENARIO(forgotten_await, buggy, forgotten_await_buggy,
               .description = "a rejecting promise awaited only after another await",
               .invariant = "no unhandled rejection; the request is answered",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(forgotten_await, fixed, forgotten_await_fixed,
               .description = "the handler is attached when the promise is created",
               .invariant = "no unhandled rejection; the request is answered",
               .expect = UVSIM_EXPECT_CLEAN);
