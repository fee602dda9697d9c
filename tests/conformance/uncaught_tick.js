const { log } = require('./lib');
process.nextTick(() => { log('tick 1'); throw new Error('boom in tick'); });
process.nextTick(() => log('tick 2 never'));
Promise.resolve().then(() => log('microtask never'));
log('main end');
