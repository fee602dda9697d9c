/* scenarios/late_listener.c — an event listener attached after an await.
 *
 *   class Db extends EventEmitter {
 *     constructor() { super();
 *       dns.lookup('db.local', () => process.nextTick(() => this.emit('ready')));
 *     }                                                  // pool job
 *   }
 *   async function main() {                              // buggy
 *     const creds = readCredentials();                   // pool job
 *     const db = new Db();
 *     await creds;
 *     db.on('ready', serve);
 *   }
 *
 * Invariant: the server starts (serve ran once).
 *
 * The bug: 'ready' is emitted whenever the lookup completes; the listener is
 * attached only after the credentials are read. On an idle machine the jobs
 * complete in submission order (credentials first), so the listener is in
 * place in time. If the lookup completes first (a pool-completion reorder
 * or a slow credentials read: one decision), the event fires with no
 * listener and the server never starts: the process just exits.
 *
 * The fix: the emitter remembers that it is ready and replays the event to
 * a late subscriber (`onReady(cb)`: if ready, nextTick(cb)), like
 * `events.once` on a state, or `server.listening`.
 */
#include "scn.h"

static struct {
  int fixed;
  int ready;           /* the Db has emitted 'ready' (fixed: remembered) */
  uvsim_cb listener;   /* the one 'ready' listener                       */
  int served;
  int emitted;
} ll;

static void serve(void* data) {
  (void)data;
  ll.served++;
}

static void emit_ready(void* data) {
  (void)data;
  ll.emitted++;
  ll.ready = 1;
  if (ll.listener) ll.listener(NULL);
}

static uvsim_value looked_up(uvsim_value v, void* data) {
  (void)v, (void)data;
  uvsim_next_tick_l(emit_ready, NULL, "db.emit('ready')");
  return uvsim_undefined();
}

static void db_new(void) {
  uvsim_then(scn_job("dns.lookup db.local"), looked_up, NULL, NULL);
}

static void db_on_ready(uvsim_cb cb) {
  ll.listener = cb;
  /* fixed: a late subscriber gets the event replayed */
  if (ll.fixed && ll.ready) uvsim_next_tick_l(cb, NULL, "replay 'ready'");
}

typedef struct main_frame {
  uvsim_async a;
  uvsim_promise* creds;
} main_frame;

static void main_fn(uvsim_async* a) {
  main_frame* f = (main_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  f->creds = scn_job("fs.readFile credentials");
  db_new();
  UVSIM_AWAIT(f, uvsim_promise_value(f->creds));
  db_on_ready(serve);
  UVSIM_ASYNC_END(f);
}

static void late_listener(int fixed) {
  memset(&ll, 0, sizeof ll);
  ll.fixed = fixed;
  scn_begin();
  main_frame* f;
  SCN_ASYNC(main_frame, main_fn, f);
  if (scn_run())
    UVSIM_CHECK(ll.served == 1, "server started %d times ('ready' emitted %d times "
                "before its listener was attached)", ll.served, ll.emitted);
  scn_end();
}

static void late_listener_buggy(void) { late_listener(0); }
static void late_listener_fixed(void) { late_listener(1); }

UVSIM_SCENARIO(late_listener, buggy, late_listener_buggy,
               .description = "'ready' listener attached after an await misses the event",
               .invariant = "the server starts exactly once",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(late_listener, fixed, late_listener_fixed,
               .description = "the emitter replays 'ready' to a late subscriber",
               .invariant = "the server starts exactly once",
               .expect = UVSIM_EXPECT_CLEAN);
