const { log } = require('./lib');
// Created so that a stalled main script cannot reorder what is printed.
setTimeout(() => log('C at 500'), 500);
setTimeout(() => log('B at 250'), 250);
let t;
setTimeout(() => { log('refresh at 100'); t.refresh(); }, 100);
t = setTimeout(() => log('A refreshed: fires at 300'), 200);
