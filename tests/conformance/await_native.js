const { log } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
async function f() { const v = await Promise.resolve('native'); log('f got', v); const p = new Promise((r) => setTimeout(() => r('later'), 2)); log('f got', await p); }
f();
Promise.resolve().then(tick);
