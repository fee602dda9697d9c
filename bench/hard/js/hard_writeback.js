// scenario: hard_writeback
// A write-behind cache over a versioned store: a depth-3 lost update through
// the cache, its write queue and an expiry timer, across awaits.
//
//   set(v):    cache = v; queue (v, ++version); flush at the next turn
//   flush():   take the queue's newest entry; dirty = true;
//              await store.write(v, version); dirty = false
//   at 80 ms:  if nothing is queued and !dirty, cache = undefined  // expiry
//   at 500 ms: v = cache ?? await store.read(); set(v + 1)        // increment
//
// The client sets 1 at 0 ms and 2 at 50 ms; once every write has landed the
// store must hold 3. The store's calls are thread-pool jobs (crypto.pbkdf2
// stands in for the remote call) applied when they finish, and the store
// keeps the highest version (a late write of 1 does not undo 2). In the
// natural order each write lands at once, the expiry drops the cache at
// 80 ms and the increment reads 2 from the store.
//
// The bug: `dirty` is one flag for all writes in flight, so the first
// write's completion clears it while the second is still in flight; the
// expiry then drops the cached 2, and the increment reads 1 from the store.
// Three specific non-natural decisions, all in the tails: the first write
// must end after the second starts (50 ms) and after the expiry was due,
// so it takes 100 ms or more (pool_duration 4 to 6); the loop must wake
// late enough for the 80 ms timer that the first write has landed first
// (timer_lag 25 ms or more after a 100 ms write, 1 s or more after a 1 s
// one, 10 s after a 10 s one; node runs every due JS timer from one libuv
// timer, in the order they were due, so a lag past 500 ms still runs the
// expiry before the increment); and the second write must still be in
// flight when the increment's read lands, so it takes 1 s or more
// (pool_duration 5 or 6). The one other decision that matters, the lag of
// the 50 ms wake, must keep the second set before the expiry (0 to 25 ms,
// the natural one among them). Every other schedule stores 3.
//
// The fix: count the writes in flight; expire only when none is.
//
// Invariant: the store holds 3 when the loop has nothing left to do (an
// AssertionError otherwise). Not in scenarios/js/ (see hard_hedge.js);
// bench/hard/run_js.sh measures it.
'use strict';
const assert = require('assert');
const crypto = require('crypto');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node hard_writeback.js buggy|fixed\n');
  process.exit(2);
}

// The remote store: each call is a pool job, applied when it finishes.
const store = { value: 0, version: 0 };
function remote(name) {
  return new Promise((resolve, reject) =>
    crypto.pbkdf2(name, 'salt', 1, 16, 'sha256', (err) => (err ? reject(err) : resolve())));
}
async function storeWrite(value, version) {
  await remote(`write ${value}`);
  if (version > store.version) { store.value = value; store.version = version; }
}
async function storeRead() {
  await remote('read');
  return store.value;
}

// The cache in front of it.
let cached;
let version = 0;
let queue = [];
let flushSoon = null;
let dirty = false;    // buggy: one flag for every write in flight
let inFlight = 0;     // fixed: how many writes are in flight

function set(v) {
  cached = v;
  queue.push({ v, ver: ++version });
  if (!flushSoon) flushSoon = setImmediate(flush);
}

async function flush() {
  flushSoon = null;
  const last = queue[queue.length - 1];
  queue = [];
  dirty = true;
  inFlight++;
  await storeWrite(last.v, last.ver);
  dirty = false;
  inFlight--;
}

function busy() {
  return queue.length > 0 || (variant === 'fixed' ? inFlight > 0 : dirty);
}

set(1);
setTimeout(() => set(2), 50);
setTimeout(() => { if (!busy()) cached = undefined; }, 80);
setTimeout(async () => {
  const v = cached !== undefined ? cached : await storeRead();
  set(v + 1);
}, 500);

let checked = false;
process.on('beforeExit', () => {
  if (checked) return;
  checked = true;
  assert.strictEqual(store.value, 3, 'lost update: the increment read a stale value');
  console.log(`store holds ${store.value}`);
});
