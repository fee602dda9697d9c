// bench/exec/node.sh's program: a small Node program (two timers, a file
// read and a promise racing), as a test of a library might be.
const fs = require('fs');
const order = [];
setTimeout(() => order.push('t1'), 1);
setTimeout(() => order.push('t2'), 1);
fs.readFile(__filename, () => order.push('read'));
Promise.resolve().then(() => order.push('p'));
process.on('exit', () => console.log(order.join(' ')));
