const { log } = require('./lib');
setTimeout(() => {
  log('timer 1');
  Promise.resolve().then(() => { throw new Error('thrown in then'); });
}, 1);
setTimeout(() => log('timer 2 same list, never'), 1);
setTimeout(() => log('timer 3 later, never'), 5);
