/* scenarios/timeout_vs_immediate.c — start-up code that assumes
 * setImmediate runs before setTimeout(0).
 *
 *   // a library defers opening its connection to the next turn
 *   const db = { conn: null };
 *   setImmediate(() => { db.conn = open(); });
 *   // the application warms its cache "as soon as possible"
 *   setTimeout(() => db.conn.query('warmup'), 0);          // buggy
 *
 * Invariant: no uncaught exception (TypeError: db.conn is null) and the
 * warm-up query runs.
 *
 * The bug: in the main script the order of a 0 ms timeout and an immediate
 * is not defined: it depends on whether a millisecond has passed when the
 * loop starts (node 20 here prints the immediate first in most runs, node
 * 18 the timeout first). Choice 0 is "no time passed" (immediate first), so
 * the program works on an idle machine; the other order (one decision,
 * timeout_vs_immediate) throws.
 *
 * The fix: the library exposes a ready promise; the application awaits it.
 */
#include "scn.h"

static struct {
  int fixed;
  int conn_open;
  int warmed;
  uvsim_promise* ready;
} tv;

static void open_conn(void* data) {
  (void)data;
  tv.conn_open = 1;
  uvsim_promise_resolve(tv.ready, uvsim_undefined());
}

static void warmup(void) {
  if (!tv.conn_open) {
    uvsim_throw(uvsim_error_new("TypeError", NULL,
                                "Cannot read properties of null (reading 'query')"));
    return;
  }
  tv.warmed++;
}

static void warmup_timer(void* data) {
  (void)data;
  warmup();
}

static uvsim_value warmup_when_ready(uvsim_value v, void* data) {
  (void)v, (void)data;
  warmup();
  return uvsim_undefined();
}

static void warmup_timer_fixed(void* data) {
  (void)data;
  uvsim_then(tv.ready, warmup_when_ready, NULL, NULL);
}

static void timeout_vs_immediate(int fixed) {
  memset(&tv, 0, sizeof tv);
  tv.fixed = fixed;
  scn_begin();
  tv.ready = uvsim_promise_new();
  uvsim_set_immediate_l(open_conn, NULL, "lib: open connection");
  uvsim_set_timeout_l(fixed ? warmup_timer_fixed : warmup_timer, NULL, 0, "app: warm up");
  if (scn_run()) UVSIM_CHECK(tv.warmed == 1, "warm-up ran %d times", tv.warmed);
  scn_end();
}

static void timeout_vs_immediate_buggy(void) { timeout_vs_immediate(0); }
static void timeout_vs_immediate_fixed(void) { timeout_vs_immediate(1); }

UVSIM_SCENARIO(timeout_vs_immediate, buggy, timeout_vs_immediate_buggy,
               .description = "start-up code assumes setImmediate runs before setTimeout(0)",
               .invariant = "no uncaught TypeError; the warm-up runs once",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(timeout_vs_immediate, fixed, timeout_vs_immediate_fixed,
               .description = "the warm-up awaits the library's ready promise",
               .invariant = "no uncaught TypeError; the warm-up runs once",
               .expect = UVSIM_EXPECT_CLEAN);
