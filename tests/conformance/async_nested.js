const { log } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 8) Promise.resolve().then(tick); };
async function leaf(v) { await null; log('leaf', v); return v * 2; }
async function mid(v) { const a = await leaf(v); log('mid got', a); return a + 1; }
async function top() { const b = await mid(5); log('top got', b); }
top().then(() => log('top done'));
Promise.resolve().then(tick);
