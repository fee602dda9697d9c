const { log, show } = require('./lib');
async function job(name, ms) {
  log('start', name);
  await new Promise((r) => setTimeout(r, ms));
  process.nextTick(() => log('tick after', name));
  log('end', name);
  if (name === 'bad') throw new Error('job ' + name + ' failed');
  return name;
}
Promise.all([job('a', 120), job('b', 40), job('c', 80)]).then((v) => log('all', show(v)));
Promise.allSettled([job('bad', 20), job('ok', 60)]).then((v) => log('settled', show(v)));
