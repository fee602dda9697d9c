const { log, show } = require('./lib');
let resolveIt;
const p = new Promise((r) => { resolveIt = r; });
p.then((v) => log('ok', v), (e) => log('rejected', show(e)));
resolveIt(p);
const q = Promise.resolve(1).then(() => q);
q.catch((e) => log('q rejected', show(e)));
