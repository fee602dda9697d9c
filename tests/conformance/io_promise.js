const { log } = require('./lib');
const fsp = require('fs').promises;
async function main() {
  setTimeout(() => log('timeout 300'), 300);
  await fsp.stat(__filename);
  log('after await io');
  process.nextTick(() => log('tick after io'));
  setImmediate(() => log('immediate after io'));
  setTimeout(() => log('timeout 0 after io'), 0);
  await null;
  log('after second await');
}
main().then(() => log('main done'));
log('sync end');
