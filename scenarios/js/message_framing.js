// scenario: message_framing
// A TCP client takes each 'data' chunk for exactly one length-prefixed message.
//
// A loopback server (127.0.0.1, port 0) speaks length-prefixed frames (4-byte
// big-endian length, then the payload): it greets a client with "hello"; when
// the client sends "next\n" it answers "world" and ends the connection. The
// buggy client treats every 'data' event as one whole frame (and asks for the
// next one after the first 'data'). On an idle loopback each write arrives as
// one read, so it works; but TCP is a byte stream: a read may return part of a
// frame (a split read), and the client then sees garbled messages. The fixed
// client appends every chunk to a buffer and takes out each complete frame.
// (The server answers a request instead of sending "world" from a 1 ms timer
// like the C scenario: see README.md, the simulator can reorder the bytes of
// two writes made across a late timer.)
'use strict';
const assert = require('assert');
const net = require('net');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node message_framing.js buggy|fixed\n');
  process.exit(2);
}

function frame(text) {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

const server = net.createServer((sock) => {
  sock.write(frame('hello'));
  let request = '';
  sock.on('data', (d) => {
    request += d;
    if (request.includes('\n')) sock.end(frame('world'));
  });
});

server.listen(0, '127.0.0.1', () => {
  const received = [];
  const client = net.connect(server.address().port, '127.0.0.1');
  let pending = Buffer.alloc(0);
  client.on('data', (chunk) => {
    if (variant === 'buggy') {
      // one read = one frame: skip the header, the rest is the message
      received.push(chunk.subarray(4).toString());
      if (received.length === 1) client.write('next\n');
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const len = pending.readUInt32BE(0);
      if (pending.length < 4 + len) break;
      received.push(pending.subarray(4, 4 + len).toString());
      pending = pending.subarray(4 + len);
      if (received.length === 1) client.write('next\n');
    }
  });
  client.on('end', () => {
    server.close();
    console.log('received', JSON.stringify(received));
    assert.deepStrictEqual(received, ['hello', 'world'],
      'message framing: the client did not receive exactly "hello", "world"');
    assert.strictEqual(pending.length, 0, 'message framing: a partial frame was left over');
  });
});
