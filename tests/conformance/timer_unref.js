const { log } = require('./lib');
const t = setTimeout(() => log('unrefed never fires'), 500);
t.unref();
log('hasRef', t.hasRef());
const u = setTimeout(() => log('refed again fires'), 20);
u.unref(); u.ref();
setTimeout(() => log('short'), 5);
const iv = setInterval(() => log('unrefed interval never'), 1000);
iv.unref();
