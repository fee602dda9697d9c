/* scenarios/examples/quorum_read.c — a value is written to three replicas
 * (pool jobs); the client is acknowledged after a quorum of writes, then
 * reads replicas 0 and 1 and keeps the newest version. With a quorum of 2
 * the read always meets a written replica. The buggy variant acknowledges
 * after the FIRST write, so the read is stale only when the writes to both
 * replica 0 and replica 1 are slow: a bug needing two decisions. */
#include "mini.h"
#include "uvsim/scenario.h"
#include "uvsim/world.h"

static const char* const write_label[3] = { "replica 0 write", "replica 1 write",
                                            "replica 2 write" };
static const char* const read_label[2] = { "replica 0 read", "replica 1 read" };

static struct {
  int version[3];
  int acks, quorum, acked;
  int reads, newest;
  mini_ev w[3], r[2];
} qr;

static void read_done(mini_ev* m) {
  int i = (int)(m - qr.r);
  if (qr.version[i] > qr.newest) qr.newest = qr.version[i];
  if (++qr.reads == 2)
    UVSIM_CHECK(qr.newest == 1, "read version %d after the write was acknowledged",
                qr.newest);
}

static void write_done(mini_ev* m) {
  int i = (int)(m - qr.w);
  qr.version[i] = 1;
  if (++qr.acks == qr.quorum) {
    qr.acked = 1;
    for (int r = 0; r < 2; r++) mini_pool(&qr.r[r], read_label[r], read_done);
  }
}

static void quorum_read(int quorum) {
  for (int i = 0; i < 3; i++) qr.version[i] = 0;
  qr.acks = qr.acked = qr.reads = qr.newest = 0;
  qr.quorum = quorum;
  for (int i = 0; i < 3; i++) mini_pool(&qr.w[i], write_label[i], write_done);
  mini_run();
  UVSIM_CHECK(qr.reads == 2, "%d of 2 reads completed", qr.reads);
}

static void quorum_read_buggy(void) { quorum_read(1); }
static void quorum_read_fixed(void) { quorum_read(2); }

UVSIM_SCENARIO(quorum_read, buggy, quorum_read_buggy,
               .description = "write acknowledged after 1 of 3 replicas, read from 2",
               .invariant = "a read after an acknowledged write sees it",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(quorum_read, fixed, quorum_read_fixed,
               .description = "write acknowledged after 2 of 3 replicas, read from 2",
               .invariant = "a read after an acknowledged write sees it",
               .expect = UVSIM_EXPECT_CLEAN);
