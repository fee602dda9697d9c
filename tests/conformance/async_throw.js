const { log, show } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
async function inner() { await null; throw new Error('inner failed'); }
async function outer() { log('outer start'); await inner(); log('not reached'); }
async function guarded() {
  try { await inner(); } catch (e) { log('guarded caught', show(e)); return 'recovered'; }
}
outer().catch((e) => log('outer rejected', show(e)));
guarded().then((v) => log('guarded', v));
Promise.resolve().then(tick);
