const { log } = require('./lib');
let n = 0;
const iv = setInterval(() => {
  n++;
  log('interval', n);
  process.nextTick(() => log('tick after interval', n));
  if (n === 4) clearInterval(iv);
}, 5);
setTimeout(() => log('timeout 50 after all intervals'), 50);
