const { log } = require('./lib');
log('main');
Promise.reject(new Error('nobody catches this'));
process.nextTick(() => log('tick runs first'));
Promise.resolve().then(() => log('microtask runs first'));
setTimeout(() => log('timer never runs'), 0);
setImmediate(() => log('immediate never runs'));
