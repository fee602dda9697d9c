/* tests/world/test_dns_fault.c — the resolver's results and EAI codes
 * (checked against the shapes glibc gives), and fault specs: precise parse
 * errors, countdown rules, path/fd targeting, aggressive classification,
 * and probabilistic faults that replay from their decision list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_dns.h"
#include "sim/sim_fault.h"

static int count(struct addrinfo* ai) {
  int n = 0;
  for (; ai; ai = ai->ai_next) n++;
  return n;
}

static void dns_lookups(void** state) {
  (void)state;
  sim_dns* dns = sim_dns_new();
  struct addrinfo hints = { .ai_family = AF_UNSPEC };
  struct addrinfo* res;
  /* No socktype: three results per address, like glibc. */
  assert_int_equal(sim_dns_getaddrinfo(dns, "localhost", NULL, &hints, &res), 0);
  assert_int_equal(count(res), 3);
  assert_int_equal(res->ai_socktype, SOCK_STREAM);
  assert_int_equal(res->ai_protocol, IPPROTO_TCP);
  sim_dns_freeaddrinfo(res);
  hints.ai_socktype = SOCK_STREAM;
  assert_int_equal(sim_dns_getaddrinfo(dns, "LocalHost.", "80", &hints, &res), 0);
  assert_int_equal(count(res), 1);
  const struct sockaddr_in* in = (const struct sockaddr_in*)res->ai_addr;
  assert_int_equal(ntohs(in->sin_port), 80);
  assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000001);
  sim_dns_freeaddrinfo(res);
  assert_int_equal(sim_dns_getaddrinfo(dns, "nonexist.invalid", NULL, &hints, &res),
                   EAI_NONAME);
  assert_int_equal(sim_dns_getaddrinfo(dns, "127.0.0.1", "nosuchsvc", &hints, &res),
                   EAI_SERVICE);
  assert_int_equal(sim_dns_getaddrinfo(dns, NULL, NULL, &hints, &res), EAI_NONAME);
  /* The scenario's table, in its order; family filtering. */
  assert_int_equal(sim_dns_add(dns, "db.example", "10.0.0.2"), 0);
  assert_int_equal(sim_dns_add(dns, "db.example", "fd00::2"), 0);
  assert_int_equal(sim_dns_add(dns, "db.example", "10.0.0.3"), 0);
  assert_int_equal(sim_dns_add(dns, "bad", "10.0.0"), -EINVAL);
  assert_int_equal(sim_dns_getaddrinfo(dns, "db.example", "http", &hints, &res), 0);
  assert_int_equal(count(res), 3);
  assert_int_equal(res->ai_next->ai_family, AF_INET6);
  sim_dns_freeaddrinfo(res);
  hints.ai_family = AF_INET;
  hints.ai_flags = AI_CANONNAME;
  assert_int_equal(sim_dns_getaddrinfo(dns, "db.example", NULL, &hints, &res), 0);
  assert_int_equal(count(res), 2);
  assert_string_equal(res->ai_canonname, "db.example");
  sim_dns_freeaddrinfo(res);
  sim_dns_set_error(dns, "flaky.example", EAI_AGAIN);
  assert_int_equal(sim_dns_getaddrinfo(dns, "flaky.example", NULL, &hints, &res),
                   EAI_AGAIN);
  /* Reverse lookups. */
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(443) };
  inet_pton(AF_INET, "10.0.0.3", &sa.sin_addr);
  char host[64], serv[16];
  assert_int_equal(sim_dns_getnameinfo(dns, (struct sockaddr*)&sa, host, sizeof host,
                                       serv, sizeof serv, 0), 0);
  assert_string_equal(host, "db.example");
  assert_string_equal(serv, "https");
  assert_int_equal(sim_dns_getnameinfo(dns, (struct sockaddr*)&sa, host, sizeof host,
                                       serv, sizeof serv,
                                       NI_NUMERICHOST | NI_NUMERICSERV), 0);
  assert_string_equal(host, "10.0.0.3");
  assert_string_equal(serv, "443");
  inet_pton(AF_INET, "10.9.9.9", &sa.sin_addr);
  assert_int_equal(sim_dns_getnameinfo(dns, (struct sockaddr*)&sa, host, sizeof host,
                                       NULL, 0, NI_NAMEREQD), EAI_NONAME);
  sim_dns_reset(dns);
  hints.ai_flags = 0;
  assert_int_equal(sim_dns_getaddrinfo(dns, "db.example", NULL, &hints, &res),
                   EAI_NONAME);
  sim_dns_free(dns);
}

static void expect_parse_error(const char* spec, const char* fragment) {
  char err[256] = "";
  int aggr = -1;
  assert_int_equal(sim_fault_parse_check(spec, &aggr, err, sizeof err), -1);
  if (strstr(err, fragment) == NULL)
    fail_msg("spec '%s': error '%s' lacks '%s'", spec, err, fragment);
  assert_non_null(strstr(err, spec));
}

