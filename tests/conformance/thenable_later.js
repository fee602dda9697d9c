const { log } = require('./lib');
const thenable = { then(resolve) { log('then called'); setTimeout(() => { log('resolving'); resolve(42); }, 20); } };
new Promise((r) => r(thenable)).then((v) => log('value', v));
setTimeout(() => log('timer 1'), 1);
