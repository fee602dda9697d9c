const { log, show } = require('./lib');
const p = Promise.reject(new Error('late but in time'));
process.nextTick(() => p.catch((e) => log('caught in tick', show(e))));
const q = Promise.reject(new Error('in microtask'));
Promise.resolve().then(() => q.catch((e) => log('caught in microtask', show(e))));
setTimeout(() => log('timer runs'), 1);
