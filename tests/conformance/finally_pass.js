const { log, show } = require('./lib');
let n = 0;
const tick = () => { log('tick', ++n); if (n < 6) Promise.resolve().then(tick); };
Promise.resolve('v').finally(() => { log('finally 1'); return 'ignored'; }).then((v) => log('after finally', v));
Promise.reject(new Error('r')).finally(() => log('finally 2')).catch((e) => log('still rejected', show(e)));
Promise.resolve('w').finally(() => { throw new Error('finally threw'); }).catch((e) => log('replaced', show(e)));
Promise.resolve('x').finally(() => Promise.reject(new Error('finally rejected'))).catch((e) => log('replaced', show(e)));
Promise.resolve('y').finally(() => new Promise((r) => setTimeout(r, 3))).then((v) => log('delayed', v));
Promise.resolve().then(tick);
