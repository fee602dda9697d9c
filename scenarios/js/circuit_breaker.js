// scenario: circuit_breaker
// Seed 004's CircuitBreaker: the half-open state lets every call through until the probe settles.
//
// The breaker (threshold 2 failures, 20 ms open timeout) guards a backend that
// is down for its first 10 ms; a backend call reads a file (fs.promises.readFile:
// thread-pool jobs). Requests come at 0, 1, 25 and 27 ms. The first two fail and
// open the breaker; at 25 ms it goes half-open and lets a probe through. On an
// idle machine the probe is answered before the request at 27 ms, which finds
// the breaker closed again. If the probe is slow, or the 25 ms timer runs late
// enough to fire together with the 27 ms one, the request at 27 ms sees
// 'half-open' too and a second probe hits the recovering backend. The fix:
// half-open admits exactly one probe (a flag); other calls fail fast until it
// settles.
'use strict';
const assert = require('assert');
const fs = require('fs');
const fsp = fs.promises;
const { performance } = require('perf_hooks');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node circuit_breaker.js buggy|fixed\n');
  process.exit(2);
}

const DIR = '/tmp/uvsim-js-circuit_breaker';
fs.rmSync(DIR, { recursive: true, force: true });
fs.mkdirSync(DIR, { recursive: true });
fs.writeFileSync(DIR + '/row', 'ok');

const T0 = performance.now();
const now = () => performance.now() - T0;

class CircuitBreaker {
  constructor(threshold, timeout) {
    this.threshold = threshold;
    this.timeout = timeout;
    this.failures = 0;
    this.state = 'closed';
    this.lastFailTime = 0;
    this.probing = false;           // fixed: one probe at a time
  }
  async call(fn) {
    if (this.state === 'open') {
      if (now() - this.lastFailTime > this.timeout) this.state = 'half-open';
      else throw new Error('Circuit breaker is open');
    }
    if (variant === 'fixed' && this.state === 'half-open') {
      if (this.probing) throw new Error('Circuit breaker is half-open');
      this.probing = true;
    }
    const probe = this.state === 'half-open';
    try {
      const r = await fn();
      this.onSuccess();
      return r;
    } catch (e) {
      this.onFailure();
      throw e;
    } finally {
      if (probe) this.probing = false;
    }
  }
  onSuccess() { this.failures = 0; this.state = 'closed'; }
  onFailure() {
    this.failures++;
    this.lastFailTime = now();
    if (this.failures >= this.threshold || this.state === 'half-open') this.state = 'open';
  }
}

const breaker = new CircuitBreaker(2, 20);

let probesInFlight = 0;
let maxProbes = 0;
async function backend() {
  const probe = breaker.state === 'half-open';
  if (probe) {
    probesInFlight++;
    maxProbes = Math.max(maxProbes, probesInFlight);
  }
  const up = now() >= 10;
  try {
    const row = await fsp.readFile(DIR + '/row', 'utf8');
    if (!up) throw new Error('backend down');
    return row;
  } finally {
    if (probe) probesInFlight--;
  }
}

function request(name) {
  breaker.call(backend).then(
    (r) => console.log(name, 'answered', r),
    (e) => console.log(name, 'failed:', e.message));
}

request('request 1');
setTimeout(() => request('request 2'), 1);
setTimeout(() => request('request 3'), 25);
setTimeout(() => request('request 4'), 27);

process.on('beforeExit', () => {
  assert.ok(maxProbes <= 1, 'circuit breaker: two probes in flight while half-open');
});
