const { log, show } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
const later = new Promise((r) => setTimeout(() => r('late'), 2));
Promise.allSettled([1, Promise.reject(new Error('bad')), later, { then(_, rej) { rej('thenable no'); } }])
  .then((v) => log('settled', show(v)));
Promise.resolve().then(tick);
