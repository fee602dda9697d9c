const { log, show } = require('./lib');
const bad = { then() { throw new Error('then threw'); } };
const late = { then(resolve) { resolve('ok'); throw new Error('ignored'); } };
Promise.resolve(bad).then((v) => log('bad ok', v), (e) => log('bad err', show(e)));
Promise.resolve(late).then((v) => log('late ok', v), (e) => log('late err', show(e)));
