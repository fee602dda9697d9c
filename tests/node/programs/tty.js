// Run on a terminal (tests/node/tty_tmux.sh runs it in tmux): stdout is a
// terminal to node, its bytes reach the real terminal, colours included.
const util = require('util');
console.log('isTTY', process.stdout.isTTY, 'columns', process.stdout.columns);
console.log(util.inspect({ answer: 42 }, { colors: process.stdout.hasColors() }));
process.stdout.write('\x1b[1mbold\x1b[0m and done\n');
