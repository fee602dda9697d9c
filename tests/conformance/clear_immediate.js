const { log } = require('./lib');
let b;
setImmediate(() => { log('a clears b'); clearImmediate(b); });
b = setImmediate(() => log('b never'));
const c = setImmediate(() => log('c never'));
clearImmediate(c);
setImmediate(() => { log('d'); process.nextTick(() => { log('tick clears e'); clearImmediate(e); }); });
const e = setImmediate(() => log('e never'));
setImmediate(() => log('f'));
