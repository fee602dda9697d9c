const { log } = require('./lib');
queueMicrotask(() => { log('m1'); throw new Error('x'); });
queueMicrotask(() => log('m2 never'));
process.nextTick(() => log('t1'));
setTimeout(() => log('timer never'), 1);
