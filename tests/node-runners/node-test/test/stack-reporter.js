'use strict';
// A node:test reporter that writes each failing test's error stack, as
// node prints an uncaught error ("AssertionError ...: message", then the
// "    at ..." frames). Used beside the spec reporter, sent to stderr: a
// test runner reports failures on stdout and just exits 1, while `uvsim
// node` names a failure by the error it finds on stderr.
module.exports = async function* stackReporter(source) {
  for await (const { type, data } of source) {
    if (type !== 'test:fail') continue;
    const err = data.details && data.details.error;
    const cause = (err && err.cause) || err;
    yield `test failed: ${data.name}\n${(cause && cause.stack) || String(cause)}\n`;
  }
};
