const { log } = require('./lib');
setTimeout(() => {
  log('outer');
  setTimeout(() => log('inner 0 (runs next round)'), 0);
  setImmediate(() => log('immediate from timer'));
  process.nextTick(() => log('tick from timer'));
}, 2);
setTimeout(() => log('sibling 2'), 2);
