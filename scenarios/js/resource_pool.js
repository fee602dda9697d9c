// scenario: resource_pool
// acquire() busy-polls with process.nextTick when no connection is free: the loop starves.
//
// A pool of 2 database connections (seed 004's AIModelPool shape, its 100 ms
// setTimeout retry "optimised" into process.nextTick): acquire(cb) hands out a
// free connection, else polls again on the next tick. Each request holds its
// connection for two queries (crypto.pbkdf2 stands in for a query: a
// thread-pool job) and releases it. Requests 1 and 2 come at 0 ms, request 3
// at 2 ms. On an idle machine the first two requests are done before request 3
// arrives. If both are slow, request 3 finds no free connection, and its
// nextTick polling never lets the loop reach the poll phase where the queries
// would complete and release their connections: the process spins forever.
// (A poll counter turns the spin into an exception after 100000 polls.) The
// fix: a FIFO of waiters, served by release(); no polling at all.
'use strict';
const crypto = require('crypto');

const variant = process.argv[2];
if (variant !== 'buggy' && variant !== 'fixed') {
  process.stderr.write('usage: node resource_pool.js buggy|fixed\n');
  process.exit(2);
}

const MAX_POLLS = 100000;
const free = [{ id: 'conn-a' }, { id: 'conn-b' }];
const waiters = [];
let polls = 0;

function acquire(cb) {
  if (free.length) return cb(free.pop());
  if (variant === 'fixed') return waiters.push(cb);
  if (++polls > MAX_POLLS)
    throw new Error('resource pool: acquire() kept polling with process.nextTick; the event loop is starved');
  process.nextTick(() => acquire(cb));
}

function release(conn) {
  if (waiters.length) waiters.shift()(conn);
  else free.push(conn);
}

let done = 0;
function query(conn, sql, cb) {
  crypto.pbkdf2(sql, conn.id, 1000, 16, 'sha256', cb);
}

function request(n) {
  acquire((conn) => {
    query(conn, `SELECT stock FROM items WHERE id = ${n}`, (err) => {
      if (err) throw err;
      query(conn, `UPDATE items SET stock = stock - 1 WHERE id = ${n}`, (err2) => {
        if (err2) throw err2;
        release(conn);
        done++;
        console.log(`request ${n} done`);
      });
    });
  });
}

request(1);
request(2);
setTimeout(() => request(3), 2);
process.on('beforeExit', () => {
  if (done !== 3) throw new Error('resource pool: not every request completed');
});
