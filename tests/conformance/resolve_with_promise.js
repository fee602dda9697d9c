const { log } = require('./lib');
// How many jobs does adopting a native promise cost? A ticker counts.
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
new Promise((resolve) => resolve(Promise.resolve('inner'))).then((v) => log('adopted', v));
Promise.resolve().then(tick);
