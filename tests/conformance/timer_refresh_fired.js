const { log } = require('./lib');
let k = 0;
const t = setTimeout(() => {
  log('t fired', ++k);
}, 10);
setTimeout(() => { log('refresh after fire'); t.refresh(); }, 100);
const c = setTimeout(() => log('cleared never'), 10);
clearTimeout(c);
setTimeout(() => { log('refresh cleared'); c.refresh(); }, 30);
