// scenario: parallel_delete
// Promise.all over recursive deletes whose paths overlap: one fails with ENOENT.
//
// rmrf(p) lstats p; a directory is listed and its children deleted in
// parallel, then removed; a file is unlinked (all fs.promises calls: thread-pool
// jobs). A cleanup list built from a glob holds a file and its parent, and both
// are deleted at once: Promise.all([rmrf('build/out.o'), rmrf('build')]). On an
// idle machine the pool completes in submission order: out.o is unlinked before
// build is listed. If the jobs complete in another order, build's listing still
// names a file the sibling delete removes meanwhile, and the recursive delete's
// lstat or unlink fails with ENOENT: the whole cleanup "fails". The fix treats
// ENOENT at any step as "already deleted" (`rm -f` semantics, what
// fs.rm(p, { recursive: true, force: true }) does).
'use strict';
const assert = require('assert');
const fs = require('fs');
const fsp = fs.promises;

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node parallel_delete.js buggy|fixed\n');
  process.exit(2);
}

const BASE = '/tmp/uvsim-js-parallel_delete';
fs.rmSync(BASE, { recursive: true, force: true });
fs.mkdirSync(BASE + '/build/obj', { recursive: true });
for (const f of ['build/out.o', 'build/obj/a.o', 'build/obj/b.o']) fs.writeFileSync(`${BASE}/${f}`, f);

async function gone(step) {
  try {
    return await step();
  } catch (e) {
    if (variant === 'fixed' && e.code === 'ENOENT') return null;   // already deleted
    throw e;
  }
}

async function rmrf(p) {
  const st = await gone(() => fsp.lstat(p));
  if (st === null) return;
  if (st.isDirectory()) {
    const children = (await gone(() => fsp.readdir(p))) || [];
    await Promise.all(children.map((c) => rmrf(`${p}/${c}`)));
    await gone(() => fsp.rmdir(p));
  } else {
    await gone(() => fsp.unlink(p));
  }
}

const targets = ['build/out.o', 'build/obj/a.o', 'build'].map((t) => `${BASE}/${t}`);
Promise.all(targets.map(rmrf)).then(
  () => {
    assert.strictEqual(fs.existsSync(BASE + '/build'), false, 'parallel delete: build still exists');
    console.log('cleaned');
  },
  (e) => { throw new Error(`parallel delete: the cleanup failed with ${e.code}`); });
