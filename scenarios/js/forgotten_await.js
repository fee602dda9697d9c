// scenario: forgotten_await
// A promise started early gets its rejection handler only after another await.
//
// handle() starts two thread-pool jobs: listing the uploads (fs.promises.readdir)
// and appending to an audit log (fs.promises.appendFile, which fails: the audit
// directory is missing). It awaits the listing first, and only then does
// `try { await audit } catch {}`. On an idle machine the jobs complete in
// submission order, so the handler is attached before the audit write fails.
// If the audit write completes first (a pool-completion reorder or a slow
// readdir), its promise rejects with no handler: Node >= 15 reports an
// unhandled rejection and the process dies, although the code "handles" it.
// The fix attaches the handler when the promise is created
// (`writeAudit(...).catch(...)`).
'use strict';
const assert = require('assert');
const fs = require('fs');
const fsp = fs.promises;

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node forgotten_await.js buggy|fixed\n');
  process.exit(2);
}

const BASE = '/tmp/uvsim-js-forgotten_await';
fs.rmSync(BASE, { recursive: true, force: true });
fs.mkdirSync(BASE + '/uploads', { recursive: true });
for (const f of ['a.png', 'b.png']) fs.writeFileSync(`${BASE}/uploads/${f}`, f);

let auditFailures = 0;
async function writeAudit(line) {
  try {
    await fsp.appendFile(BASE + '/audit/audit.log', line + '\n');
  } catch (e) {
    // the audit volume is not mounted: ENOENT
    throw new Error(`audit log write failed: ${e.code}`);
  }
}

async function handle(user) {
  const listing = fsp.readdir(BASE + '/uploads');
  let audit = writeAudit(`list ${user}`);
  if (variant === 'fixed') audit = audit.catch(() => { auditFailures++; });
  const files = await listing;
  try { await audit; } catch (e) { auditFailures++; }
  return files.sort().join(',');
}

handle('alice').then((page) => {
  console.log('page', page);
  assert.strictEqual(page, 'a.png,b.png');
  assert.strictEqual(auditFailures, 1);
});
