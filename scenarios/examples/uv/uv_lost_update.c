/* scenarios/examples/uv/uv_lost_update.c — the lost update on the real
 * libuv API (uv_queue_work + uv_timer on the virtual loop): two deposits,
 * each a pool "read" then a pool "write" of seen + amount, the second
 * started by a 1 ms timer. The buggy variant lets the second deposit read
 * while the first is between read and write; with the pool's natural
 * (instant) durations it never does, with a slow write it does. The fixed
 * variant chains the second deposit after the first. Built only when the
 * loop library is (see fuzz/CMakeLists.txt). */
#include <uv.h>

#include "uvsim/scenario.h"
#include "uvsim/world.h"

typedef struct deposit {
  uv_work_t req;
  int amount;
  int seen;
  int stage;
  struct deposit* next;   /* fixed variant: started when this one is done */
} deposit;

static struct {
  uv_loop_t loop;
  uv_timer_t timer;
  int balance;
  int chain;
  deposit a, b;
} st;

static void io(uv_work_t* req) { (void)req; /* the disk, off the loop thread */ }

static void after(uv_work_t* req, int status);

static void start(deposit* d) {
  d->stage = 0;
  uv_queue_work(&st.loop, &d->req, io, after);
}

static void after(uv_work_t* req, int status) {
  deposit* d = req->data;
  UVSIM_CHECK(status == 0, "pool job failed: %d", status);
  if (d->stage == 0) {
    d->seen = st.balance;
    d->stage = 1;
    uv_queue_work(&st.loop, &d->req, io, after);
    return;
  }
  st.balance = d->seen + d->amount;
  d->stage = 2;
  if (d->next) start(d->next);
}

static void on_timer(uv_timer_t* t) {
  if (st.chain && st.a.stage != 2) {
    st.a.next = &st.b;   /* a still in flight: b goes after it */
  } else {
    start(&st.b);
  }
  uv_close((uv_handle_t*)t, NULL);
}

static void run(int chain) {
  st.balance = 100;
  st.chain = chain;
  st.a = (deposit){ .amount = 10 };
  st.b = (deposit){ .amount = 20 };
  st.a.req.data = &st.a;
  st.b.req.data = &st.b;
  uv_loop_init(&st.loop);
  uv_timer_init(&st.loop, &st.timer);
  start(&st.a);
  uv_timer_start(&st.timer, on_timer, 1, 0);
  uv_run(&st.loop, UV_RUN_DEFAULT);
  uv_loop_close(&st.loop);
  UVSIM_CHECK(st.balance == 130, "balance %d after deposits of 10 and 20 into 100",
              st.balance);
}

static void buggy(void) { run(0); }
static void fixed(void) { run(1); }

UVSIM_SCENARIO(uv_lost_update, buggy, buggy,
               .description = "libuv: two deposits read-modify-write one balance",
               .invariant = "final balance = initial + every deposit",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(uv_lost_update, fixed, fixed,
               .description = "libuv: the second deposit waits for the first",
               .invariant = "final balance = initial + every deposit",
               .expect = UVSIM_EXPECT_CLEAN);
