const { log } = require('./lib');
setTimeout(() => {
  log('outer');
  setTimeout(() => log('inner 0 (a later timers phase)'), 0);
  setImmediate(() => log('immediate from timer (check phase first)'));
  process.nextTick(() => log('tick from timer'));
  Promise.resolve().then(() => log('then from timer'));
}, 2);