static void fault_specs_valid_and_invalid(void** state) {
  (void)state;
  int aggr;
  char err[256];
  assert_int_equal(sim_fault_parse_check("write nth=3 err=ENOSPC", &aggr, err,
                                         sizeof err), 0);
  assert_int_equal(aggr, 0);
  assert_int_equal(sim_fault_parse_check("recv after=2 count=inf err=ECONNRESET",
                                         &aggr, err, sizeof err), 0);
  assert_int_equal(sim_fault_parse_check("fsync prob=1/20 err=EIO", &aggr, err,
                                         sizeof err), 0);
  assert_int_equal(sim_fault_parse_check("read short=1", &aggr, err, sizeof err), 0);
  assert_int_equal(aggr, 1);              /* files never read short */
  assert_int_equal(sim_fault_parse_check("recv short=1", &aggr, err, sizeof err), 0);
  assert_int_equal(aggr, 0);
  assert_int_equal(sim_fault_parse_check("read err=ENOSPC", &aggr, err, sizeof err), 0);
  assert_int_equal(aggr, 1);
  assert_int_equal(sim_fault_parse_check("dns err=EAI_AGAIN delay=2s", &aggr, err,
                                         sizeof err), 0);
  assert_int_equal(aggr, 0);
  assert_int_equal(sim_fault_parse_check("fs path=/data/* delay=20ms", &aggr, err,
                                         sizeof err), 0);
  expect_parse_error("writ err=EIO", "unknown operation 'writ'");
  {
    /* the list of operations names every one of them (built from the
     * parser's own table, so it cannot drift) */
    char msg[512] = "";
    assert_int_equal(sim_fault_parse_check("writ", &aggr, msg, sizeof msg), -1);
    for (int op = 0; op < SIM_FOP_COUNT; op++) {
      char word[32];
      snprintf(word, sizeof word, " %s%s", sim_fault_op_name((sim_fault_op)op),
               op == SIM_FOP_COUNT - 1 ? "," : "");
      if (strstr(msg, word) == NULL) fail_msg("'%s' does not list%s", msg, word);
    }
    assert_non_null(strstr(msg, "or fs net any, or signal, external)"));
  }
  /* signal rules (docs/world.md, "Signals") */
  assert_int_equal(sim_fault_parse_check("signal SIGTERM at 250ms", &aggr, err, sizeof err), 0);
  assert_int_equal(aggr, 0);
  assert_int_equal(sim_fault_parse_check("signal SIGINT after-callbacks 40", &aggr, err,
                                         sizeof err), 0);
  assert_int_equal(sim_fault_parse_check("signal TERM prob=1/50", &aggr, err, sizeof err), 0);
  assert_int_equal(sim_fault_parse_check("signal 10 at=1s", &aggr, err, sizeof err), 0);
  expect_parse_error("signal SIGFOO at=1s", "unknown signal 'SIGFOO'");
  expect_parse_error("signal 65 at=1s", "unknown signal '65'");
  expect_parse_error("signal SIGKILL at=1s", "cannot be caught");
  expect_parse_error("signal 0 at=1s", "cannot be caught");
  expect_parse_error("signal", "name a signal");
  expect_parse_error("signal SIGTERM", "exactly one of");
  expect_parse_error("signal SIGTERM at=1s after-callbacks=2", "exactly one of");
  expect_parse_error("signal SIGTERM at=soon", "at 'soon' must be a duration");
  expect_parse_error("signal SIGTERM after-callbacks=0", "must be a positive integer");
  expect_parse_error("signal SIGTERM when=1s", "unknown key 'when'");
  expect_parse_error("signal SIGTERM at", "'at' needs a value");
  /* datagram rules */
  assert_int_equal(sim_fault_parse_check("dgram loss", &aggr, err, sizeof err), 0);
  assert_int_equal(aggr, 0);
  assert_int_equal(sim_fault_parse_check("dgram path=127.0.0.1:* prob=1/10 dup", &aggr, err,
                                         sizeof err), 0);
  assert_int_equal(aggr, 0);
  assert_int_equal(sim_fault_parse_check("dgram short=3", &aggr, err, sizeof err), 0);
  assert_int_equal(aggr, 1);            /* no network cuts a datagram */
  expect_parse_error("dgram err=EIO", "a datagram's effects are loss, dup or short=");
  expect_parse_error("dgram loss dup", "exactly one of loss, dup, short=");
  expect_parse_error("dgram", "exactly one of loss, dup, short=");
  expect_parse_error("send loss", "'loss' is not key=value");
  expect_parse_error("write err=ENOSPACE", "unknown error name 'ENOSPACE'");
  expect_parse_error("write nth=0 err=EIO", "nth '0' must be a positive integer");
  expect_parse_error("write nth=2 after=1 err=EIO", "cannot be combined");
  expect_parse_error("write errr=EIO", "unknown key 'errr'");
  expect_parse_error("write EIO", "'EIO' is not key=value");
  expect_parse_error("write nth=2", "no effect");
  expect_parse_error("stat short=3", "short= applies only to");
  expect_parse_error("write prob=1/1 err=EIO", "prob '1/1'");
  expect_parse_error("write prob=1/4 nth=2 err=EIO", "prob= cannot be combined");
  expect_parse_error("write delay=5 minutes", "'minutes' is not key=value");
  expect_parse_error("write delay=5m", "delay '5m'");
  expect_parse_error("dns err=EIO", "EAI_ name");
  expect_parse_error("write err=EAI_AGAIN", "applies only to 'dns'");
  expect_parse_error("", "empty spec");
  expect_parse_error("send delay=5ms", "delay= applies to file and dns");
  /* Aggressive rules need aggressive mode. */
  sim_faults* f = sim_faults_new();
  assert_int_equal(sim_fault_add(f, "read err=ENOSPC", 0, err, sizeof err), -1);
  assert_non_null(strstr(err, "aggressive"));
  assert_int_equal(sim_fault_add(f, "read err=ENOSPC", 1, err, sizeof err), 0);
  assert_int_equal(sim_fault_aggressive(f, 0), 1);
  sim_faults_free(f);
}

