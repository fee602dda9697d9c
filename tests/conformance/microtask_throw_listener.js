const { log, show } = require('./lib');
process.on('uncaughtException', (e) => log('uncaughtException', show(e)));
queueMicrotask(() => { log('m1'); throw new Error('x'); });
queueMicrotask(() => log('m2'));
Promise.resolve().then(() => log('p3'));
setTimeout(() => log('timer'), 1);
