// scenario: hard_hedge
// Hedged requests with a deadline: a late reply answers the caller a second time.
//
// fetch(cb) sends a request (crypto.pbkdf2 stands in for the remote call: a
// thread-pool job), hedges it with a second request after 50 ms and a third
// after 100 ms, and calls back ETIMEDOUT at 200 ms if no reply came. The
// first reply wins and stops the hedges and the deadline; later replies are
// dropped by an `answered` flag. The bug: the deadline answers without
// setting the flag, so a reply that comes after it answers again. It takes
// three slow requests, each a specific non-natural decision: the first
// (sent at 0) and the second (at 50) must take 1 s or more (pool_duration
// 5 or 6: a 100 ms job would answer at 100 or 150, before the deadline),
// and the third (at 100) 100 ms or more (4 to 6). Every other schedule
// answers once. The fix: the deadline sets the flag too.
//
// Invariant: the caller is answered exactly once (an AssertionError
// otherwise). Not in scenarios/js/: `uvsim run 'js-*'` expects bugs to be
// found within a few hundred schedules; bench/hard/run.sh measures this one.
'use strict';
const assert = require('assert');
const crypto = require('crypto');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node hard_hedge.js buggy|fixed\n');
  process.exit(2);
}

function rpc(name, cb) {
  crypto.pbkdf2(name, 'salt', 1, 16, 'sha256', (err) => cb(err, name));
}

function fetch(cb) {
  let answered = false;
  const hedges = [];
  function reply(err, from) {
    if (answered) return;
    answered = true;
    clearTimeout(deadline);
    hedges.forEach(clearTimeout);
    cb(err, from);
  }
  rpc('first', reply);
  hedges.push(setTimeout(() => rpc('second', reply), 50));
  hedges.push(setTimeout(() => rpc('third', reply), 100));
  const deadline = setTimeout(() => {
    if (variant === 'fixed') answered = true;
    hedges.forEach(clearTimeout);
    cb(new Error('ETIMEDOUT'));
  }, 200);
}

let answers = 0;
fetch((err, from) => {
  answers++;
  assert.strictEqual(answers, 1, 'the caller was answered twice');
  console.log(err ? 'timed out' : `answer from ${from}`);
});
