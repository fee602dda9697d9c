// bench/engine/bench.js — the JS side of bench_engine.c: node bench.js KIND N
'use strict';
const [kind, nArg] = process.argv.slice(2);
const n = Number(nArg);
let remaining = n;
const t0 = process.hrtime.bigint();
const done = () => {
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${kind} ${n} ${Math.round(n / dt)}`);
};
if (kind === 'microtask') {
  const micro = () => { if (--remaining > 0) queueMicrotask(micro); else done(); };
  queueMicrotask(micro);
} else if (kind === 'tick') {
  const tick = () => { if (--remaining > 0) process.nextTick(tick); else done(); };
  process.nextTick(tick);
} else if (kind === 'then') {
  let resolveFirst;
  let p = new Promise((r) => { resolveFirst = r; });
  for (let i = 0; i < n; i++) p = p.then((v) => v + 1);
  p.then(done);
  resolveFirst(0);
} else if (kind === 'await') {
  (async () => { for (let i = 0; i < n; i++) await i; done(); })();
} else {
  console.error(`bench.js: unknown kind '${kind}'`);
  process.exit(2);
}
