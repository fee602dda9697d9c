const { log } = require('./lib');
setTimeout(() => log('timer 0'), 1);
setTimeout(() => { log('timer 1'); process.nextTick(() => log('tick never')); throw new Error('boom in timer'); }, 1);
setTimeout(() => log('timer 2 never'), 1);
