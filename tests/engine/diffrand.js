// tests/engine/diffrand.js SEED [ROOTS] — random differential test, JS side.
// Generates a random forest of scheduling operations from SEED, prints it as
// "SPEC <text>", then runs it under real node: every node prints its id when
// it runs, then schedules its children. diffrand.c runs the same SPEC on the
// engine; the outputs must be identical. Only deterministic operations (no
// timers: node reads the real clock for those).
'use strict';
const seed = Number(process.argv[2] || 1);
const roots = Number(process.argv[3] || 60);
// seed -> state: not a multiple of the increment, or seeds would be shifts
let s = ((BigInt(seed) << 32n) ^ 0x5851f42d4c957f2dn) & 0xffffffffffffffffn;
function rnd(n) { // splitmix64
  s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  z = z ^ (z >> 31n);
  return Number(z % BigInt(n));
}
const KINDS = 'TMPADYRFWIZXSNK';
let nextId = 0;
function gen(depth) {
  const node = { k: KINDS[rnd(KINDS.length)], id: nextId++, c: [] };
  const n = depth >= 4 ? 0 : rnd(depth === 0 ? 4 : 3);
  for (let i = 0; i < n; i++) node.c.push(gen(depth + 1));
  return node;
}
const forest = [];
for (let i = 0; i < roots; i++) forest.push(gen(0));
const enc = (n) => n.k + (n.c.length ? '(' + n.c.map(enc).join(',') + ')' : '');
console.log('SPEC ' + forest.map(enc).join(','));

const out = [];
function run(n) { out.push(n.id); for (const c of n.c) schedule(c); }
function schedule(n) {
  switch (n.k) {
    case 'T': process.nextTick(() => run(n)); break;
    case 'M': queueMicrotask(() => run(n)); break;
    case 'P': Promise.resolve().then(() => run(n)); break;
    case 'A': (async () => { await null; run(n); })(); break;
    case 'D': new Promise((r) => r(Promise.resolve())).then(() => run(n)); break;
    case 'Y': Promise.resolve({ then(r) { r(); } }).then(() => run(n)); break;
    case 'R': Promise.reject(0).catch(() => run(n)); break;
    case 'F': Promise.resolve().finally(() => run(n)); break;
    case 'W': Promise.all([Promise.resolve(1), 2]).then(() => run(n)); break;
    case 'I': setImmediate(() => run(n)); break;
    case 'Z': (async () => Promise.resolve())().then(() => run(n)); break;
    case 'X': Promise.resolve().then(() => Promise.resolve()).then(() => run(n)); break;
    case 'S': Promise.allSettled([Promise.reject(1), 2]).then(() => run(n)); break;
    case 'N': Promise.race([Promise.resolve(1), 2]).then(() => run(n)); break;
    case 'K': Promise.any([Promise.reject(1), Promise.resolve(2)]).then(() => run(n)); break;
  }
}
for (const n of forest) schedule(n);
process.on('exit', () => {
  for (let i = 0; i < out.length; i += 20) console.log(out.slice(i, i + 20).join(' '));
});
