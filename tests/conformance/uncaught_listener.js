const { log, show } = require('./lib');
process.on('uncaughtException', (e) => log('uncaughtException', show(e)));
process.nextTick(() => { throw new Error('from tick'); });
process.nextTick(() => log('tick 2 still runs'));
setTimeout(() => log('timer runs'), 1);
