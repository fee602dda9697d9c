const { log } = require('./lib');
// then-callbacks registered on an already-resolved promise vs pending ones
let resolveP;
const p = new Promise((r) => { resolveP = r; });
p.then(() => log('p then 1'));
const q = Promise.resolve();
q.then(() => log('q then 1'));
resolveP();
p.then(() => log('p then 2'));
q.then(() => { log('q then 2'); process.nextTick(() => log('tick from q then 2')); });
queueMicrotask(() => log('queueMicrotask'));
p.then(() => log('p then 3')).then(() => log('p then 3 chained'));
