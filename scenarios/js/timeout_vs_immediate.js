// scenario: timeout_vs_immediate
// Start-up code assumes setImmediate runs before setTimeout(0) in the main script.
//
// A library defers opening its connection to setImmediate; the application
// warms its cache "as soon as possible" with setTimeout(..., 0) and uses the
// connection. In the main script the order of a 0 ms timeout and an immediate
// is not defined: it depends on whether a millisecond passed before the loop
// started (node 18 on a busy machine usually runs the timeout first). When the
// timeout runs first, db.conn is still null and the warm-up throws a
// TypeError. The fix: the library exposes a ready promise and the application
// awaits it before using the connection. Under the simulator this order is the
// start-up decision that `uvsim node` models (UVSIM_START_LAG_MS=1: its natural
// order is node 18's, timeout first); with libuvsim.so preloaded by hand and no
// start-up lag, the immediate always runs first and the buggy variant passes.
'use strict';

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node timeout_vs_immediate.js buggy|fixed\n');
  process.exit(2);
}

// the library
const db = { conn: null };
db.ready = new Promise((resolve) => {
  setImmediate(() => {
    db.conn = { query: (q) => console.log('query', q) };
    resolve();
  });
});

// the application
let warmed = 0;
setTimeout(async () => {
  if (variant === 'fixed') await db.ready;
  db.conn.query('warmup');
  warmed++;
}, 0);

process.on('beforeExit', () => {
  if (warmed !== 1) throw new Error('timeout_vs_immediate: the warm-up did not run exactly once');
});
