// scenario: request_coalescer
// The in-flight entry is dropped when the fetch settles, before the decoded value is cached.
//
// get(key) returns the cached value, else joins the in-flight fetch, else starts
// one: `inflight.set(key, fetch(key).finally(() => inflight.delete(key)))`, then
// decodes the raw bytes (crypto.pbkdf2 stands in for a CPU-heavy decode: a
// thread-pool job) and caches the result. The fetch reads a file
// (fs.promises.readFile: pool jobs). Callers arrive at 0, 3 and 6 ms. On an idle
// machine fetch and decode are done before the second caller arrives. If the
// decode (or the fetch) is slow, a caller arriving after the fetch settled but
// before the cache was set finds neither the in-flight entry nor the cache and
// fetches again. The fix makes the in-flight entry the whole pipeline (fetch,
// decode, cache set) and deletes it only once the cache holds the value.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const fsp = fs.promises;
const { promisify } = require('util');
const pbkdf2 = promisify(crypto.pbkdf2);

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node request_coalescer.js buggy|fixed\n');
  process.exit(2);
}

const DIR = '/tmp/uvsim-js-request_coalescer';
fs.rmSync(DIR, { recursive: true, force: true });
fs.mkdirSync(DIR, { recursive: true });
fs.writeFileSync(DIR + '/user_1', 'alice');

let fetches = 0;
async function fetchRaw(key) {
  fetches++;
  return fsp.readFile(`${DIR}/${key}`);
}
async function decode(raw) {
  const key = await pbkdf2(raw, 'salt', 1000, 16, 'sha256');
  return { name: raw.toString(), digest: key.toString('hex') };
}

const cache = new Map();
const inflight = new Map();

async function getBuggy(key) {
  if (cache.has(key)) return cache.get(key);
  if (!inflight.has(key))
    inflight.set(key, fetchRaw(key).finally(() => inflight.delete(key)));
  const raw = await inflight.get(key);
  const value = await decode(raw);
  cache.set(key, value);
  return value;
}

function getFixed(key) {
  if (cache.has(key)) return Promise.resolve(cache.get(key));
  if (!inflight.has(key)) {
    const pipeline = (async () => {
      const value = await decode(await fetchRaw(key));
      cache.set(key, value);
      return value;
    })();
    inflight.set(key, pipeline.finally(() => inflight.delete(key)));
  }
  return inflight.get(key);
}

const get = variant === 'buggy' ? getBuggy : getFixed;

const results = [get('user_1')];
setTimeout(() => results.push(get('user_1')), 3);
setTimeout(async () => {
  results.push(get('user_1'));
  const values = await Promise.all(results);
  for (const v of values) assert.strictEqual(v.name, 'alice');
  console.log('values', values.map(v => v.digest).join(' '));
  assert.strictEqual(fetches, 1, 'request coalescer: the key was fetched more than once');
}, 6);