static void countdown_rules(void** state) {
  (void)state;
  sim w;
  sim_config cfg = { .source = SIM_SRC_LIST, .keep_trace = 1 };
  sim_init(&w, &cfg);
  sim_faults* f = sim_faults_new();
  sim_faults_attach(f, &w);
  char err[256];
  assert_int_equal(sim_fault_add(f, "write path=/data/* after=2 count=2 err=ENOSPC",
                                 0, err, sizeof err), 0);
  assert_int_equal(sim_fault_add(f, "read fd=1001 nth=1 err=EIO", 0, err, sizeof err), 0);
  sim_fault_hit hit;
  int pattern[6];
  for (int i = 0; i < 6; i++) {
    memset(&hit, 0, sizeof hit);
    pattern[i] = sim_fault_check(f, SIM_FOP_WRITE, "/data/log", 1000, &hit);
    if (pattern[i]) assert_int_equal(hit.err, ENOSPC);
    /* Other targets and operations neither fail nor count. */
    assert_int_equal(sim_fault_check(f, SIM_FOP_WRITE, "/etc/x", 1000, &hit), 0);
  }
  int want[6] = { 0, 0, 1, 1, 0, 0 };
  assert_memory_equal(pattern, want, sizeof want);
  assert_int_equal(sim_fault_check(f, SIM_FOP_READ, "/a", 1000, &hit), 0);
  assert_int_equal(sim_fault_check(f, SIM_FOP_READ, "/a", 1001, &hit), 1);
  assert_int_equal(hit.err, EIO);
  assert_int_equal(sim_fault_check(f, SIM_FOP_READ, "/a", 1001, &hit), 0);
  /* Every fault taken is in the trace. */
  assert_int_equal(w.trace_len, 3);
  sim_faults_rewind(f);
  assert_int_equal(sim_fault_check(f, SIM_FOP_READ, "/a", 1001, &hit), 1);
  sim_faults_free(f);
  sim_free(&w);
}

/* Probabilistic faults are decisions: the same seed faults the same calls,
 * and a replay from the decision list alone reproduces the hash. */
static uint64_t prob_run(sim* w, const sim_config* cfg, char* pattern) {
  sim_reset(w, cfg);
  sim_faults* f = sim_faults_new();
  sim_faults_attach(f, w);
  char err[256];
  assert_int_equal(sim_fault_add(f, "send prob=1/3 err=ECONNRESET", 0, err,
                                 sizeof err), 0);
  for (int i = 0; i < 40; i++) {
    sim_fault_hit hit = {0};
    pattern[i] = sim_fault_check(f, SIM_FOP_SEND, "127.0.0.1:80", 5000, &hit) ? 'X' : '.';
  }
  pattern[40] = '\0';
  sim_faults_free(f);
  return sim_trace_hash(w);
}

static void probabilistic_faults_replay(void** state) {
  (void)state;
  sim w;
  sim_config seeded = { .source = SIM_SRC_SEED, .seed = 99 };
  sim_init(&w, &seeded);
  char a[41], b[41];
  uint64_t h = prob_run(&w, &seeded, a);
  assert_non_null(strchr(a, 'X'));
  assert_non_null(strchr(a, '.'));
  sim_repro r;
  sim_repro_init(&r);
  assert_int_equal(sim_repro_take_log(&r, &w), 0);
  uint32_t* list = sim_repro_choices(&r);
  sim_config replay = { .source = SIM_SRC_LIST, .list = list,
                        .list_len = r.ndecisions };
  assert_int_equal(prob_run(&w, &replay, b), h);
  assert_string_equal(a, b);
  sim_config natural = { .source = SIM_SRC_LIST };
  prob_run(&w, &natural, b);
  assert_null(strchr(b, 'X'));            /* choice 0 = no fault */
  free(list);
  sim_repro_free(&r);
  sim_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(dns_lookups),
    cmocka_unit_test(fault_specs_valid_and_invalid),
    cmocka_unit_test(countdown_rules),
    cmocka_unit_test(probabilistic_faults_replay),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
