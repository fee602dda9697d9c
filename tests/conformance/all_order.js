const { log, show } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
const thenable = { then(r) { r('th'); } };
Promise.all([1, Promise.resolve(2), thenable]).then((v) => log('all', show(v)));
Promise.all([Promise.resolve(1), Promise.reject(new Error('nope')), Promise.reject(new Error('second'))])
  .then((v) => log('all ok/err', show(v)), (e) => log('all ok/err', show(e)));
Promise.resolve().then(tick);
