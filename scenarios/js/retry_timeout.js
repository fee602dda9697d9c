// scenario: retry_timeout
// Retry with backoff racing an overall timeout: the callback is called twice.
//
// fetchWithRetry(cb) arms an overall 8 ms timeout that calls back ETIMEDOUT;
// each attempt races the request (crypto.pbkdf2 stands in for the remote call:
// a thread-pool job) against a 5 ms per-attempt timeout, and a failed attempt
// is retried 1 ms later, up to 3 attempts. On an idle machine the first attempt
// succeeds at once. If the first attempt is slow (it loses its 5 ms race) and
// the retry succeeds only after the overall timeout fired (a slow second
// attempt, or a late retry timer), the caller gets ETIMEDOUT and then a second
// callback with the result. The fix: a settled flag, checked before every
// callback and before every retry, so the callback runs exactly once and the
// retries stop once the caller has its answer.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const { promisify } = require('util');
const pbkdf2 = promisify(crypto.pbkdf2);

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node retry_timeout.js buggy|fixed\n');
  process.exit(2);
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let attempts = 0;
async function request() {
  attempts++;
  const key = await pbkdf2('payload', 'salt', 1000, 8, 'sha256');
  return key.toString('hex');
}

function fetchWithRetry(cb) {
  let settled = false;
  const finish = (err, res) => {
    if (variant === 'fixed') {
      if (settled) return;
      settled = true;
    }
    cb(err, res);
  };
  const overall = setTimeout(() => finish(new Error('ETIMEDOUT')), 8);
  (function attempt(i) {
    Promise.race([request(), delay(5).then(() => { throw new Error('attempt timed out'); })])
      .then(
        (res) => { clearTimeout(overall); finish(null, res); },
        (err) => {
          if (variant === 'fixed' && settled) return;      // the caller has its answer
          if (i < 3) setTimeout(() => attempt(i + 1), 1);
          else { clearTimeout(overall); finish(err); }
        });
  })(1);
}

let calls = 0;
fetchWithRetry((err, res) => {
  calls++;
  assert.strictEqual(calls, 1, 'retry_timeout: the callback was called more than once');
  console.log(err ? `failed: ${err.message}` : `result ${res}`);
});

process.on('beforeExit', () => {
  assert.strictEqual(calls, 1, 'retry_timeout: the callback was not called exactly once');
});
