// tests/node/node_forkserver.sh's program that makes V8 collect garbage:
// timers build and drop arrays of objects, enough for scavenges in every
// run and a mark-compact (global.gc, from --expose-gc, and the old space
// filling). V8 posts each collection's job tasks to node's platform
// workers; under uvsim node libuvsim-det.so runs them on the main thread
// (loop/det/det.c), so a run forked by the fork server, which has no
// workers, collects as a started one does. What it prints follows the
// order of its timers and its seed.
const crypto = require('crypto');
const order = [];
let keep = [];
function churn(tag, n) {
  const a = [];
  for (let i = 0; i < n; i++) a.push({ tag, i, s: 'x' + i, v: [i, i + 1] });
  keep.push(a.slice(0, n >> 4));    /* some of it survives, to old space */
  order.push(tag + ':' + a.length);
}
for (let t = 0; t < 4; t++) setTimeout(() => churn("t" + t, 100000), 1 + (t & 1));
setImmediate(() => { if (global.gc) global.gc(); order.push('gc'); });
setTimeout(() => { keep = []; if (global.gc) global.gc(); order.push('drop'); }, 3);
process.on('exit', () => {
  console.log(order.join(' '), Math.random().toFixed(6),
              crypto.randomBytes(4).toString('hex'));
  if (order.indexOf('gc') > 2) process.exitCode = 3;
});
