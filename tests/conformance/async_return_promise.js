const { log } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
async function direct() { return Promise.resolve('direct'); }
async function awaited() { return await Promise.resolve('awaited'); }
async function plain() { return 'plain'; }
direct().then((v) => log('result', v));
awaited().then((v) => log('result', v));
plain().then((v) => log('result', v));
Promise.resolve().then(tick);
