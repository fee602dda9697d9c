/* tests/diff-world/net.h — helpers for the TCP/pipe differential programs:
 * a listener on 127.0.0.1 with a kernel-chosen port, and callbacks that
 * print what they see (never ports or addresses that differ per run). */
#ifndef DIFF_NET_H
#define DIFF_NET_H
#include "diff.h"

static inline int listen_any(uv_loop_t* loop, uv_tcp_t* server, uv_connection_cb cb,
                             struct sockaddr_in* bound) {
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", 0, &a);
  uv_tcp_init(loop, server);
  int r = uv_tcp_bind(server, (const struct sockaddr*)&a, 0);
  if (r == 0) r = uv_listen((uv_stream_t*)server, 16, cb);
  int len = sizeof *bound;
  uv_tcp_getsockname(server, (struct sockaddr*)bound, &len);
  return r;
}

static char diff_slab[65536];
static inline void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h; (void)suggested;
  *buf = uv_buf_init(diff_slab, sizeof diff_slab);
}

static inline void free_close_cb(uv_handle_t* h) { free(h); }
#endif
