'use strict';
// Run directly (`node test/visits.test.js`): node 18's runner then runs the
// tests in this process, which is what `uvsim node` needs (`node --test`
// would spawn a child per file).
const test = require('node:test');
const assert = require('node:assert');
const os = require('os');
const path = require('path');
const fs = require('fs');
const { VisitStore } = require('../lib/visits');

let n = 0;
async function freshStore() {
  const dir = path.join(os.tmpdir(), `visits-${process.pid}-${++n}`);
  await fs.promises.rm(dir, { recursive: true, force: true });
  return new VisitStore(dir).init();
}

const later = (fn, ms) => new Promise((resolve, reject) => {
  setTimeout(() => fn().then(resolve, reject), ms);
});

test('a first hit counts 1', async () => {
  const store = await freshStore();
  assert.strictEqual(await store.hit('home'), 1);
  assert.strictEqual(await store.count('home'), 1);
});

test('pages are counted apart', async () => {
  const store = await freshStore();
  await store.hit('home');
  await store.hit('about');
  await store.hit('home');
  assert.strictEqual(await store.count('home'), 2);
  assert.strictEqual(await store.count('about'), 1);
});

test('counts survive a new store on the same directory', async () => {
  const store = await freshStore();
  await store.hit('home');
  await store.hit('home');
  const again = await new VisitStore(store.dir).init();
  assert.strictEqual(await again.count('home'), 2);
});

test('a visit a moment after another is counted', async () => {
  const store = await freshStore();
  await Promise.all([store.hit('home'), later(() => store.hit('home'), 1)]);
  assert.strictEqual(await store.count('home'), 2, 'a concurrent visit was lost');
});
