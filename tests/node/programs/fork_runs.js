// tests/node/node_forkserver.sh's program: what it prints follows its
// schedule (three timers, a file read and a stat, an immediate, a promise)
// and its seed (Math.random and crypto in callbacks), on stdout and
// stderr, and its exit status follows the order (3 when the immediate
// beat the timers).
const fs = require('fs');
const crypto = require('crypto');
const order = [];
for (let i = 0; i < 3; i++) setTimeout(() => order.push('t' + i), 1);
fs.readFile(__filename, () => {
  order.push('read');
  fs.stat(__filename, () => order.push('stat'));
});
setImmediate(() => order.push('imm'));
Promise.resolve().then(() => order.push('p'));
process.on('exit', () => {
  console.log(order.join(' '), Math.random().toFixed(6),
              crypto.randomBytes(4).toString('hex'), Date.now());
  console.error('second', order[1]);
  if (order[1] === 'imm') process.exitCode = 3;
});
