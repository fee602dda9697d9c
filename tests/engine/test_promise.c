/* tests/engine/test_promise.c — the promise state machine: settling, the
 * resolving functions' corner cases, reaction jobs, thenable adoption job
 * counts, finally, executors and async functions. */
#include "engine_test.h"

static uvsim_value add1(uvsim_value v, void* d) { (void)d; return uvsim_int(v.u.i + 1); }

static void test_then_runs_in_a_job(void** s) {
  (void)s;
  uvsim_promise* p = uvsim_promise_new();
  uvsim_promise* q = uvsim_then(p, add1, NULL, NULL);
  uvsim_then(q, rec_value, NULL, "q");
  uvsim_promise_resolve(p, uvsim_int(1));
  assert_int_equal(uvsim_promise_state_of(p), UVSIM_FULFILLED);
  assert_int_equal(uvsim_promise_state_of(q), UVSIM_PENDING); /* not synchronous */
  assert_string_equal(rec_buf, "");
  uvsim_checkpoint();
  assert_int_equal(uvsim_promise_state_of(q), UVSIM_FULFILLED);
  assert_int_equal(uvsim_promise_result(q).u.i, 2);
  assert_string_equal(rec_buf, "q=2 ");
}

static void test_then_on_settled_promise(void** s) {
  (void)s;
  uvsim_promise* p = uvsim_promise_from(uvsim_int(5));
  uvsim_promise* r = uvsim_promise_rejected(uvsim_str("no"));
  uvsim_then(p, rec_value, NULL, "ok");
  uvsim_then(r, NULL, rec_value, "err");
  assert_string_equal(rec_buf, "");
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "ok=5 err=no ");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
}

static void test_resolve_with_itself_is_type_error(void** s) {
  (void)s;
  uvsim_promise* p = uvsim_promise_new();
  uvsim_promise_resolve(p, uvsim_promise_value(p));
  assert_int_equal(uvsim_promise_state_of(p), UVSIM_REJECTED);
  uvsim_value e = uvsim_promise_result(p);
  assert_int_equal(e.type, UVSIM_T_ERROR);
  assert_string_equal(e.u.err->name, "TypeError");
  assert_non_null(strstr(e.u.err->message, "Chaining cycle"));
  uvsim_catch(p, rec_value, "e");
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
}

static void test_double_resolve_ignored(void** s) {
  (void)s;
  uvsim_promise* p = uvsim_promise_new();
  uvsim_promise_resolve(p, uvsim_int(1));
  uvsim_promise_resolve(p, uvsim_int(2));
  uvsim_promise_reject(p, uvsim_int(3));
  assert_int_equal(uvsim_promise_state_of(p), UVSIM_FULFILLED);
  assert_int_equal(uvsim_promise_result(p).u.i, 1);
  /* resolved with a pending promise: "already resolved" although pending */
  uvsim_promise* inner = uvsim_promise_new();
  uvsim_promise* q = uvsim_promise_new();
  uvsim_promise_resolve(q, uvsim_promise_value(inner));
  uvsim_promise_reject(q, uvsim_int(9));
  uvsim_checkpoint();
  assert_int_equal(uvsim_promise_state_of(q), UVSIM_PENDING);
  uvsim_promise_resolve(inner, uvsim_int(7));
  uvsim_checkpoint();
  assert_int_equal(uvsim_promise_state_of(q), UVSIM_FULFILLED);
  assert_int_equal(uvsim_promise_result(q).u.i, 7);
}

static int ticks;
static uvsim_value ticker(uvsim_value v, void* d) {
  (void)v; (void)d;
  rec("t%d", ++ticks);
  if (ticks < 5) uvsim_then(uvsim_promise_from(uvsim_undefined()), ticker, NULL, NULL);
  return uvsim_undefined();
}

/* Adopting a native promise costs NewPromiseResolveThenableJob + the then
 * reaction: the adopting promise's reaction runs 3 jobs after start. */
static void test_adoption_costs_two_jobs(void** s) {
  (void)s;
  ticks = 0;
  uvsim_promise* p = uvsim_promise_new();
  uvsim_promise_resolve(p, uvsim_promise_value(uvsim_promise_from(uvsim_int(1))));
  uvsim_then(p, rec_value, NULL, "adopted");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), ticker, NULL, NULL);
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "t1 t2 adopted=1 t3 t4 t5 ");
}

static uvsim_value thrower(uvsim_value v, void* d) { (void)v; (void)d; return uvsim_throw(uvsim_str("boom")); }

static void test_reaction_throw_rejects_derived(void** s) {
  (void)s;
  uvsim_promise* q = uvsim_then(uvsim_promise_from(uvsim_int(1)), thrower, NULL, NULL);
  uvsim_promise* pass = uvsim_then(q, add1, NULL, NULL); /* no on_err: passes */
  uvsim_catch(pass, rec_value, "caught");
  uvsim_checkpoint();
  assert_int_equal(uvsim_promise_state_of(q), UVSIM_REJECTED);
  assert_string_equal(rec_buf, "caught=boom ");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
}

