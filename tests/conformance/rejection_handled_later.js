const { log, show } = require('./lib');
process.on('unhandledRejection', (r) => { log('unhandledRejection', show(r)); });
process.on('rejectionHandled', () => log('rejectionHandled'));
const p = Promise.reject(new Error('first'));
Promise.reject(42);
process.nextTick(() => log('tick before report'));
setTimeout(() => {
  log('timer attaches');
  p.catch((e) => log('caught', show(e)));
  process.nextTick(() => log('tick after attach'));
}, 2);
