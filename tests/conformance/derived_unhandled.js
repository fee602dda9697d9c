const { log, show } = require('./lib');
process.on('unhandledRejection', (r, p) => log('unhandled', show(r)));
const p = Promise.reject(new Error('root'));
p.catch((e) => log('root handled', show(e)));
p.then((v) => log('never', v)); // derived promise rejects, unhandled
Promise.reject(new Error('also')).finally(() => log('finally ran'));
