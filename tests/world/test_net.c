/* tests/world/test_net.c — the simulated network: refused and unreachable
 * connects, accept queues, EOF after shutdown, RST on close with unread
 * data and on writes to a closed peer, buffer limits, pipes, and read
 * splitting that is a pure function of the seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_net.h"

static sim world;
static sim_net* net;

static int setup(void** state) {
  (void)state;
  sim_config natural = { .source = SIM_SRC_LIST };  /* every choice 0 */
  sim_init(&world, &natural);
  net = sim_net_new();
  sim_net_attach(net, &world);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  sim_net_free(net);
  sim_free(&world);
  return 0;
}

/* Runs the world until no event is left (time jumps to each event). */
static void drain(void) {
  sim_event* ev;
  while ((ev = sim_event_peek(&world)) != NULL) {
    sim_advance_to(&world, ev->time_ns);
    sim_event_fire_due(&world);
  }
}

static sim_addr v4(uint16_t port) {
  sim_addr a;
  assert_int_equal(sim_addr_ip4(&a, "127.0.0.1", port), 0);
  return a;
}

static int listener(uint16_t port, int backlog) {
  int l = sim_net_socket(net, AF_INET);
  sim_addr a = v4(port);
  assert_int_equal(sim_net_bind(net, l, &a), 0);
  assert_int_equal(sim_net_listen(net, l, backlog), 0);
  return l;
}

/* A connected pair through a listener on `port`: *c client, *s server. */
static void pair(uint16_t port, int* c, int* s) {
  int l = listener(port, 8);
  *c = sim_net_socket(net, AF_INET);
  sim_addr a = v4(port);
  assert_int_equal(sim_net_connect(net, *c, &a), 0);
  drain();   /* nothing under the natural order: loopback connects at once */
  assert_int_equal(sim_net_connect_result(net, *c), 0);
  *s = sim_net_accept(net, l);
  assert_true(*s >= SIM_NET_ID_BASE);
  assert_int_equal(sim_net_accept(net, l), -EAGAIN);
  sim_net_close(net, l, 0);
}

typedef struct notes { int id[64]; unsigned ev[64]; int n; } notes;
static void on_notify(void* data, int id, unsigned ev) {
  notes* n = data;
  if (n->n < 64) { n->id[n->n] = id; n->ev[n->n] = ev; n->n++; }
}

static void refused_and_unreachable(void** state) {
  (void)state;
  int c = sim_net_socket(net, AF_INET);
  sim_addr a = v4(9);
  notes n = {0};
  sim_net_set_notify(net, c, on_notify, &n);
  /* Loopback refuses within connect(2), under the natural order... */
  assert_int_equal(sim_net_connect(net, c, &a), -ECONNREFUSED);
  assert_int_equal(sim_net_connect_result(net, c), 0);   /* reported once */
  /* ...and after the latency the decision chose otherwise. */
  sim_config slow = { .source = SIM_SRC_LIST, .list = (uint32_t[]){ 2 }, .list_len = 1 };
  sim_reset(&world, &slow);
  int c2 = sim_net_socket(net, AF_INET);
  sim_net_set_notify(net, c2, on_notify, &n);
  assert_int_equal(sim_net_connect(net, c2, &a), 0);
  assert_int_equal(sim_net_connect_result(net, c2), -EINPROGRESS);
  drain();
  assert_true(n.n >= 2);
  assert_true(n.ev[n.n - 1] & SIM_NET_ERR);
  assert_int_equal(sim_net_connect_result(net, c2), -ECONNREFUSED);
  assert_int_equal(sim_now(&world), 2000000);   /* bucket 2: 2 ms */
  int d = sim_net_socket(net, AF_INET);
  sim_addr far;
  sim_addr_ip4(&far, "10.1.2.3", 80);
  assert_int_equal(sim_net_connect(net, d, &far), 0);
  drain();
  assert_int_equal(sim_net_connect_result(net, d), -ETIMEDOUT);
  assert_true(sim_now(&world) >= SIM_NET_UNREACHABLE_NS);
}

