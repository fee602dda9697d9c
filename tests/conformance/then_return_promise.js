const { log } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
Promise.resolve(1)
  .then((v) => Promise.resolve(v + 1))
  .then((v) => { log('from promise', v); return v + 1; })
  .then((v) => log('plain', v));
Promise.resolve().then(tick);
