'use strict';
const assert = require('assert');
const os = require('os');
const path = require('path');
const { Journal } = require('../lib/journal');

const later = (fn, ms) => new Promise((resolve, reject) => {
  setTimeout(() => fn().then(resolve, reject), ms);
});

describe('Journal', function () {
  let file;
  let n = 0;

  beforeEach(function () {
    file = path.join(os.tmpdir(), `journal-${process.pid}-${++n}.jsonl`);
  });

  it('starts empty', async function () {
    assert.deepStrictEqual(await new Journal(file).read(), []);
  });

  it('keeps entries in order', async function () {
    const j = new Journal(file);
    await j.append({ op: 'open' });
    await j.append({ op: 'close' });
    assert.deepStrictEqual((await j.read()).map((e) => e.op), ['open', 'close']);
  });

  it('is shared by two journals on the same file', async function () {
    await new Journal(file).append({ op: 'a' });
    await new Journal(file).append({ op: 'b' });
    assert.strictEqual((await new Journal(file).read()).length, 2);
  });

  it('keeps an entry appended while another is being written', async function () {
    const j = new Journal(file);
    await Promise.all([
      j.append({ op: 'deposit', amount: 10 }),
      later(() => j.append({ op: 'deposit', amount: 20 }), 1),
    ]);
    const total = (await j.read()).reduce((sum, e) => sum + e.amount, 0);
    assert.strictEqual(total, 30, 'an appended entry was lost');
  });
});