static void connect_accept_and_coalesced_read(void** state) {
  (void)state;
  int l = listener(8000, 8);
  notes n = {0};
  sim_net_set_notify(net, l, on_notify, &n);
  int c = sim_net_socket(net, AF_INET);
  sim_net_set_notify(net, c, on_notify, &n);
  sim_addr a = v4(8000);
  sim_net_connect(net, c, &a);
  drain();
  /* The listener hears first, then the client (loopback order). */
  assert_int_equal(n.n, 2);
  assert_int_equal(n.id[0], l);
  assert_int_equal(n.ev[0], SIM_NET_IN);
  assert_int_equal(n.id[1], c);
  assert_int_equal(n.ev[1], SIM_NET_OUT);
  int s = sim_net_accept(net, l);
  sim_addr peer, local;
  assert_int_equal(sim_net_getpeername(net, s, &peer), 0);
  assert_int_equal(sim_net_getsockname(net, c, &local), 0);
  assert_int_equal(peer.port, local.port);
  assert_true(local.port >= SIM_NET_EPHEMERAL_FIRST);
  assert_int_equal(sim_net_getsockname(net, s, &local), 0);
  assert_int_equal(local.port, 8000);
  char buf[64];
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), -EAGAIN);
  assert_int_equal(sim_net_write(net, c, "hello ", 6), 6);
  assert_int_equal(sim_net_write(net, c, "world", 5), 5);
  drain();
  /* Choice 0: everything available in one read, as loopback does. */
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), 11);
  assert_memory_equal(buf, "hello world", 11);
  assert_int_equal(sim_net_read(net, s, buf, 4), -EAGAIN);
}

static void shutdown_gives_eof(void** state) {
  (void)state;
  int c, s;
  pair(8001, &c, &s);
  sim_net_write(net, c, "bye", 3);
  assert_int_equal(sim_net_shutdown(net, c), 0);
  assert_int_equal(sim_net_write(net, c, "x", 1), -EPIPE);
  drain();
  char buf[8];
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), 3);
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), 0);
  /* Half-close: the other direction still works. */
  assert_int_equal(sim_net_write(net, s, "ok", 2), 2);
  drain();
  assert_int_equal(sim_net_read(net, c, buf, sizeof buf), 2);
  sim_net_close(net, s, 0);
  drain();
  assert_int_equal(sim_net_read(net, c, buf, sizeof buf), 0);
}

static void close_with_unread_data_resets(void** state) {
  (void)state;
  int c, s;
  pair(8002, &c, &s);
  sim_net_write(net, s, "unread", 6);
  sim_net_write(net, c, "req", 3);
  drain();
  /* The client closes without reading: the server gets RST, not EOF. */
  sim_net_close(net, c, 0);
  drain();
  char buf[8];
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), 3);  /* data first */
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), -ECONNRESET);
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), 0);
  assert_int_equal(sim_net_write(net, s, "x", 1), -EPIPE);
  assert_int_equal(sim_net_getpeername(net, s, &(sim_addr){0}), -ENOTCONN);
}

static void write_to_closed_peer(void** state) {
  (void)state;
  int c, s;
  pair(8003, &c, &s);
  sim_net_close(net, s, 0);                 /* clean: FIN */
  drain();
  char buf[8];
  assert_int_equal(sim_net_read(net, c, buf, sizeof buf), 0);
  assert_int_equal(sim_net_write(net, c, "late", 4), 4);  /* accepted... */
  drain();                                  /* ...answered by RST */
  /* A RST after the peer's FIN (CLOSE_WAIT): Linux's pending error is
   * EPIPE, not ECONNRESET; reads stay at EOF; shutdown(2) of the closed
   * connection is ENOTCONN (measured on a real loopback socket). */
  assert_int_equal(sim_net_write(net, c, "x", 1), -EPIPE);
  assert_int_equal(sim_net_write(net, c, "x", 1), -EPIPE);
  assert_int_equal(sim_net_read(net, c, buf, sizeof buf), 0);
  assert_int_equal(sim_net_shutdown(net, c), -ENOTCONN);
}

