// scenario: debounce
// The async debounce of seed 004: a call made while a save is pending joins it, dropping the latest version.
//
// debounce(save, 50) returns a function that clears the pending timer and,
// only when no promise is pending, creates one whose 50 ms timer runs the save
// (fs.promises.writeFile: thread-pool jobs). The user types v1 at 0 ms and v2
// at 60 ms. On an idle machine the first save is done long before 60 ms. If the
// first save is slow, or the 50 ms timer runs so late that it fires together
// with the 60 ms one, the call at 60 ms finds the promise still pending, clears
// a timer that already fired and returns that promise: v2 is never written.
// The fix: every call re-arms the timer and records the latest arguments; the
// timer hands them, with every caller waiting since the last save, to a chained
// (ordered) save.
'use strict';
const assert = require('assert');
const fs = require('fs');
const fsp = fs.promises;

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node debounce.js buggy|fixed\n');
  process.exit(2);
}

const DIR = '/tmp/uvsim-js-debounce';
const FILE = DIR + '/document.txt';
fs.rmSync(DIR, { recursive: true, force: true });
fs.mkdirSync(DIR, { recursive: true });

function debounceBuggy(fn, delay) {          // seed 004
  let timeoutId;
  let pending = null;
  return (...args) => {
    clearTimeout(timeoutId);
    if (!pending) {
      pending = new Promise((resolve) => {
        timeoutId = setTimeout(async () => {
          const result = await fn(...args);
          pending = null;
          resolve(result);
        }, delay);
      });
    }
    return pending;
  };
}

function debounceFixed(fn, delay) {
  let timer = null;
  let latest;
  let waiters = [];
  let chain = Promise.resolve();
  return (...args) => {
    latest = args;
    clearTimeout(timer);
    const p = new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    timer = setTimeout(() => {
      const batch = waiters;
      const a = latest;
      waiters = [];
      chain = chain.then(() => fn(...a)).then(
        (r) => batch.forEach((w) => w.resolve(r)),
        (e) => batch.forEach((w) => w.reject(e)));
    }, delay);
    return p;
  };
}

const saved = [];
async function save(text) {
  await fsp.writeFile(FILE, text);
  saved.push(text);
  return text;
}

const debounced = (variant === 'buggy' ? debounceBuggy : debounceFixed)(save, 50);
let settled = 0;
debounced('v1').then((r) => { settled++; console.log('caller 1 saw', r); });
setTimeout(() => {
  debounced('v2').then((r) => { settled++; console.log('caller 2 saw', r); });
}, 60);

process.on('beforeExit', () => {
  assert.strictEqual(settled, 2, 'debounce: a caller waits forever (nothing was saved)');
  assert.strictEqual(saved[saved.length - 1], 'v2', 'debounce: the last version typed was not saved last');
  assert.strictEqual(fs.readFileSync(FILE, 'utf8'), 'v2', 'debounce: the file does not hold the last version');
});
