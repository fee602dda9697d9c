// scenario: nexttick_starvation
// Waiting for a flag with recursive process.nextTick starves the event loop.
//
// The index is loaded with fs.readFile (thread-pool jobs), whose callback sets
// `index`. A query arriving at 2 ms calls whenReady(search), which runs search
// if the index is loaded and otherwise polls again with process.nextTick. On an
// idle machine the read is done before the query arrives. If the read is slow,
// the nextTick chain never lets the loop move on to the poll phase where the
// read would complete: the process spins forever. (A poll counter turns the
// spin into an exception after 100000 polls.) The fix: no polling; whenReady
// queues the callback and the read's completion runs the queue.
'use strict';
const assert = require('assert');
const fs = require('fs');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node nexttick_starvation.js buggy|fixed\n');
  process.exit(2);
}

const DIR = '/tmp/uvsim-js-nexttick_starvation';
fs.rmSync(DIR, { recursive: true, force: true });
fs.mkdirSync(DIR, { recursive: true });
fs.writeFileSync(DIR + '/index.json', JSON.stringify({ apple: 1, banana: 2, cherry: 3 }));

const MAX_POLLS = 100000;
let index = null;
const waiting = [];
fs.readFile(DIR + '/index.json', 'utf8', (err, text) => {
  if (err) throw err;
  index = JSON.parse(text);
  for (const cb of waiting.splice(0)) cb();
});

let polls = 0;
function whenReady(cb) {
  if (index) return cb();
  if (variant === 'fixed') return waiting.push(cb);
  if (++polls > MAX_POLLS)
    throw new Error('nexttick starvation: whenReady() kept polling with process.nextTick; the event loop is starved');
  process.nextTick(whenReady, cb);
}

let answered = 0;
setTimeout(() => whenReady(() => {
  answered++;
  console.log('banana ->', index.banana);
}), 2);
process.on('beforeExit', () => {
  assert.strictEqual(answered, 1, 'nexttick starvation: the query was not answered');
});