static void close_reset_and_listener_close(void** state) {
  (void)state;
  int c, s;
  pair(8004, &c, &s);
  sim_net_close(net, c, 1);                 /* uv_tcp_close_reset */
  drain();
  char buf[4];
  assert_int_equal(sim_net_read(net, s, buf, sizeof buf), -ECONNRESET);
  /* Connections queued on a closing listener are reset. */
  int l = listener(8005, 8);
  int d = sim_net_socket(net, AF_INET);
  sim_addr a = v4(8005);
  sim_net_connect(net, d, &a);
  drain();
  sim_net_close(net, l, 0);
  drain();
  assert_int_equal(sim_net_read(net, d, buf, sizeof buf), -ECONNRESET);
}

static void bind_errors_and_ports(void** state) {
  (void)state;
  int a = listener(8100, 8);
  int b = sim_net_socket(net, AF_INET);
  sim_addr same = v4(8100);
  assert_int_equal(sim_net_bind(net, b, &same), -EADDRINUSE);
  sim_addr any;
  sim_addr_ip4(&any, "0.0.0.0", 8100);
  assert_int_equal(sim_net_bind(net, b, &any), -EADDRINUSE);
  sim_addr far;
  sim_addr_ip4(&far, "192.0.2.1", 8101);
  assert_int_equal(sim_net_bind(net, b, &far), -EADDRNOTAVAIL);
  assert_int_equal(sim_net_add_host(net, &far), 0);
  assert_int_equal(sim_net_bind(net, b, &far), 0);
  assert_int_equal(sim_net_bind(net, b, &far), -EINVAL);     /* twice */
  int e = sim_net_socket(net, AF_INET);
  sim_addr zero = v4(0);
  assert_int_equal(sim_net_bind(net, e, &zero), 0);
  sim_addr got;
  sim_net_getsockname(net, e, &got);
  assert_true(got.port >= SIM_NET_EPHEMERAL_FIRST &&
              got.port <= SIM_NET_EPHEMERAL_LAST);
  /* After close the port is free again. */
  sim_net_close(net, a, 0);
  int f = sim_net_socket(net, AF_INET);
  assert_int_equal(sim_net_bind(net, f, &same), 0);
  /* A dual-stack [::] listener takes IPv4 connections too. */
  int six = sim_net_socket(net, AF_INET6);
  sim_addr any6;
  sim_addr_ip6(&any6, "::", 8200);
  assert_int_equal(sim_net_bind(net, six, &any6), 0);
  assert_int_equal(sim_net_listen(net, six, 4), 0);
  int c = sim_net_socket(net, AF_INET);
  sim_addr to = v4(8200);
  sim_net_connect(net, c, &to);
  drain();
  assert_int_equal(sim_net_connect_result(net, c), 0);
  assert_true(sim_net_accept(net, six) >= SIM_NET_ID_BASE);
}

static void backlog_full_retries(void** state) {
  (void)state;
  int l = listener(8300, 1);
  sim_addr a = v4(8300);
  int c[3];
  for (int i = 0; i < 3; i++) {
    c[i] = sim_net_socket(net, AF_INET);
    sim_net_connect(net, c[i], &a);
  }
  /* Let the first two in; the third waits for the queue. */
  sim_advance_to(&world, 0);
  while (sim_event_fire_due(&world)) {}
  assert_int_equal(sim_net_connect_result(net, c[0]), 0);
  assert_int_equal(sim_net_connect_result(net, c[1]), 0);
  assert_int_equal(sim_net_connect_result(net, c[2]), -EINPROGRESS);
  sim_net_accept(net, l);
  sim_net_accept(net, l);
  drain();
  assert_int_equal(sim_net_connect_result(net, c[2]), 0);
  assert_int_equal(sim_now(&world), 1000000000ull);   /* one SYN retry */
}

