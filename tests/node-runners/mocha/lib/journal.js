'use strict';
// A tiny append-only journal: JSON lines in one file.
//
// The bug: append() reads the whole file, awaits, then writes it back with
// the new line (a read-modify-write across awaits). Two appends that
// overlap both read the same old content and the second write drops the
// first one's line. They only overlap when the second append starts while
// the first is still reading or writing, which depends on the order in
// which the file system's completions and the timers come back.
const fs = require('fs');

class Journal {
  constructor(file) {
    this.file = file;
  }

  async read() {
    let text;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (err) {
      if (err.code === 'ENOENT') return [];
      throw err;
    }
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  async append(entry) {
    const entries = await this.read();
    entries.push(entry);
    await fs.promises.writeFile(this.file,
      entries.map((e) => JSON.stringify(e) + '\n').join(''));
    return entries.length;
  }
}

module.exports = { Journal };
