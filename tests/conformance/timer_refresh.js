const { log } = require('./lib');
const t = setTimeout(() => log('A refreshed: fires at 60'), 40);
setTimeout(() => { log('refresh at 20'); t.refresh(); }, 20);
setTimeout(() => log('B at 50'), 50);
setTimeout(() => log('C at 90'), 90);
