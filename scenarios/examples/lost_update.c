/* scenarios/examples/lost_update.c — two deposits into one balance, each a
 * read (pool job) followed by a write (pool job). The buggy variant lets the
 * second deposit read while the first is between its read and its write, so
 * one update is lost whenever the first deposit's read or write is slow
 * (one decisive decision). The fixed variant queues deposits per account. */
#include "mini.h"
#include "uvsim/scenario.h"
#include "uvsim/world.h"

typedef struct deposit {
  mini_ev ev;
  const char* name;
  const char* read_label;
  const char* write_label;
  int amount;
  int seen;
} deposit;

static struct {
  int balance;
  int busy;            /* fixed variant: a deposit is in flight      */
  deposit* waiting;    /* fixed variant: one queued deposit          */
  int serialise;
  deposit a, b;
  mini_ev start_b;
} lu;

static void deposit_start(deposit* d);

static void write_done(mini_ev* m) {
  deposit* d = (deposit*)m;
  lu.balance = d->seen + d->amount;
  uvsim_note(d->name);
  lu.busy = 0;
  if (lu.waiting) {
    deposit* next = lu.waiting;
    lu.waiting = NULL;
    deposit_start(next);
  }
}

static void read_done(mini_ev* m) {
  deposit* d = (deposit*)m;
  d->seen = lu.balance;
  mini_pool(&d->ev, d->write_label, write_done);
}

static void deposit_start(deposit* d) {
  if (lu.serialise && lu.busy) {
    lu.waiting = d;
    return;
  }
  lu.busy = 1;
  mini_pool(&d->ev, d->read_label, read_done);
}

static void start_b(mini_ev* m) {
  (void)m;
  deposit_start(&lu.b);
}

static void lost_update(int serialise) {
  lu.balance = 100;
  lu.busy = 0;
  lu.waiting = NULL;
  lu.serialise = serialise;
  lu.a = (deposit){ .name = "deposit a", .read_label = "fs.read a",
                    .write_label = "fs.write a", .amount = 10 };
  lu.b = (deposit){ .name = "deposit b", .read_label = "fs.read b",
                    .write_label = "fs.write b", .amount = 20 };
  deposit_start(&lu.a);
  mini_timer(&lu.start_b, "timer b", 2000000, start_b);
  mini_run();
  UVSIM_CHECK(lu.balance == 130, "balance %d after deposits of 10 and 20 into 100",
              lu.balance);
}

static void lost_update_buggy(void) { lost_update(0); }
static void lost_update_fixed(void) { lost_update(1); }

UVSIM_SCENARIO(lost_update, buggy, lost_update_buggy,
               .description = "two deposits read-modify-write one balance",
               .invariant = "final balance = initial + every deposit",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(lost_update, fixed, lost_update_fixed,
               .description = "two deposits, serialised per account",
               .invariant = "final balance = initial + every deposit",
               .expect = UVSIM_EXPECT_CLEAN);
