const { log } = require('./lib');
const sleep = (ms, v) => new Promise((r) => setTimeout(() => r(v), ms));
async function worker(name, ms) {
  for (let i = 0; i < 3; i++) { const v = await sleep(ms, i); log(name, v); }
  return name + ' done';
}
Promise.all([worker('a', 5), worker('b', 200)]).then((v) => log('all', v.join('+')));
