const { log } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 5) Promise.resolve().then(tick); };
const thenable = { then(resolve) { log('then called'); resolve('from thenable'); resolve('again'); } };
Promise.resolve(thenable).then((v) => log('adopted', v));
Promise.resolve().then(tick);
log('sync end');
