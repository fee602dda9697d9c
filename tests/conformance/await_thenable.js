const { log } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
async function f() { const v = await { then(r) { log('then called'); r('thenable'); } }; log('f got', v); }
f();
Promise.resolve().then(tick);
