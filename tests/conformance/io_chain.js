const { log, io } = require('./lib');
let n = 0;
const step = () => {
  n++;
  log('io', n);
  queueMicrotask(() => log('micro', n));
  setImmediate(() => { log('immediate', n); if (n < 3) io(step); });
};
io(step);
