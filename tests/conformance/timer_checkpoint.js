const { log } = require('./lib');
for (const name of ['t1', 't2', 't3']) {
  setTimeout(() => {
    log(name);
    process.nextTick(() => log(name + ' tick'));
    Promise.resolve().then(() => log(name + ' then'));
  }, 0);
}
