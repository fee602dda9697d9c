/* scenarios/hard/hard_overtake.c — 12 requests of one stream sent 100 ms
 * apart through the 4-worker pool; their acknowledgements are applied in
 * sequence order, early ones held back until the gap below them closes.
 *
 *   for (k = 1..12) at k*100 ms: send(k, ack)
 *   ack(k): if (k == next) { apply(k); drain(held) }
 *           else if (missingBelow(k) <= 3) held.add(k)
 *           else apply(k)        // buggy: "cannot be that far behind"
 *
 * Invariant: acknowledgements are applied in sequence order.
 *
 * The bug: the client was written for a network that reorders a little,
 * and applies an acknowledgement that overtakes four still-missing ones
 * at once. With requests 100 ms apart, request k overtakes k-1 to k-4 only
 * if each of those four takes 1 s or more (pool_duration 5 or 6; 100 ms
 * would tie with the next send) while k itself is quicker: four specific
 * non-natural decisions among the run's 12 durations, 12 timer lags and
 * the pool's completion orders (with three overtaken, random found it in
 * 1 run of 570). One slow request overtaken by any number of quick ones is
 * held correctly.
 *
 * The fix: hold back whatever is early, however far. */
#include "hard.h"

#define OT_N 12
#define OT_GAP_MS 100
#define OT_HOLES 3

static struct {
  int fixed;
  int sent, next;        /* next: the sequence number to apply next */
  int buffer[OT_N], nbuffer;   /* acknowledgements held back */
  uv_timer_t send;
  uv_work_t req[OT_N];
} ot;

static void apply(int k) {
  UVSIM_CHECK(k == ot.next, "acknowledgement %d applied while %d was expected", k, ot.next);
  ot.next = k + 1;
}

static void drain(void) {
  for (int again = 1; again;) {
    again = 0;
    for (int i = 0; i < ot.nbuffer; i++) {
      if (ot.buffer[i] != ot.next) continue;
      apply(ot.buffer[i]);
      ot.buffer[i] = ot.buffer[--ot.nbuffer];
      again = 1;
      break;
    }
  }
}

static void on_ack(uv_work_t* req, int status) {
  (void)status;
  int k = (int)(intptr_t)req->data;
  if (k == ot.next) {
    apply(k);
    drain();
    return;
  }
  int missing = k - ot.next;   /* below k, not applied, not held */
  for (int i = 0; i < ot.nbuffer; i++)
    if (ot.buffer[i] < k) missing--;
  if (ot.fixed || missing <= OT_HOLES) ot.buffer[ot.nbuffer++] = k;
  else apply(k);   /* buggy: "it cannot be that far behind" */
}

static void on_send(uv_timer_t* t) {
  int k = ++ot.sent;
  hard_job(&ot.req[k - 1], (void*)(intptr_t)k, on_ack);
  if (ot.sent == OT_N) hard_close(t);
}

static void overtake(int fixed) {
  memset(&ot, 0, sizeof ot);
  ot.fixed = fixed;
  ot.next = 1;
  scn_begin();
  uv_timer_init(scn_loop, &ot.send);
  uv_timer_start(&ot.send, on_send, OT_GAP_MS, OT_GAP_MS);
  if (scn_run()) UVSIM_CHECK(ot.next == OT_N + 1 && ot.nbuffer == 0,
                             "%d of %d acknowledgements applied", ot.next - 1, OT_N);
  scn_end();
}

static void overtake_buggy(void) { overtake(0); }
static void overtake_fixed(void) { overtake(1); }

UVSIM_SCENARIO(hard_overtake, buggy, overtake_buggy,
               .description = "12 streamed requests: an ack overtaking four missing ones is applied out of order",
               .invariant = "acknowledgements are applied in sequence order",
               .expect = UVSIM_EXPECT_BUG, .flags = UVSIM_SCN_HARD, .runs = 300);
UVSIM_SCENARIO(hard_overtake, fixed, overtake_fixed,
               .description = "12 streamed requests: early acks held back however far ahead",
               .invariant = "acknowledgements are applied in sequence order",
               .expect = UVSIM_EXPECT_CLEAN, .flags = UVSIM_SCN_HARD, .runs = 300);
