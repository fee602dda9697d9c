// tests/conformance/lib.js — what the C twins' conf.h offers, in JS:
// show() renders values exactly as uvsim_value_fmt does.
'use strict';
function fmt(v, top) {
  if (v === undefined) return top ? 'undefined' : 'null';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string') return '"' + v + '"';
  if (v instanceof Error) return v.name + ': ' + v.message;
  if (Array.isArray(v)) return '[' + v.map((x) => fmt(x, false)).join(',') + ']';
  if (v && (v.status === 'fulfilled' || v.status === 'rejected')) {
    return v.status === 'fulfilled'
      ? '{"status":"fulfilled","value":' + fmt(v.value, false) + '}'
      : '{"status":"rejected","reason":' + fmt(v.reason, false) + '}';
  }
  return '{}';
}
const show = (v) => (typeof v === 'string' ? v : fmt(v, true));
const log = (...a) => console.log(a.join(' '));
const logValue = (label) => (v) => { log(label, show(v)); };
const logAndPass = (label) => (v) => { log(label, show(v)); return v; };
const logRethrow = (label) => (v) => { log(label, show(v)); throw v; };
// "I/O": a real poll-phase callback, like the C twins' uv_queue_work.
const io = (cb) => require('fs').stat(__filename, () => cb());
// Pay node's lazy start-up costs (the stdout stream, the timers module) now,
// before a program creates timers whose relative order it prints.
void process.stdout;
clearTimeout(setTimeout(() => {}, 1));
module.exports = { show, log, logValue, logAndPass, logRethrow, io };
