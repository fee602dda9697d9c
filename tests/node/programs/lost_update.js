// A deposit reads the balance, awaits a file stat, then writes it back: a
// lost update across an await. In the natural order the first deposit's
// stat finishes before the second deposit reads, so they serialise; when
// the thread pool finishes the second one's first stat sooner, both read
// the same balance and one deposit is lost.
const fs = require('fs');
let balance = 0;
async function deposit(n, before) {
  if (before) await fs.promises.stat(before);
  const b = balance;
  await fs.promises.stat(__filename);
  balance = b + n;
}
Promise.all([deposit(10), deposit(20, __dirname)]).then(() => {
  if (balance !== 30) throw new Error('lost update: balance ' + balance);
  console.log('balance', balance);
});
