const { log, show } = require('./lib');
const p = new Promise((resolve, reject) => { resolve('first'); reject(new Error('x')); resolve('second'); });
p.then((v) => log('p', v));
const q = new Promise((resolve, reject) => { reject(new Error('boom')); resolve('late'); });
q.then(null, (e) => log('q err', show(e)));
const r = new Promise(() => { throw new Error('executor threw'); });
r.catch((e) => log('r err', show(e)));
const s = new Promise((resolve) => { resolve('before throw'); throw new Error('ignored'); });
s.then((v) => log('s', v));
