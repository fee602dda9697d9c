const { log, show } = require('./lib');
// How values print (lib.js show() vs uvsim_value_fmt), incl. JS number formatting.
const nums = [0, -0, 1, -7, 0.1, 0.5, 1 / 3, 123.456, 1e21, 1.5e-7, 2 ** 53, 1e-7, 123456789012345680000, -2.5e-10, NaN, Infinity, 1e-6, 0.000001234, 5e-324, 1.7976931348623157e308, 100, 1e20, -1e21, 4.35];
for (const x of nums) log('num', show(x));
log(show(undefined), show(null), show(true), show(false), show('str'));
log(show([1, 'a', null, undefined, [2.5, []]]));
Promise.resolve(0.1 + 0.2).then((v) => log('then', show(v)));
