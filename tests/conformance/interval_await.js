const { log } = require('./lib');
let n = 0;
const iv = setInterval(async () => {
  const me = ++n;
  log('interval start', me);
  await null;
  log('interval after await', me);
  await new Promise((r) => setImmediate(r));
  log('interval after immediate', me);
  if (me === 3) clearInterval(iv);
}, 10);
