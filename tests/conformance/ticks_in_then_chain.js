const { log } = require('./lib');
Promise.resolve(1)
  .then((v) => { log('then', v); process.nextTick(() => log('tick from then', v)); return v + 1; })
  .then((v) => { log('then', v); process.nextTick(() => log('tick from then', v)); return v + 1; })
  .then((v) => { log('then', v); });
process.nextTick(() => {
  log('tick 0');
  Promise.resolve().then(() => log('then from tick 0'));
  process.nextTick(() => log('tick from tick 0'));
});
