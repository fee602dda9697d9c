const { log } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
async function f() { log('f start'); const v = await 7; log('f got', v); const w = await 8; log('f got', w); return 'done'; }
f().then((v) => log('f result', v));
Promise.resolve().then(tick);
log('sync end');
