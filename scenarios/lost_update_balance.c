/* scenarios/lost_update_balance.c — the balance example of the seed documents.
 * (Registered as lost_update_balance: scenarios/examples/ already has a
 * lost_update on the bare sim, which the fuzz tests use by name.)
 *
 *   async function withdraw(amount) {
 *     const balance = await db.get('balance');      // pool job
 *     await db.put('balance', balance - amount);    // pool job
 *   }
 *   withdraw(30);                                   // request 1, at 0 ms
 *   setTimeout(() => withdraw(50), 2);              // request 2, at 2 ms
 *
 * Invariant: the final balance is the initial balance minus every
 * withdrawal (100 - 30 - 50 = 20), and both requests completed.
 *
 * The bug: request 2 reads the balance while request 1 is between its read
 * and its write. On an idle machine request 1's two queries finish long
 * before request 2 arrives; it takes a slow query of request 1 (a pool job
 * of 10 ms, one decision) for the reads to interleave.
 *
 * The fix: a promise-chain mutex, `lock = lock.then(() => withdraw(a))`,
 * so each withdrawal reads only after the previous one wrote.
 *
 * The database row is read when the read query completes and written when
 * the write query completes (the value was computed when it was sent). */
#include "scn.h"

#define LU_INITIAL 100

typedef struct withdraw_frame {
  uvsim_async a;
  int amount;
  int seen;
} withdraw_frame;

static struct {
  int balance;
  int completed;
  uvsim_promise* lock;   /* fixed: the tail of the promise-chain mutex */
  int fixed;
} lu;

static void withdraw(uvsim_async* a) {
  withdraw_frame* f = (withdraw_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT(f, uvsim_promise_value(scn_job("db.get balance")));
  f->seen = lu.balance;
  UVSIM_AWAIT(f, uvsim_promise_value(scn_job("db.put balance")));
  lu.balance = f->seen - f->amount;
  lu.completed++;
  UVSIM_ASYNC_END(f);
}

static uvsim_promise* withdraw_call(int amount) {
  withdraw_frame* f;
  uvsim_promise* p;
  f = uvsim_alloc(sizeof *f);
  f->amount = amount;
  p = uvsim_async_call(&f->a, withdraw);
  return p;
}

/* lock.then(() => withdraw(amount), () => withdraw(amount)) */
static uvsim_value locked_step(uvsim_value v, void* data) {
  (void)v;
  return uvsim_promise_value(withdraw_call((int)(intptr_t)data));
}

static void request(int amount) {
  if (!lu.fixed) {
    withdraw_call(amount);
    return;
  }
  lu.lock = uvsim_then(lu.lock, locked_step, locked_step, (void*)(intptr_t)amount);
}

static void second_request(void* data) {
  (void)data;
  request(50);
}

static void lost_update(int fixed) {
  memset(&lu, 0, sizeof lu);
  lu.balance = LU_INITIAL;
  lu.fixed = fixed;
  scn_begin();
  lu.lock = uvsim_promise_from(uvsim_undefined());
  request(30);
  uvsim_set_timeout_l(second_request, NULL, 2, "request 2 arrives");
  if (scn_run()) {
    UVSIM_CHECK(lu.completed == 2, "%d of 2 withdrawals completed", lu.completed);
    UVSIM_CHECK(lu.balance == LU_INITIAL - 30 - 50,
                "balance %d after withdrawing 30 and 50 from 100: an update was lost",
                lu.balance);
  }
  scn_end();
}

static void lost_update_buggy(void) { lost_update(0); }
static void lost_update_fixed(void) { lost_update(1); }

UVSIM_SCENARIO(lost_update_balance, buggy, lost_update_buggy,
               .description = "two withdrawals read-modify-write a balance across await",
               .invariant = "final balance = initial - every withdrawal",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(lost_update_balance, fixed, lost_update_fixed,
               .description = "withdrawals serialised by a promise-chain mutex",
               .invariant = "final balance = initial - every withdrawal",
               .expect = UVSIM_EXPECT_CLEAN);
