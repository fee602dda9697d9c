/* scenarios/circuit_breaker.c — seed 004's CircuitBreaker in front of a
 * backend that is down for its first 10 ms.
 *
 *   async call(fn) {                                  // buggy (seed 004)
 *     if (this.state === 'open') {
 *       if (Date.now() - this.lastFailTime > this.timeout) this.state = 'half-open';
 *       else throw new Error('Circuit breaker is open');
 *     }
 *     try { const r = await fn(); this.onSuccess(); return r; }
 *     catch (e) { this.onFailure(); throw e; }
 *   }
 *   // threshold 2, timeout 20 ms; requests at 0, 1, 25 and 27 ms
 *
 * Invariant: in the half-open state at most one probe is in flight (the
 * point of half-open: one request tests the backend while the rest fail
 * fast).
 *
 * The bug: 'half-open' lets every call through until the probe settles. On
 * an idle machine the probe at 25 ms is answered before the request at
 * 27 ms; if the probe is slow (10 ms) or the 25 ms timer runs late enough
 * to fire together with the 27 ms one, two probes hit the recovering
 * backend.
 *
 * The fix: half-open admits one probe (a flag) and rejects the others with
 * "circuit half-open" until it settles.
 */
#include "scn.h"

#define CB_THRESHOLD 2
#define CB_TIMEOUT_MS 20
#define CB_BACKEND_UP_MS 10
#define CB_REQUESTS 4

enum { CLOSED, OPEN, HALF_OPEN };

typedef struct call_frame {
  uvsim_async a;
  int probe;
} call_frame;

static struct {
  int fixed;
  int state;
  int failures;
  uint64_t last_fail_ms;
  int probing;          /* fixed: a half-open probe is in flight       */
  int half_open_inflight;
  int max_half_open_inflight;
  int settled;
} cb;

static uint64_t now_ms(void) { return uvsim_now_ns() / 1000000u; }

/* The backend: fails while it is still down when the request is answered. */
static uvsim_value backend_answer(uvsim_value v, void* data) {
  (void)v, (void)data;
  if (now_ms() < CB_BACKEND_UP_MS)
    return uvsim_throw(scn_err("ECONNREFUSED", "backend down"));
  return uvsim_str("ok");
}

static uvsim_promise* backend(void) {
  return uvsim_then(scn_job("http POST /api"), backend_answer, NULL, NULL);
}

static void on_success(void) {
  cb.failures = 0;
  cb.state = CLOSED;
}

static void on_failure(void) {
  cb.failures++;
  cb.last_fail_ms = now_ms();
  if (cb.failures >= CB_THRESHOLD) cb.state = OPEN;
}

static void call(uvsim_async* a) {
  call_frame* f = (call_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  if (cb.state == OPEN) {
    if (now_ms() - cb.last_fail_ms > CB_TIMEOUT_MS) cb.state = HALF_OPEN;
    else UVSIM_ASYNC_THROW(f, scn_err("EOPEN", "Circuit breaker is open"));
  }
  if (cb.state == HALF_OPEN) {
    if (cb.fixed && cb.probing)
      UVSIM_ASYNC_THROW(f, scn_err("EHALFOPEN", "circuit half-open"));
    f->probe = 1;
    cb.probing = 1;
    cb.half_open_inflight++;
    if (cb.half_open_inflight > cb.max_half_open_inflight)
      cb.max_half_open_inflight = cb.half_open_inflight;
    UVSIM_CHECK(cb.half_open_inflight <= 1,
                "%d probes in flight while half-open", cb.half_open_inflight);
  }
  UVSIM_AWAIT_TRY(f, uvsim_promise_value(backend()));
  if (f->probe) {
    cb.half_open_inflight--;
    cb.probing = 0;
  }
  if (UVSIM_AWAIT_REJECTED(f)) {
    on_failure();
    UVSIM_ASYNC_THROW(f, UVSIM_AWAITED(f));
  }
  on_success();
  UVSIM_ASYNC_RETURN(f, UVSIM_AWAITED(f));
  UVSIM_ASYNC_END(f);
}

/* The caller handles both outcomes (an error page, a fallback). */
static uvsim_value request_settled(uvsim_value v, void* data) {
  (void)v, (void)data;
  cb.settled++;
  return uvsim_undefined();
}

static void request(void* data) {
  (void)data;
  call_frame* f;
  uvsim_promise* p = SCN_ASYNC(call_frame, call, f);
  uvsim_then(p, request_settled, request_settled, NULL);
}

static void circuit_breaker(int fixed) {
  static const double at_ms[CB_REQUESTS] = { 0, 1, 25, 27 };
  static const char* const label[CB_REQUESTS] = {
    "request 1", "request 2", "request 3", "request 4" };
  memset(&cb, 0, sizeof cb);
  cb.fixed = fixed;
  cb.state = CLOSED;
  scn_begin();
  request(NULL);
  for (int i = 1; i < CB_REQUESTS; i++)
    uvsim_set_timeout_l(request, NULL, at_ms[i], label[i]);
  if (scn_run())
    UVSIM_CHECK(cb.settled == CB_REQUESTS, "%d of %d requests settled", cb.settled,
                CB_REQUESTS);
  scn_end();
}

static void circuit_breaker_buggy(void) { circuit_breaker(0); }
static void circuit_breaker_fixed(void) { circuit_breaker(1); }

UVSIM_SCENARIO(circuit_breaker, buggy, circuit_breaker_buggy,
               .description = "seed 004's circuit breaker: half-open admits every call",
               .invariant = "at most one probe in flight while half-open",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(circuit_breaker, fixed, circuit_breaker_fixed,
               .description = "circuit breaker whose half-open state admits one probe",
               .invariant = "at most one probe in flight while half-open",
               .expect = UVSIM_EXPECT_CLEAN);
