// scenario: all_failfast
// Promise.all rejects fast while the work it leaves running writes a file after the cleanup.
//
// upload() stores the blob (fs.promises.mkdir of the tenant's directory, then
// fs.promises.writeFile: each step a thread-pool job) and scans it (crypto.pbkdf2 stands in for the scanner: a
// pool job; the payload is infected, so the scan rejects) under Promise.all;
// the catch removes the blob and marks the upload rejected. Promise.all rejects
// as soon as the scan does, while the store goes on. On an idle machine the
// store has created the file when the scan fails and the cleanup removes it.
// If the scan completes before the store created the file (a slow mkdir), the cleanup
// finds nothing and the store creates the blob afterwards: an infected blob
// stays on disk. The fix uses Promise.allSettled and cleans up once nothing is
// left running.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const fsp = fs.promises;
const { promisify } = require('util');
const pbkdf2 = promisify(crypto.pbkdf2);

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node all_failfast.js buggy|fixed\n');
  process.exit(2);
}

const BASE = '/tmp/uvsim-js-all_failfast';
const BLOB_DIR = BASE + '/blobs/tenant-7';
const BLOB = BLOB_DIR + '/upload-1';
fs.rmSync(BASE, { recursive: true, force: true });
fs.mkdirSync(BASE + '/blobs', { recursive: true });

const payload = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');

async function storeBlob() {
  await fsp.mkdir(BLOB_DIR, { recursive: true });
  await fsp.writeFile(BLOB, payload);
}
async function scan() {
  await pbkdf2(payload, 'signatures', 1000, 32, 'sha256');
  if (payload.includes('EICAR')) throw new Error('infected');
}
function removeBlob() { return fsp.rm(BLOB, { force: true }); }

let status = 'pending';
async function upload() {
  if (variant === 'buggy') {
    try {
      await Promise.all([storeBlob(), scan()]);
      status = 'stored';
    } catch (e) {
      await removeBlob();
      status = 'rejected';
    }
    return;
  }
  const [stored, scanned] = await Promise.allSettled([storeBlob(), scan()]);
  if (stored.status === 'fulfilled' && scanned.status === 'fulfilled') {
    status = 'stored';
  } else {
    await removeBlob();
    status = 'rejected';
  }
}

upload().then(() => console.log('upload', status));

process.on('beforeExit', () => {
  // everything has settled now, the buggy store included
  assert.strictEqual(status, 'rejected');
  assert.strictEqual(fs.existsSync(BLOB), false,
    'all_failfast: a rejected upload left its blob on disk');
});
