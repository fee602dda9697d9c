// Everything a program can observe follows the seed: the wall clock,
// monotonic time, Math.random, crypto randomness, os information, and the
// order of pool, timer and socket callbacks.
const crypto = require('crypto');
const net = require('net');
const fs = require('fs');
console.log('date', new Date().toISOString(), Date.now());
console.log('hrtime', process.hrtime.bigint() > 0n, performance.now() >= 0);
console.log('random', Math.random(), crypto.randomBytes(8).toString('hex'),
            crypto.randomUUID());
crypto.pbkdf2('pw', 'salt', 1, 8, 'sha1', (e, k) => console.log('pbkdf2', k.toString('hex')));
fs.writeFile('/tmp/o.txt', 'x', () => fs.readFile('/tmp/o.txt', 'utf8', (e, t) => console.log('file', t)));
setTimeout(() => console.log('timer', Date.now()), 1500);
setImmediate(() => console.log('immediate'));
const srv = net.createServer(s => s.end('hello from the server'));
srv.listen(0, '127.0.0.1', () => {
  const c = net.connect(srv.address().port, '127.0.0.1');
  const chunks = [];
  c.on('data', d => chunks.push(d.length));
  c.on('end', () => { console.log('chunks', chunks.join(',')); srv.close(); });
});
