// bench/node/app.js — a small ordinary program: a file written and read
// back, a loopback echo, a few timers and promises.
const fs = require('fs');
const net = require('net');
let pending = 3;
const done = () => { if (--pending === 0) console.log('done'); };
fs.promises.writeFile('/tmp/bench.txt', 'x'.repeat(4096))
  .then(() => fs.promises.readFile('/tmp/bench.txt')).then(done);
const srv = net.createServer(s => s.pipe(s));
srv.listen(0, '127.0.0.1', () => {
  const c = net.connect(srv.address().port, '127.0.0.1', () => c.end('ping'));
  c.on('data', () => {});
  c.on('close', () => { srv.close(); done(); });
});
let n = 0;
const t = setInterval(() => { if (++n === 5) { clearInterval(t); done(); } }, 10);
