const { log, show } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
Promise.all([]).then((v) => log('all', show(v)));
Promise.allSettled([]).then((v) => log('allSettled', show(v)));
Promise.any([]).catch((e) => log('any', show(e), show(e.errors)));
Promise.race([]).then(() => log('race never'));
Promise.resolve().then(tick);
