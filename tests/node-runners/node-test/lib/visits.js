'use strict';
// A tiny persistent visit counter: one file per page under a directory,
// with an in-memory cache in front of it.
//
// The bug: hit() reads the count (from the cache, else from the file),
// awaits the load, then writes count + 1. Two hits on a page that is not
// cached yet can both miss the cache and both load the old count from the
// file: one visit is lost. It only happens when the second hit starts
// while the first one is still loading, which depends on the order in which
// the file system's completions and the timers come back.
const fs = require('fs');
const path = require('path');

class VisitStore {
  constructor(dir) {
    this.dir = dir;
    this.cache = new Map();
  }

  async init() {
    await fs.promises.mkdir(this.dir, { recursive: true });
    return this;
  }

  file(page) {
    return path.join(this.dir, encodeURIComponent(page) + '.count');
  }

  async load(page) {
    try {
      return Number(await fs.promises.readFile(this.file(page), 'utf8'));
    } catch (err) {
      if (err.code === 'ENOENT') return 0;
      throw err;
    }
  }

  async hit(page) {
    let n = this.cache.get(page);
    if (n === undefined) n = await this.load(page);   // <- across an await
    n += 1;
    this.cache.set(page, n);
    await fs.promises.writeFile(this.file(page), String(n));
    return n;
  }

  async count(page) {
    const n = this.cache.get(page);
    return n !== undefined ? n : this.load(page);
  }
}

module.exports = { VisitStore };
