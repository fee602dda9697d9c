// scenario: write_after_close
// A keep-alive client reuses a pooled connection that the server is closing for idleness.
//
// A loopback server (127.0.0.1, port 0) answers each request line with "OK" and
// closes a connection that stayed idle for 5 ms after an answer (a keep-alive
// timeout). The client sends request 1, puts the connection in its pool, and
// 4 ms after the answer sends request 2 on the pooled connection. On an idle
// machine request 2 arrives 1 ms before the idle timeout. If the answer takes
// longer to arrive (network latency) or the client's 4 ms timer runs late, the
// server has already closed: request 2 is written after the peer's FIN (write
// after end / EPIPE), reaches a closed socket (ECONNRESET), or the connection
// ends before the answer ("socket hang up"). The fix drops connections that
// ended or failed from the pool and retries a request that failed on a reused
// connection before any byte of its answer once, on a fresh connection (safe
// for an idempotent request; what Node's http agent does).
'use strict';
const net = require('net');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node write_after_close.js buggy|fixed\n');
  process.exit(2);
}

const KEEP_ALIVE_TIMEOUT = 5;

const server = net.createServer((sock) => {
  let idle = null;
  let buf = '';
  sock.on('error', () => {});             // a client that resets is not the server's problem
  sock.on('data', (d) => {
    clearTimeout(idle);
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      buf = buf.slice(i + 1);
      sock.write('OK\n');
    }
    idle = setTimeout(() => sock.destroy(), KEEP_ALIVE_TIMEOUT);
  });
  sock.on('close', () => clearTimeout(idle));
});

let port;
const pool = [];             // idle keep-alive connections
const all = [];

function connect() {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    all.push(sock);
    sock.setEncoding('utf8');
    sock.once('connect', () => { sock.off('error', reject); resolve(sock); });
    sock.once('error', reject);
    if (variant === 'fixed') {
      const drop = () => { const i = pool.indexOf(sock); if (i >= 0) pool.splice(i, 1); };
      sock.on('end', drop);
      sock.on('close', drop);
      sock.on('error', drop);
    }
  });
}

// Sends one line and waits for one answer line on `sock`.
function exchange(sock, line) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) { done(); resolve(buf.slice(0, i)); }
    };
    const onError = (err) => { done(); reject(err); };
    const onClose = () => onError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    function done() {
      sock.off('data', onData);
      sock.off('error', onError);
      sock.off('close', onClose);
    }
    sock.on('data', onData);
    sock.on('error', onError);
    sock.on('close', onClose);
    sock.write(line + '\n', (err) => { if (err) onError(err); });
  });
}

async function request(line) {
  const reused = pool.length > 0;
  const sock = reused ? pool.shift() : await connect();
  let answer;
  try {
    answer = await exchange(sock, line);
  } catch (err) {
    if (variant === 'buggy' || !reused) {
      throw new Error(`${line} failed on a ${reused ? 'reused' : 'fresh'} connection: ${err.code}`);
    }
    sock.destroy();
    return request(line);                 // once more: the pool no longer holds it
  }
  pool.push(sock);
  return answer;
}

server.listen(0, '127.0.0.1', async () => {
  port = server.address().port;
  const a1 = await request('GET /1');
  console.log('answer 1', a1);
  await new Promise((r) => setTimeout(r, 4));
  const a2 = await request('GET /2');
  console.log('answer 2', a2);
  for (const s of all) { s.on('error', () => {}); s.destroy(); }
  server.close();
});
