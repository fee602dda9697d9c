const { log, show } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
const after = (ms, v, fail) => new Promise((res, rej) => setTimeout(() => (fail ? rej(new Error(v)) : res(v)), ms));
// Timers are created in order of expiry, so a stalled main script cannot
// reorder them; the combinators below take them in another order.
const y = after(10, 'y', true);
const fast = after(30, 'fast');
const failsFirst = after(30, 'fails first', true);
const a = after(30, 'a', true);
const b = after(50, 'b');
const c = after(70, 'c');
const slow = after(100, 'slow');
const ok = after(100, 'ok');
Promise.race([slow, fast]).then((v) => log('race', v));
Promise.race([3, Promise.resolve(4)]).then((v) => log('race sync', v));
Promise.race([failsFirst, ok]).catch((e) => log('race err', show(e)));
Promise.any([a, b, c]).then((v) => log('any', v));
Promise.any([Promise.reject(new Error('x')), y]).catch((e) => log('any err', show(e), show(e.errors)));
Promise.resolve().then(tick);