static void buffer_limit_blocks_writer(void** state) {
  (void)state;
  int c, s;
  pair(8400, &c, &s);
  notes n = {0};
  sim_net_set_notify(net, c, on_notify, &n);
  size_t big = SIM_NET_BUF_MAX + 1000;
  char* data = calloc(1, big);
  assert_int_equal(sim_net_write(net, c, data, big), SIM_NET_BUF_MAX);
  assert_int_equal(sim_net_write(net, c, data, 1), -EAGAIN);
  assert_false(sim_net_poll(net, c) & SIM_NET_OUT);
  drain();
  assert_int_equal(sim_net_read(net, s, data, 4096), 4096);
  assert_true(n.n >= 1);
  assert_int_equal(n.ev[n.n - 1], SIM_NET_OUT);
  assert_int_equal(sim_net_write(net, c, data, big), 4096);
  free(data);
}

static void socket_buffer_sizes(void** state) {
  (void)state;
  int c, s;
  pair(8450, &c, &s);
  int v = 0;
  assert_int_equal(sim_net_sndbuf(net, c, &v), 0);
  assert_int_equal(v, SIM_NET_SOCKBUF_DEFAULT);
  v = 8192;
  assert_int_equal(sim_net_sndbuf(net, c, &v), 0);
  v = 8192;
  assert_int_equal(sim_net_rcvbuf(net, s, &v), 0);
  v = 0;
  assert_int_equal(sim_net_sndbuf(net, c, &v), 0);
  assert_int_equal(v, 16384);               /* doubled, as Linux does */
  char data[65536] = {0};
  assert_int_equal(sim_net_write(net, c, data, sizeof data), 32768);
  assert_int_equal(sim_net_write(net, c, data, 1), -EAGAIN);
  assert_int_equal(sim_net_sndbuf(net, 99999, &v), -EBADF);
}

static void pipes_by_path(void** state) {
  (void)state;
  int l = sim_net_socket(net, AF_UNIX);
  sim_addr p;
  sim_addr_path(&p, "/tmp/uv.sock");
  assert_int_equal(sim_net_bind(net, l, &p), 0);
  assert_int_equal(sim_net_listen(net, l, 4), 0);
  int other = sim_net_socket(net, AF_UNIX);
  assert_int_equal(sim_net_bind(net, other, &p), -EADDRINUSE);
  int c = sim_net_socket(net, AF_UNIX);
  assert_int_equal(sim_net_connect(net, c, &p), 0);
  int d = sim_net_socket(net, AF_UNIX);
  sim_addr none;
  sim_addr_path(&none, "/tmp/none.sock");
  assert_int_equal(sim_net_connect(net, d, &none), -ENOENT);
  drain();
  assert_int_equal(sim_net_connect_result(net, c), 0);
  int s = sim_net_accept(net, l);
  sim_addr name;
  sim_net_getsockname(net, s, &name);
  assert_string_equal(name.path, "/tmp/uv.sock");
  sim_net_write(net, s, "pipe", 4);
  drain();
  char buf[8];
  assert_int_equal(sim_net_read(net, c, buf, sizeof buf), 4);
  int sp[2];
  sim_net_socketpair(net, sp);
  sim_net_write(net, sp[1], "sp", 2);
  drain();
  assert_int_equal(sim_net_read(net, sp[0], buf, sizeof buf), 2);
}

