const { log } = require('./lib');
log('main start');
Promise.resolve().then(() => log('then 1'));
queueMicrotask(() => log('microtask 1'));
process.nextTick(() => log('tick 1'));
Promise.resolve().then(() => log('then 2'));
process.nextTick(() => log('tick 2'));
log('main end');
