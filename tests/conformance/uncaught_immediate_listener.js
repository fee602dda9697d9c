const { log, show } = require('./lib');
process.on('uncaughtException', (e) => log('uncaughtException', show(e)));
setImmediate(() => { log('i1'); process.nextTick(() => log('i1 tick')); throw new Error('y'); });
setImmediate(() => log('i2'));
setImmediate(() => log('i3'));
