const { log } = require('./lib');
async function failing() { log('failing starts'); await null; throw new Error('async failure nobody awaits'); }
failing();
Promise.resolve().then(() => log('microtask 1')).then(() => log('microtask 2')).then(() => log('microtask 3'));
setTimeout(() => log('timer never'), 0);