static void exec_throw(uvsim_promise* p, void* d) { (void)p; (void)d; uvsim_throw(uvsim_int(4)); }
static void exec_ok(uvsim_promise* p, void* d) { (void)d; uvsim_promise_resolve(p, uvsim_int(3)); uvsim_throw(uvsim_int(4)); }

static void test_executor(void** s) {
  (void)s;
  uvsim_promise* a = uvsim_promise_exec(exec_throw, NULL);
  uvsim_promise* b = uvsim_promise_exec(exec_ok, NULL);
  assert_int_equal(uvsim_promise_state_of(a), UVSIM_REJECTED);
  assert_int_equal(uvsim_promise_state_of(b), UVSIM_FULFILLED);
  uvsim_catch(a, rec_value, "a");
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "a=4 ");
}

static uvsim_value fin(void* d) { rec("%s", (const char*)d); return uvsim_int(99); }
static uvsim_value fin_throw(void* d) { (void)d; return uvsim_throw(uvsim_str("f")); }

static void test_finally(void** s) {
  (void)s;
  uvsim_then(uvsim_finally(uvsim_promise_from(uvsim_int(1)), fin, "fin1"), rec_value, NULL, "v");
  uvsim_catch(uvsim_finally(uvsim_promise_rejected(uvsim_int(2)), fin, "fin2"), rec_value, "r");
  uvsim_catch(uvsim_finally(uvsim_promise_from(uvsim_int(3)), fin_throw, NULL), rec_value, "t");
  uvsim_checkpoint();
  /* a throwing onFinally rejects at once; a pass-through is adopted (node: same) */
  assert_string_equal(rec_buf, "fin1 fin2 t=f v=1 r=2 ");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
}

static void then_fn(void* self, uvsim_resolvers* r) {
  rec("then");
  uvsim_resolvers_resolve(r, uvsim_int(*(int*)self));
  uvsim_resolvers_reject(r, uvsim_int(0)); /* ignored */
  uvsim_throw(uvsim_int(0));               /* ignored: already resolved */
}

static void test_thenable(void** s) {
  (void)s;
  int forty = 40;
  uvsim_promise* p = uvsim_promise_from(uvsim_thenable_new(then_fn, &forty));
  assert_int_equal(uvsim_promise_state_of(p), UVSIM_PENDING);
  assert_string_equal(rec_buf, ""); /* then is called from a job */
  uvsim_then(p, rec_value, NULL, "v");
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "then v=40 ");
}

typedef struct { uvsim_async a; int i; int sum; } sum_frame;
static void summer(uvsim_async* a) {
  sum_frame* f = (sum_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  for (f->i = 1; f->i <= 3; f->i++) {
    UVSIM_AWAIT(f, uvsim_int(f->i));
    f->sum += (int)UVSIM_AWAITED(f).u.i;
    rec("a%d", f->i);
  }
  UVSIM_AWAIT(f, uvsim_promise_value(uvsim_promise_rejected(uvsim_int(-1))));
  rec("unreachable");
  UVSIM_ASYNC_END(f);
}

static void test_async_await_ticks_and_throw(void** s) {
  (void)s;
  ticks = 0;
  sum_frame* f = uvsim_alloc(sizeof(*f));
  uvsim_promise* p = uvsim_async_call(&f->a, summer);
  assert_int_equal(uvsim_promise_state_of(p), UVSIM_PENDING);
  uvsim_catch(p, rec_value, "rej");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), ticker, NULL, NULL);
  uvsim_checkpoint();
  /* each await of a plain value resumes one job later, interleaving */
  assert_string_equal(rec_buf, "a1 t1 a2 t2 a3 t3 t4 rej=-1 t5 ");
  assert_int_equal(f->sum, 6);
  assert_int_equal(uvsim_promise_state_of(p), UVSIM_REJECTED);
}

static void test_reset_restarts_ids(void** s) {
  (void)s;
  uvsim_promise* p = uvsim_promise_new();
  assert_int_equal(uvsim_promise_id(p), 1);
  uvsim_next_tick(rec_cb, "x");
  uvs__engine_reset();
  assert_int_equal(uvsim_promise_id(uvsim_promise_new()), 1);
  uvsim_checkpoint();
  assert_string_equal(rec_buf, ""); /* the queued tick was forgotten */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    T(test_then_runs_in_a_job),
    T(test_then_on_settled_promise),
    T(test_resolve_with_itself_is_type_error),
    T(test_double_resolve_ignored),
    T(test_adoption_costs_two_jobs),
    T(test_reaction_throw_rejects_derived),
    T(test_executor),
    T(test_finally),
    T(test_thenable),
    T(test_async_await_ticks_and_throw),
    T(test_reset_restarts_ids),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
