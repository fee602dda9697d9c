/* scenarios/udp_inorder.c — a request/response protocol over UDP whose
 * client assumes the answers come back in the order it asked (plain libuv
 * API; the DNS-stub / statsd / game-server family of bugs that only shows
 * when the network reorders).
 *
 * A key-value server on 127.0.0.1 answers each datagram "Q<id> <key>" with
 * "R<id> <value>". The client pipelines three lookups (alpha, beta, gamma)
 * in one callback and reads the answers.
 *
 * Invariant: every key gets its own value (alpha=1, beta=2, gamma=3).
 *
 * The bug: the client keeps the outstanding keys in a FIFO and gives each
 * answer to the oldest request, ignoring the id. Datagrams are independent:
 * each has its own delivery latency (`dgram_latency`), so a later request
 * or answer may overtake an earlier one (on loopback, choice 0, they never
 * do: the natural run passes).
 *
 * The fix: the answer's id picks the request; an answer for no outstanding
 * request is dropped.
 */
#include "scn.h"

#include <stdio.h>
#include <stdlib.h>

#define UO_PORT 7200
#define UO_KEYS 3

static const char* const uo_keys[UO_KEYS] = { "alpha", "beta", "gamma" };
static const char* const uo_vals[UO_KEYS] = { "1", "2", "3" };

static struct {
  int fixed;
  uv_udp_t server, client;
  uv_udp_send_t qreq[UO_KEYS], rreq[UO_KEYS];
  char qbuf[UO_KEYS][32], rbuf[UO_KEYS][32];
  int nanswers_sent;
  int fifo[UO_KEYS];             /* outstanding request ids, oldest first */
  int fifo_head, fifo_len;
  char got[UO_KEYS][8];          /* the value each key was given          */
  int answered;
  char slab_s[256], slab_c[256];
} uo;

static void on_closed(uv_handle_t* h) { (void)h; }
static void on_sent(uv_udp_send_t* req, int status) { (void)req, (void)status; }

static void alloc_s(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h, (void)suggested;
  *buf = uv_buf_init(uo.slab_s, sizeof uo.slab_s);
}

static void alloc_c(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h, (void)suggested;
  *buf = uv_buf_init(uo.slab_c, sizeof uo.slab_c);
}

/* ---- server: "Q<id> <key>" -> "R<id> <value>" */

static void server_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf,
                        const struct sockaddr* from, unsigned flags) {
  (void)flags;
  if (n <= 0 || from == NULL || uo.nanswers_sent == UO_KEYS) return;
  char key[16];
  int id;
  char msg[64];
  snprintf(msg, sizeof msg, "%.*s", (int)n, buf->base);
  if (sscanf(msg, "Q%d %15s", &id, key) != 2) return;
  const char* val = "?";
  for (int k = 0; k < UO_KEYS; k++)
    if (strcmp(key, uo_keys[k]) == 0) val = uo_vals[k];
  int i = uo.nanswers_sent++;
  int len = snprintf(uo.rbuf[i], sizeof uo.rbuf[i], "R%d %s", id, val);
  uv_buf_t b = uv_buf_init(uo.rbuf[i], (unsigned)len);
  uv_udp_send(&uo.rreq[i], h, &b, 1, from, on_sent);
}

/* ---- client */

static void finish(void) {
  uv_close((uv_handle_t*)&uo.client, on_closed);
  uv_close((uv_handle_t*)&uo.server, on_closed);
}

static void client_recv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf,
                        const struct sockaddr* from, unsigned flags) {
  (void)h, (void)flags;
  if (n <= 0 || from == NULL || uo.answered == UO_KEYS) return;
  char msg[64], val[8];
  int id;
  snprintf(msg, sizeof msg, "%.*s", (int)n, buf->base);
  if (sscanf(msg, "R%d %7s", &id, val) != 2) return;
  int req;
  if (uo.fixed) {
    if (id < 0 || id >= UO_KEYS || uo.got[id][0] != '\0') return;   /* unknown */
    req = id;
  } else {
    req = uo.fifo[uo.fifo_head];   /* the bug: the oldest request's answer */
    uo.fifo_head++;
    uo.fifo_len--;
  }
  snprintf(uo.got[req], sizeof uo.got[req], "%s", val);
  if (++uo.answered == UO_KEYS) finish();
}

static void udp_inorder(int fixed) {
  memset(&uo, 0, sizeof uo);
  uo.fixed = fixed;
  uv_loop_t* loop = scn_begin();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", UO_PORT, &addr);
  uv_udp_init(loop, &uo.server);
  int rc = uv_udp_bind(&uo.server, (const struct sockaddr*)&addr, 0);
  UVSIM_CHECK(rc == 0, "bind: %s", uv_err_name(rc));
  uv_udp_recv_start(&uo.server, alloc_s, server_recv);
  uv_udp_init(loop, &uo.client);
  uv_udp_recv_start(&uo.client, alloc_c, client_recv);
  for (int k = 0; k < UO_KEYS; k++) {
    int len = snprintf(uo.qbuf[k], sizeof uo.qbuf[k], "Q%d %s", k, uo_keys[k]);
    uv_buf_t b = uv_buf_init(uo.qbuf[k], (unsigned)len);
    uo.fifo[uo.fifo_len++] = k;
    rc = uv_udp_send(&uo.qreq[k], &uo.client, &b, 1, (const struct sockaddr*)&addr, on_sent);
    UVSIM_CHECK(rc == 0, "send: %s", uv_err_name(rc));
  }
  if (scn_run()) {
    UVSIM_CHECK(uo.answered == UO_KEYS, "%d of %d lookups answered", uo.answered, UO_KEYS);
    for (int k = 0; k < UO_KEYS && !uvsim_failed(); k++)
      UVSIM_CHECK(strcmp(uo.got[k], uo_vals[k]) == 0,
                  "a key got another key's value (key %d of %d = %s, expected %s)", k + 1,
                  UO_KEYS, uo.got[k], uo_vals[k]);
  }
  scn_end();
}

static void udp_inorder_buggy(void) { udp_inorder(0); }
static void udp_inorder_fixed(void) { udp_inorder(1); }

UVSIM_SCENARIO(udp_inorder, buggy, udp_inorder_buggy,
               .description = "UDP client matches pipelined answers to requests by arrival order",
               .invariant = "every key gets its own value",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(udp_inorder, fixed, udp_inorder_fixed,
               .description = "UDP client matches answers to requests by id",
               .invariant = "every key gets its own value",
               .expect = UVSIM_EXPECT_CLEAN);
