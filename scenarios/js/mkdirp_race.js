// scenario: mkdirp_race
// Two concurrent `mkdir -p` built from stat-then-mkdir: one fails with EEXIST.
//
// mkdirp(dir) walks the prefixes of dir: fs.promises.stat each one and, on
// ENOENT, fs.promises.mkdir it (both thread-pool jobs). Request 1 creates
// .../data/cache/a at 0 ms, request 2 .../data/cache/b at 2 ms. On an idle
// machine request 1 is done before request 2 starts. If a stat of request 1 is
// slow, request 2 creates a shared prefix between request 1's stat (ENOENT) and
// its mkdir, which then fails with EEXIST: check-then-act. The fix does not
// check at all: `fs.promises.mkdir(dir, { recursive: true })` creates what is
// missing and treats an existing directory as success.
'use strict';
const assert = require('assert');
const fs = require('fs');
const fsp = fs.promises;
const path = require('path');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node mkdirp_race.js buggy|fixed\n');
  process.exit(2);
}

const BASE = '/tmp/uvsim-js-mkdirp_race';
fs.rmSync(BASE, { recursive: true, force: true });
fs.mkdirSync(BASE, { recursive: true });

async function mkdirpBuggy(dir) {
  const rel = path.relative(BASE, dir).split('/');
  for (let i = 1; i <= rel.length; i++) {
    const p = path.join(BASE, ...rel.slice(0, i));
    try {
      await fsp.stat(p);
      continue;
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    await fsp.mkdir(p);
  }
}

async function mkdirp(dir) {
  try {
    if (variant === 'buggy') await mkdirpBuggy(dir);
    else await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new Error(`mkdirp race: mkdir -p failed with ${e.code}`);
  }
  console.log('created', dir);
}

const r1 = mkdirp(BASE + '/data/cache/a');
setTimeout(async () => {
  await Promise.all([r1, mkdirp(BASE + '/data/cache/b')]);
  const entries = (await fsp.readdir(BASE + '/data/cache')).sort();
  assert.deepStrictEqual(entries, ['a', 'b'], 'mkdirp race: a directory is missing');
}, 2);
