'use strict';
// A mocha root hook: each failing test's error stack on stderr, as node
// prints an uncaught error ("AssertionError ...: message", then the
// "    at ..." frames). mocha's reporter writes failures on stdout and the
// process just exits with the number of failures, while `uvsim node`
// names a failure by the error it finds on stderr.
exports.mochaHooks = {
  afterEach() {
    const t = this.currentTest;
    if (t && t.state === 'failed' && t.err) {
      process.stderr.write(`test failed: ${t.fullTitle()}\n${t.err.stack || t.err}\n`);
    }
  },
};