/* Read sizes for a 64-byte message read in 64-byte buffers under `seed`. */
static void split_pattern(uint64_t seed, char* out, size_t outlen) {
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = seed };
  sim_reset(&world, &cfg);
  sim_net_reset(net);
  int c, s;
  pair(8500, &c, &s);
  char msg[64];
  memset(msg, 'm', sizeof msg);
  sim_net_write(net, c, msg, sizeof msg);
  drain();
  size_t used = 0, total = 0;
  char buf[64];
  ssize_t r;
  while ((r = sim_net_read(net, s, buf, sizeof buf)) > 0) {
    total += (size_t)r;
    used += (size_t)snprintf(out + used, outlen - used, "%zd,", r);
  }
  assert_int_equal(total, 64);
  assert_int_equal(r, -EAGAIN);
}

static void splitting_is_a_function_of_the_seed(void** state) {
  (void)state;
  char a[512], b[512];
  int distinct = 0;
  char first[512] = "";
  for (uint64_t seed = 1; seed <= 50; seed++) {
    split_pattern(seed, a, sizeof a);
    uint64_t h1 = sim_trace_hash(&world);
    split_pattern(seed, b, sizeof b);
    assert_string_equal(a, b);
    assert_int_equal(h1, sim_trace_hash(&world));
    if (seed == 1) strcpy(first, a);
    else if (strcmp(first, a) != 0) distinct++;
  }
  assert_true(distinct > 0);
  /* Latency never reorders one stream: a seeded run still reads in order. */
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = 7 };
  sim_reset(&world, &cfg);
  sim_net_reset(net);
  int c, s;
  pair(8600, &c, &s);
  for (int i = 0; i < 50; i++) {
    char ch = (char)('A' + i % 26);
    sim_net_write(net, c, &ch, 1);
  }
  drain();
  char buf[64];
  size_t got = 0;
  ssize_t r;
  while ((r = sim_net_read(net, s, buf + got, sizeof buf - got)) > 0) got += (size_t)r;
  assert_int_equal(got, 50);
  for (int i = 0; i < 50; i++) assert_int_equal(buf[i], 'A' + i % 26);
}

static void reset_drops_everything(void** state) {
  (void)state;
  /* connect without latency, then a write that takes 50 ms */
  sim_config cfg = { .source = SIM_SRC_LIST, .list = (uint32_t[]){ 0, 3 }, .list_len = 2 };
  sim_reset(&world, &cfg);
  int c, s;
  pair(8700, &c, &s);
  sim_net_write(net, c, "in flight", 9);
  assert_true(sim_net_inflight_count(net) > 0);
  sim_net_reset(net);
  assert_int_equal(sim_net_open_count(net), 0);
  assert_int_equal(sim_net_inflight_count(net), 0);
  assert_null(sim_event_peek(&world));
  int l = listener(8700, 1);   /* the port is free again */
  assert_int_equal(l, SIM_NET_ID_BASE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(refused_and_unreachable, setup, teardown),
    cmocka_unit_test_setup_teardown(connect_accept_and_coalesced_read, setup, teardown),
    cmocka_unit_test_setup_teardown(shutdown_gives_eof, setup, teardown),
    cmocka_unit_test_setup_teardown(close_with_unread_data_resets, setup, teardown),
    cmocka_unit_test_setup_teardown(write_to_closed_peer, setup, teardown),
    cmocka_unit_test_setup_teardown(close_reset_and_listener_close, setup, teardown),
    cmocka_unit_test_setup_teardown(bind_errors_and_ports, setup, teardown),
    cmocka_unit_test_setup_teardown(backlog_full_retries, setup, teardown),
    cmocka_unit_test_setup_teardown(buffer_limit_blocks_writer, setup, teardown),
    cmocka_unit_test_setup_teardown(socket_buffer_sizes, setup, teardown),
    cmocka_unit_test_setup_teardown(pipes_by_path, setup, teardown),
    cmocka_unit_test_setup_teardown(splitting_is_a_function_of_the_seed, setup, teardown),
    cmocka_unit_test_setup_teardown(reset_drops_everything, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
