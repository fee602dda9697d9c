// tests/node/node_exit.sh's program: how a node run ends under uvsim.
// argv[2]: "loop" (the loop runs dry; the 'exit' handler prints 200 KB,
// sets process.exitCode from the order and writes to stderr), "exit"
// (process.exit(5) from a timer) or "throw" (an uncaught exception).
// argv[3], if given: a native addon to load (exit_probe.c), which says on
// stderr whether the process's exit handlers ran.
const mode = process.argv[2];
if (process.argv[3]) process.dlopen({ exports: {} }, process.argv[3]);
const order = [];
setTimeout(() => order.push('t1'), 1);
setTimeout(() => order.push('t2'), 1);
setImmediate(() => order.push('imm'));
require('fs').readFile(__filename, () => order.push('read'));
let again = true;
process.on('beforeExit', () => {
  if (again) setTimeout(() => order.push('late'), 5);   // the loop runs once more
  again = false;
});
if (mode === 'exit') setTimeout(() => { console.log('exit 5', order.join(' ')); process.exit(5); }, 2);
if (mode === 'throw') setTimeout(() => { throw new Error('thrown after ' + order.join(' ')); }, 2);
process.on('exit', (code) => {
  const line = order.join(' ') + ' ' + 'x'.repeat(199) + '\n';
  process.stdout.write(line.repeat(Math.ceil(200000 / line.length)));
  console.log('end', code, order.join(' '));
  console.error('stderr', order[0]);
  if (mode === 'loop') process.exitCode = order[0] === 'imm' ? 3 : 4;
});
