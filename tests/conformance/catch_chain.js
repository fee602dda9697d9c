const { log, show, logRethrow } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
Promise.reject(new Error('e1'))
  .then(() => log('skipped'))
  .catch(logRethrow('caught once'))
  .then(() => log('skipped 2'), (e) => { log('caught twice', show(e)); return 'fixed'; })
  .then((v) => log('value', v));
Promise.resolve(5).then(null, () => log('no')).then((v) => log('passed', v));
Promise.resolve().then(tick);
