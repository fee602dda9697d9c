// A server that listens forever and a promise that never settles: on a real
// machine the process waits for ever; on the virtual loop nothing can ever
// happen, which is a hang, reported with the handles that keep it alive.
const net = require('net');
const srv = net.createServer(() => {});
srv.listen(0, '127.0.0.1', () => console.log('listening'));
new Promise(() => {});
