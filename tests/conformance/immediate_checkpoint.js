const { log } = require('./lib');
for (const name of ['i1', 'i2', 'i3']) {
  setImmediate(() => {
    log(name);
    process.nextTick(() => log(name + ' tick'));
    Promise.resolve().then(() => log(name + ' then'));
    setImmediate(() => log(name + ' child (next iteration)'));
  });
}
