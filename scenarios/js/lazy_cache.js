// scenario: lazy_cache
// Lazy singleton initialised across an await: two early callers both load it.
//
// getConfig() does `if (!config) config = await loadConfig()`; loadConfig reads
// and parses a file (fs.promises.readFile: several thread-pool jobs) and opens
// the connection pool it describes. Requests arrive at 0 ms and 2 ms. On an idle
// machine the load is done before the second request, which finds `config` set.
// If the load takes longer than the gap (one slow pool job), the second request
// also sees "not initialised" and loads again: a second connection pool is
// opened (leaked) and the two requests hold different config objects. The fix
// memoises the promise instead of the value (`configP ??= loadConfig()`), so
// every caller joins the one load.
'use strict';
const assert = require('assert');
const fs = require('fs');
const fsp = fs.promises;

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node lazy_cache.js buggy|fixed\n');
  process.exit(2);
}

const DIR = '/tmp/uvsim-js-lazy_cache';
const FILE = DIR + '/config.json';
fs.rmSync(DIR, { recursive: true, force: true });
fs.mkdirSync(DIR, { recursive: true });
fs.writeFileSync(FILE, JSON.stringify({ db: 'postgres://db.local/app', poolSize: 4 }));

let loads = 0;
async function loadConfig() {
  loads++;
  const config = JSON.parse(await fsp.readFile(FILE, 'utf8'));
  config.pool = { id: loads, size: config.poolSize };   // "opens" a connection pool
  return config;
}

let config;      // buggy: the value
let configP;     // fixed: the promise
async function getConfig() {
  if (variant === 'buggy') {
    if (!config) config = await loadConfig();
    return config;
  }
  return (configP ??= loadConfig());
}

async function handle(name) {
  const c = await getConfig();
  console.log(name, 'uses pool', c.pool.id);
  return c;
}

const r1 = handle('request 1');
setTimeout(async () => {
  const [c1, c2] = await Promise.all([r1, handle('request 2')]);
  assert.strictEqual(loads, 1, 'lazy cache: the config was loaded more than once');
  assert.strictEqual(c1, c2, 'lazy cache: the requests got different config objects');
}, 2);
