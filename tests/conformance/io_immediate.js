const { log, io } = require('./lib');
io(() => {
  log('io callback');
  setTimeout(() => log('timeout 0'), 0);
  setImmediate(() => log('immediate (always first after I/O)'));
  process.nextTick(() => log('tick in io'));
  Promise.resolve().then(() => log('then in io'));
});
