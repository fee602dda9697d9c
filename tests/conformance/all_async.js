const { log, show } = require('./lib');
async function job(name, ms) {
  log('start', name);
  await new Promise((r) => setTimeout(r, ms));
  process.nextTick(() => log('tick after', name));
  log('end', name);
  if (name === 'bad') throw new Error('job ' + name + ' failed');
  return name;
}
// timers are created in order of expiry (a stall cannot reorder them)
Promise.allSettled([job('bad', 20), job('ok', 60)]).then((v) => log('settled', show(v)));
Promise.all([job('a', 70), job('b', 90), job('c', 110)]).then((v) => log('all', show(v)));
