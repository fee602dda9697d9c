const { log } = require('./lib');
process.nextTick(() => {
  log('tick A');
  process.nextTick(() => log('tick A.tick'));
  queueMicrotask(() => {
    log('tick A.micro');
    process.nextTick(() => log('tick A.micro.tick'));
    queueMicrotask(() => log('tick A.micro.micro'));
  });
});
queueMicrotask(() => {
  log('micro B');
  process.nextTick(() => log('micro B.tick'));
  queueMicrotask(() => log('micro B.micro'));
});
process.nextTick(() => log('tick C'));
