const { log } = require('./lib');
let n = 0;
const iv = setInterval(() => {
  n++;
  log('interval', n);
  process.nextTick(() => log('tick after interval', n));
  if (n === 4) clearInterval(iv);
}, 10);
setTimeout(() => log('timeout 300 after all intervals'), 300);
