// scenario: late_listener
// An event listener attached after an await misses an event that already fired.
//
// main() starts deriving the database key from the password (crypto.pbkdf2: a
// thread-pool job) and creates a Db client, whose constructor resolves the
// database host (dns.lookup: a pool job) and emits 'ready' on the next tick
// after it. main() awaits the key and only then does db.on('ready', serve). On
// an idle machine the pool completes in submission order, so the listener is in
// place when 'ready' fires. If the lookup completes first (a pool-completion
// reorder or a slow key derivation), 'ready' fires with no listener, the server
// never starts and the process just exits. The fix: the emitter remembers that
// it is ready and replays to a late subscriber (db.onReady(cb)), like a
// promise does.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const dns = require('dns');
const EventEmitter = require('events');
const { promisify } = require('util');
const pbkdf2 = promisify(crypto.pbkdf2);

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node late_listener.js buggy|fixed\n');
  process.exit(2);
}

class Db extends EventEmitter {
  constructor(host) {
    super();
    this.ready = false;
    dns.lookup(host, { family: 4 }, (err, address) => {
      this.address = err ? null : address;
      process.nextTick(() => { this.ready = true; this.emit('ready'); });
    });
  }
  onReady(cb) {
    if (this.ready) process.nextTick(cb);
    else this.once('ready', cb);
  }
}

let served = 0;
function serve(db, key) {
  served++;
  console.log('serving with db at', db.address, 'key', key.toString('hex').slice(0, 8));
}

async function main() {
  const keyP = pbkdf2('s3cret', 'db-salt', 1000, 16, 'sha256');
  const db = new Db('localhost');
  const key = await keyP;
  if (variant === 'buggy') db.on('ready', () => serve(db, key));
  else db.onReady(() => serve(db, key));
}

main();
process.on('beforeExit', () => {
  assert.strictEqual(served, 1, 'late listener: the server never started ("ready" fired before anyone listened)');
});
