// scenario: lost_update_balance
// Read-modify-write of a balance across an await: a concurrent withdrawal is lost.
//
// withdraw(amount) reads the balance from a file (fs.promises.readFile: thread
// pool jobs), then writes balance - amount back (fs.promises.writeFile). Request
// 1 (30) starts at 0 ms, request 2 (50) at 2 ms. On an idle machine request 1
// has written before request 2 arrives. If one of request 1's pool jobs is slow
// (a 10 ms job), request 2 reads the old balance while request 1 is between its
// read and its write; the later write overwrites the earlier one and one
// withdrawal is lost (or request 2 reads the file while it is being rewritten).
// The fix serialises withdrawals with a promise-chain mutex
// (`lock = lock.then(() => withdraw(a))`), so each one reads only after the
// previous one wrote.
'use strict';
const assert = require('assert');
const fs = require('fs');
const fsp = fs.promises;

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node lost_update_balance.js buggy|fixed\n');
  process.exit(2);
}

const DIR = '/tmp/uvsim-js-lost_update_balance';
const FILE = DIR + '/balance';
fs.rmSync(DIR, { recursive: true, force: true });
fs.mkdirSync(DIR, { recursive: true });
fs.writeFileSync(FILE, '100');

const db = {
  async get() { return Number(await fsp.readFile(FILE, 'utf8')); },
  async put(value) { await fsp.writeFile(FILE, String(value)); },
};

async function withdraw(amount) {
  const balance = await db.get();
  await db.put(balance - amount);
  console.log('withdrew', amount);
}

let lock = Promise.resolve();
function request(amount) {
  if (variant === 'buggy') return withdraw(amount);
  const done = lock.then(() => withdraw(amount));
  lock = done.catch(() => {});
  return done;
}

const first = request(30);
setTimeout(async () => {
  await Promise.all([first, request(50)]);
  const balance = await db.get();
  console.log('final balance', balance);
  assert.strictEqual(balance, 20, 'lost update: the final balance is not 100 - 30 - 50');
}, 2);
