/* scenarios/hard/hard_failover.c — name resolution with failover: ask the
 * primary resolver; after 200 ms without an answer ask the secondary, after
 * 400 ms the tertiary; the first answer starts the connection (a pool job:
 * TCP + TLS set-up).
 *
 *   resolve(primary, onAddr);
 *   setTimeout(() => resolve(secondary, onAddr), 200);
 *   setTimeout(() => resolve(tertiary, onAddr), 400);
 *   function onAddr(addr) {                       // buggy
 *     if (state === 'connected') return;          // forgets 'connecting'
 *     state = 'connecting'; connect(addr, () => { state = 'connected'; });
 *   }
 *
 * Invariant: one connection is opened.
 *
 * The bug, three steps: the primary and the secondary are slow (1 s or
 * more each, so the tertiary is asked), the tertiary answers, and the
 * connection it starts is still being set up when a late answer comes
 * (set-up of 1 s or more): a second connection. Three specific non-natural
 * decisions, each in the slow tail. Measured (bench/hard/README.md): a
 * second, shallower path exists: primary 1 s and set-up 1 s (two tail
 * decisions), the primary's answer landing during the tertiary's set-up.
 *
 * The fix: any answer after the first is ignored. */
#include "hard.h"

#define FO_FAILOVER_MS 200

static struct {
  int fixed;
  int state;          /* 0 idle, 1 connecting, 2 connected */
  int connects;
  uv_timer_t failover;
  int asked;
  uv_work_t primary, secondary, tertiary, connect_req[3];
} fo;

static void on_connected(uv_work_t* req, int status) {
  (void)req, (void)status;
  fo.state = 2;
}

static void on_addr(const char* from) {
  if (fo.state == 2) return;
  if (fo.fixed && fo.state == 1) return;
  fo.state = 1;
  fo.connects++;
  UVSIM_CHECK(fo.connects == 1, "%d connections opened (the last for the %s's answer)",
              fo.connects, from);
  hard_job(&fo.connect_req[fo.connects - 1], NULL, on_connected);
}

static void on_primary(uv_work_t* req, int status) {
  (void)req, (void)status;
  hard_close(&fo.failover);
  on_addr("primary");
}

static void on_secondary(uv_work_t* req, int status) {
  (void)req, (void)status;
  hard_close(&fo.failover);
  on_addr("secondary");
}

static void on_tertiary(uv_work_t* req, int status) {
  (void)req, (void)status;
  on_addr("tertiary");
}

static void on_failover(uv_timer_t* t) {
  if (++fo.asked == 1) {
    hard_job(&fo.secondary, NULL, on_secondary);
    uv_timer_start(t, on_failover, FO_FAILOVER_MS, 0);
    return;
  }
  hard_close(t);
  hard_job(&fo.tertiary, NULL, on_tertiary);
}

static void failover(int fixed) {
  memset(&fo, 0, sizeof fo);
  fo.fixed = fixed;
  scn_begin();
  hard_job(&fo.primary, NULL, on_primary);
  hard_timer(&fo.failover, NULL, on_failover, FO_FAILOVER_MS);
  scn_run();
  scn_end();
}

static void failover_buggy(void) { failover(0); }
static void failover_fixed(void) { failover(1); }

UVSIM_SCENARIO(hard_failover, buggy, failover_buggy,
               .description = "a late primary DNS answer during set-up opens a second connection",
               .invariant = "one connection is opened",
               .expect = UVSIM_EXPECT_BUG, .flags = UVSIM_SCN_HARD, .runs = 300);
UVSIM_SCENARIO(hard_failover, fixed, failover_fixed,
               .description = "resolver failover; the first answer wins",
               .invariant = "one connection is opened",
               .expect = UVSIM_EXPECT_CLEAN, .flags = UVSIM_SCN_HARD, .runs = 300);
