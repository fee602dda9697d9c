/* sim/sim_net.c — the simulated network (see net.h for the model). Sockets sit
 * in a table indexed by id - SIM_NET_ID_BASE; ids are not reused within a
 * run, so a transfer in flight names its endpoints by id and finds a closed
 * one gone, never a stranger. Every transfer is a `xfer` carrying its own
 * sim_event; all live transfers are linked so that a reset can drop them. */
#include "sim/sim_net.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sim/sim_util.h"

enum sstate {
  S_FRESH,                      /* created, maybe bound                     */
  S_LISTENING,
  S_CONNECTING,
  S_CONNECTED,                  /* incl. after FIN/RST: see rst, rx_fin     */
  S_FAILED                      /* connect failed; connect_err holds why    */
};

enum xkind { X_SYN, X_DATA, X_FIN, X_RST };

typedef struct sock {
  int id;
  int family;
  enum sstate state;
  int bound;                    /* bind() or listen(): owns local address   */
  int v6only;
  sim_addr local, peer;
  int peer_id;
  /* receive side */
  char* rx;
  size_t rx_head, rx_len, rx_cap;
  int rx_fin;                   /* FIN arrived after the buffered data      */
  int rst;                      /* connection reset                         */
  int err;                      /* error reported once (read or write)      */
  int rd_shut;                  /* shutdown(SHUT_RD): reads end at the data */
  /* send side */
  int wr_shut;
  size_t inflight;              /* bytes sent, not yet arrived              */
  uint64_t last_arrival;        /* FIFO: no transfer overtakes another      */
  int last_scheduled;           /* the last transfer went through the event
                                 * queue (may still be in flight)           */
  int want_out;                 /* a write hit the buffer limit             */
  size_t sndbuf, rcvbuf;        /* SO_SNDBUF, SO_RCVBUF                     */
  /* connect */
  int connect_err;              /* > 0 until reported                       */
  int syn_tries;
  /* listener */
  int* acceptq;
  size_t aq_head, aq_len, aq_cap;
  int backlog;
  /* loop glue */
  sim_net_notify_fn notify;
  void* notify_data;
  const char* label;
  const char* lbl_read;
  const char* lbl_write;
  const char* lbl_connect;
} sock;

typedef struct xfer {
  sim_event ev;                 /* first: the event handler casts back      */
  sim_net* net;
  struct xfer *prev, *next;     /* all live transfers                       */
  enum xkind kind;
  int src, dst;                 /* SYN: src = client, dst unused            */
  sim_addr to;                  /* SYN: the address connected to            */
  size_t len;
  char data[];
} xfer;

struct sim_net {
  sim* world;
  sock** socks;
  size_t nsocks, socks_cap;     /* nsocks = ids handed out this run         */
  size_t nopen;
  xfer* xfers;
  size_t nxfers;
  uint16_t next_ephemeral;
  unsigned latency_buckets;
  sim_addr hosts[16];
  size_t nhosts;
};

/* 0 (loopback), then a LAN, a WAN, a congested path, a retransmission
 * (200 ms is Linux's minimum RTO, 1 s its initial SYN timeout) and a long
 * stall (docs/world.md, "Latency tails"). */
static const uint64_t latency_ns[] = { 0, 100000, 2000000, 50000000,
                                       200000000, 1000000000, 10000000000 };

/* -------------------------------------------------------------- helpers */

static sim* world(const sim_net* net) {
  return net->world ? net->world : sim_current();
}

static sock* get(const sim_net* net, int id) {
  if (id < SIM_NET_ID_BASE) return NULL;
  size_t i = (size_t)(id - SIM_NET_ID_BASE);
  return i < net->nsocks ? net->socks[i] : NULL;
}

static void notify(sock* s, unsigned events) {
  if (s->notify) s->notify(s->notify_data, s->id, events);
}

static int is_wildcard(const sim_addr* a) {
  static const uint8_t zero[16];
  if (a->family == AF_INET) return memcmp(a->ip, zero, 4) == 0;
  if (a->family == AF_INET6) return memcmp(a->ip, zero, 16) == 0;
  return 0;
}

static int is_loopback(const sim_addr* a) {
  static const uint8_t one6[16] = { [15] = 1 };
  if (a->family == AF_INET) return a->ip[0] == 127;
  if (a->family == AF_INET6) return memcmp(a->ip, one6, 16) == 0;
  return 0;
}

static int same_ip(const sim_addr* a, const sim_addr* b) {
  if (a->family != b->family) return 0;
  return memcmp(a->ip, b->ip, a->family == AF_INET ? 4 : 16) == 0;
}

static int is_local(const sim_net* net, const sim_addr* a) {
  if (is_wildcard(a) || is_loopback(a)) return 1;
  for (size_t i = 0; i < net->nhosts; i++)
    if (same_ip(&net->hosts[i], a)) return 1;
  return 0;
}

int sim_net_is_local(const sim_net* net, const sim_addr* a) { return is_local(net, a); }

/* ------------------------------------------------------------ addresses */

int sim_addr_ip4(sim_addr* a, const char* ip, uint16_t port) {
  memset(a, 0, sizeof *a);
  a->family = AF_INET;
  a->port = port;
  return inet_pton(AF_INET, ip, a->ip) == 1 ? 0 : -EINVAL;
}

int sim_addr_ip6(sim_addr* a, const char* ip, uint16_t port) {
  memset(a, 0, sizeof *a);
  a->family = AF_INET6;
  a->port = port;
  return inet_pton(AF_INET6, ip, a->ip) == 1 ? 0 : -EINVAL;
}

int sim_addr_path(sim_addr* a, const char* path) {
  memset(a, 0, sizeof *a);
  a->family = AF_UNIX;
  size_t n = strlen(path);
  if (n >= SIM_NET_PATH_MAX) return -ENAMETOOLONG;
  memcpy(a->path, path, n + 1);
  return 0;
}

int sim_addr_from_sockaddr(sim_addr* a, const struct sockaddr* sa) {
  memset(a, 0, sizeof *a);
  if (sa == NULL) return -EINVAL;
  a->family = sa->sa_family;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in* in = (const struct sockaddr_in*)sa;
    memcpy(a->ip, &in->sin_addr, 4);
    a->port = ntohs(in->sin_port);
    return 0;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6* in6 = (const struct sockaddr_in6*)sa;
    memcpy(a->ip, &in6->sin6_addr, 16);
    a->port = ntohs(in6->sin6_port);
    return 0;
  }
  if (sa->sa_family == AF_UNIX) {
    const struct sockaddr_un* un = (const struct sockaddr_un*)sa;
    return sim_addr_path(a, un->sun_path);
  }
  return -EAFNOSUPPORT;
}

int sim_addr_to_sockaddr(const sim_addr* a, struct sockaddr_storage* ss) {
  memset(ss, 0, sizeof *ss);
  if (a->family == AF_INET) {
    struct sockaddr_in* in = (struct sockaddr_in*)ss;
    in->sin_family = AF_INET;
    in->sin_port = htons(a->port);
    memcpy(&in->sin_addr, a->ip, 4);
    return (int)sizeof *in;
  }
  if (a->family == AF_INET6) {
    struct sockaddr_in6* in6 = (struct sockaddr_in6*)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a->port);
    memcpy(&in6->sin6_addr, a->ip, 16);
    return (int)sizeof *in6;
  }
  if (a->family == AF_UNIX) {
    struct sockaddr_un* un = (struct sockaddr_un*)ss;
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, a->path, sizeof un->sun_path);
    return (int)(offsetof(struct sockaddr_un, sun_path) + strlen(a->path) + 1);
  }
  return -EINVAL;
}

int sim_net_add_host(sim_net* net, const sim_addr* a) {
  if (a->family != AF_INET && a->family != AF_INET6) return -EINVAL;
  if (is_local(net, a)) return 0;
  if (net->nhosts == sizeof net->hosts / sizeof *net->hosts) return -ENOSPC;
  net->hosts[net->nhosts++] = *a;
  return 0;
}

/* ------------------------------------------------------------ lifecycle */

sim_net* sim_net_new(void) {
  sim_net* net = sim_xmalloc(sizeof *net);
  memset(net, 0, sizeof *net);
  net->latency_buckets = sizeof latency_ns / sizeof *latency_ns;
  net->next_ephemeral = SIM_NET_EPHEMERAL_FIRST;
  return net;
}

static void sock_free(sim_net* net, sock* s) {
  net->socks[s->id - SIM_NET_ID_BASE] = NULL;
  net->nopen--;
  free(s->rx);
  free(s->acceptq);
  free(s);
}

static void xfer_free(sim_net* net, xfer* x) {
  if (sim_event_queued(&x->ev)) sim_event_cancel(world(net), &x->ev);
  if (x->prev) x->prev->next = x->next;
  else net->xfers = x->next;
  if (x->next) x->next->prev = x->prev;
  net->nxfers--;
  free(x);
}

void sim_net_reset(sim_net* net) {
  while (net->xfers) xfer_free(net, net->xfers);
  for (size_t i = 0; i < net->nsocks; i++)
    if (net->socks[i]) sock_free(net, net->socks[i]);
  assert(net->nopen == 0);
  net->nsocks = 0;
  net->nhosts = 0;
  net->next_ephemeral = SIM_NET_EPHEMERAL_FIRST;
}

void sim_net_free(sim_net* net) {
  if (net == NULL) return;
  sim_net_reset(net);
  free(net->socks);
  free(net);
}

void sim_net_attach(sim_net* net, sim* s) { net->world = s; }

sim_net* sim_net_current(void) {
  static sim_net* current;
  if (current == NULL) current = sim_net_new();
  return current;
}

void sim_net_set_latency_buckets(sim_net* net, unsigned n) {
  unsigned max = sizeof latency_ns / sizeof *latency_ns;
  net->latency_buckets = n == 0 ? 1 : n > max ? max : n;
}

size_t sim_net_open_count(const sim_net* net) { return net->nopen; }
size_t sim_net_inflight_count(const sim_net* net) { return net->nxfers; }

/* -------------------------------------------------------------- sockets */

static void set_labels(sim_net* net, sock* s, const char* label) {
  sim* w = world(net);
  s->label = label;
  s->lbl_read = sim_internf(w, "%s read", label);
  s->lbl_write = sim_internf(w, "%s write", label);
  s->lbl_connect = sim_internf(w, "%s connect", label);
}

static sock* sock_new(sim_net* net, int family) {
  if (net->nsocks == net->socks_cap) {
    net->socks_cap = net->socks_cap ? net->socks_cap * 2 : 64;
    net->socks = realloc(net->socks, net->socks_cap * sizeof *net->socks);
    if (net->socks == NULL) abort();
  }
  sock* s = sim_xmalloc(sizeof *s);
  memset(s, 0, sizeof *s);
  s->id = SIM_NET_ID_BASE + (int)net->nsocks;
  s->family = family;
  s->local.family = family;
  s->sndbuf = s->rcvbuf = SIM_NET_SOCKBUF_DEFAULT;
  net->socks[net->nsocks++] = s;
  net->nopen++;
  set_labels(net, s, sim_internf(world(net), "%s#%d",
                                 family == AF_UNIX ? "pipe" : "tcp",
                                 s->id - SIM_NET_ID_BASE));
  return s;
}

int sim_net_socket(sim_net* net, int family) {
  if (family != AF_INET && family != AF_INET6 && family != AF_UNIX)
    return -EAFNOSUPPORT;
  return sock_new(net, family)->id;
}

int sim_net_socketpair(sim_net* net, int ids[2]) {
  sock* a = sock_new(net, AF_UNIX);
  sock* b = sock_new(net, AF_UNIX);
  a->state = b->state = S_CONNECTED;
  a->peer_id = b->id;
  b->peer_id = a->id;
  a->peer.family = b->peer.family = AF_UNIX;
  ids[0] = a->id;
  ids[1] = b->id;
  return 0;
}

void sim_net_set_label(sim_net* net, int id, const char* label) {
  sock* s = get(net, id);
  if (s) set_labels(net, s, label);
}

void sim_net_set_notify(sim_net* net, int id, sim_net_notify_fn fn, void* data) {
  sock* s = get(net, id);
  if (s == NULL) return;
  s->notify = fn;
  s->notify_data = data;
}

int sim_net_set_v6only(sim_net* net, int id, int on) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (s->family != AF_INET6) return -EINVAL;
  s->v6only = on != 0;
  return 0;
}

/* Does a bound socket `o` already own an address overlapping `a`? */
static int clashes(const sock* o, const sim_addr* a) {
  if (!o->bound) return 0;
  if (a->family == AF_UNIX || o->local.family == AF_UNIX)
    return a->family == o->local.family && strcmp(a->path, o->local.path) == 0;
  if (o->local.port != a->port) return 0;
  if (o->local.family == a->family)
    return is_wildcard(&o->local) || is_wildcard(a) || same_ip(&o->local, a);
  /* A dual-stack [::] socket owns the IPv4 port too. */
  const sim_addr* six = o->local.family == AF_INET6 ? &o->local : a;
  int six_only = o->local.family == AF_INET6 ? o->v6only : 0;
  return is_wildcard(six) && !six_only;
}

static int addr_in_use(const sim_net* net, const sock* self, const sim_addr* a) {
  for (size_t i = 0; i < net->nsocks; i++) {
    const sock* o = net->socks[i];
    if (o && o != self && clashes(o, a)) return 1;
  }
  return 0;
}

static uint16_t ephemeral(sim_net* net, const sock* self, sim_addr* a) {
  for (unsigned tries = 0;
       tries <= SIM_NET_EPHEMERAL_LAST - SIM_NET_EPHEMERAL_FIRST; tries++) {
    uint16_t p = net->next_ephemeral++;
    if (net->next_ephemeral > SIM_NET_EPHEMERAL_LAST)
      net->next_ephemeral = SIM_NET_EPHEMERAL_FIRST;
    a->port = p;
    if (!addr_in_use(net, self, a)) return p;
  }
  return 0;
}

int sim_net_bind(sim_net* net, int id, const sim_addr* a) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (a->family != s->family) return -EINVAL;
  if (s->bound || s->state != S_FRESH) return -EINVAL;
  if (a->family != AF_UNIX && !is_local(net, a)) return -EADDRNOTAVAIL;
  if (a->family == AF_UNIX && a->path[0] == '\0') return -EINVAL;
  sim_addr want = *a;
  if (want.family != AF_UNIX && want.port == 0) {
    if (ephemeral(net, s, &want) == 0) return -EADDRINUSE;
  } else if (addr_in_use(net, s, &want)) {
    return -EADDRINUSE;
  }
  s->local = want;
  s->bound = 1;
  return 0;
}

int sim_net_listen(sim_net* net, int id, int backlog) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (s->state == S_LISTENING) {
    s->backlog = backlog;
    return 0;
  }
  if (s->state != S_FRESH) return -EINVAL;
  if (!s->bound) {
    if (s->family == AF_UNIX) return -EINVAL;
    memset(s->local.ip, 0, sizeof s->local.ip);   /* autobind: wildcard */
    if (ephemeral(net, s, &s->local) == 0) return -EADDRINUSE;
    s->bound = 1;
  }
  s->state = S_LISTENING;
  s->backlog = backlog < 1 ? 1 : backlog;
  return 0;
}

static void aq_push(sock* l, int id) {
  if (l->aq_len == l->aq_cap) {
    size_t cap = l->aq_cap ? l->aq_cap * 2 : 8;
    int* q = sim_xmalloc(cap * sizeof *q);
    for (size_t i = 0; i < l->aq_len; i++)
      q[i] = l->acceptq[(l->aq_head + i) % l->aq_cap];
    free(l->acceptq);
    l->acceptq = q;
    l->aq_cap = cap;
    l->aq_head = 0;
  }
  l->acceptq[(l->aq_head + l->aq_len++) % l->aq_cap] = id;
}

int sim_net_accept(sim_net* net, int id) {
  sock* l = get(net, id);
  if (l == NULL) return -EBADF;
  if (l->state != S_LISTENING) return -EINVAL;
  if (l->aq_len == 0) return -EAGAIN;
  int c = l->acceptq[l->aq_head];
  l->aq_head = (l->aq_head + 1) % l->aq_cap;
  l->aq_len--;
  return c;
}

int sim_net_is_listening(sim_net* net, int id) {
  sock* s = get(net, id);
  return s && s->state == S_LISTENING;
}

int sim_net_family(sim_net* net, int id) {
  sock* s = get(net, id);
  return s ? s->family : 0;
}

/* ------------------------------------------------------------ transfers */

static void xfer_fire(sim* w, sim_event* ev);

static xfer* xfer_make(sim_net* net, sock* src, enum xkind kind, int dst,
                       const void* data, size_t len) {
  xfer* x = sim_xmalloc(sizeof *x + len);
  memset(x, 0, sizeof *x);
  sim_event_init(&x->ev, xfer_fire,
                 kind == X_SYN ? src->lbl_connect : src->lbl_write);
  x->net = net;
  x->kind = kind;
  x->src = src->id;
  x->dst = dst;
  x->len = len;
  if (len) memcpy(x->data, data, len);
  x->next = net->xfers;
  if (net->xfers) net->xfers->prev = x;
  net->xfers = x;
  net->nxfers++;
  return x;
}

/* Sends a transfer made by xfer_make. The latency is a decision unless
 * `delay` (ns) is fixed (>= 0); arrival never precedes the previous transfer
 * of the same stream. */
static void xfer_post(sim_net* net, sock* src, xfer* x, int64_t delay) {
  sim* w = world(net);
  enum xkind kind = x->kind;
  size_t len = x->len;
  uint64_t now = sim_now(w);
  uint64_t at = now;
  if (delay >= 0) {
    at += (uint64_t)delay;
  } else {
    uint32_t b = sim_choose(w, SIM_NET_LATENCY, net->latency_buckets,
                            kind == X_SYN ? src->lbl_connect : src->lbl_write);
    at += latency_ns[b];
  }
  /* An earlier transfer of this stream scheduled for this very instant may
   * not have fired yet: this one must queue behind it, not overtake it. */
  int behind = src->last_scheduled && src->last_arrival >= now;
  if (at < src->last_arrival) at = src->last_arrival;
  src->last_arrival = at;
  if (kind == X_DATA) src->inflight += len;
  src->last_scheduled = !(at == now && !behind);
  if (at == now && !behind) {
    /* No latency and nothing of this stream still in flight: delivered
     * within the call, as the loopback device does inside write(2) and
     * connect(2) (the peer's queue holds the data, or the reset is known,
     * before the syscall returns). */
    xfer_fire(w, &x->ev);
    return;
  }
  sim_event_schedule(w, &x->ev, at);
}

static void xfer_send(sim_net* net, sock* src, enum xkind kind, int dst,
                      const void* data, size_t len) {
  xfer_post(net, src, xfer_make(net, src, kind, dst, data, len), -1);
}

static void syn_sched(sim_net* net, sock* c, const sim_addr* to,
                      int64_t delay) {
  xfer* x = xfer_make(net, c, X_SYN, 0, NULL, 0);
  x->to = *to;
  xfer_post(net, c, x, delay);
}

/* A reply that is not part of a stream (RST to a closed socket's sender). */
static void send_rst(sim_net* net, sock* from_or_null, int from_id, int to) {
  sock tmp;
  sock* src = from_or_null;
  if (src == NULL) {
    memset(&tmp, 0, sizeof tmp);
    tmp.id = from_id;
    tmp.lbl_write = "rst";
    tmp.lbl_connect = "rst";
    src = &tmp;
  }
  xfer_send(net, src, X_RST, to, NULL, 0);
}

static sock* find_listener(const sim_net* net, const sim_addr* to) {
  const sock* best = NULL;
  for (size_t i = 0; i < net->nsocks; i++) {
    const sock* o = net->socks[i];
    if (o == NULL || o->state != S_LISTENING) continue;
    if (to->family == AF_UNIX) {
      if (o->family == AF_UNIX && strcmp(o->local.path, to->path) == 0)
        return (sock*)o;
      continue;
    }
    if (o->local.port != to->port || o->family == AF_UNIX) continue;
    if (o->family == to->family && same_ip(&o->local, to)) return (sock*)o;
    if (best == NULL && is_wildcard(&o->local) &&
        (o->family == to->family || (o->family == AF_INET6 && !o->v6only)))
      best = o;
  }
  return (sock*)best;
}

static void connect_fail(sock* c, int err) {
  c->state = S_FAILED;
  c->connect_err = err;
  notify(c, SIM_NET_OUT | SIM_NET_ERR);
}

static void arrive_syn(sim_net* net, xfer* x) {
  sock* c = get(net, x->src);
  if (c == NULL || c->state != S_CONNECTING) return;   /* gave up meanwhile */
  if (x->to.family != AF_UNIX && !is_local(net, &x->to)) {
    connect_fail(c, ETIMEDOUT);
    return;
  }
  sock* l = find_listener(net, &x->to);
  if (l == NULL) {
    if (x->to.family == AF_UNIX) connect_fail(c, ENOENT);
    else connect_fail(c, ECONNREFUSED);
    return;
  }
  if (l->aq_len > (size_t)l->backlog) {
    /* Queue full: the kernel drops the request; the client retries with
     * exponential back-off (1 s, 2 s, 4 s...) and gives up eventually. */
    if (c->syn_tries >= SIM_NET_SYN_RETRIES) {
      connect_fail(c, ETIMEDOUT);
      return;
    }
    syn_sched(net, c, &x->to, (int64_t)(1000000000ull << c->syn_tries++));
    return;
  }
  sock* s = sock_new(net, c->family);
  s->state = S_CONNECTED;
  s->local = x->to;
  if (x->to.family == AF_UNIX) s->local = l->local;
  s->peer = c->local;
  s->peer_id = c->id;
  s->last_arrival = sim_now(world(net));
  c->state = S_CONNECTED;
  c->peer = x->to;
  c->peer_id = s->id;
  aq_push(l, s->id);
  /* The listener learns first: on real loopback the server side becomes
   * acceptable within the client's connect(2), before the client's fd is
   * even registered with epoll. */
  notify(l, SIM_NET_IN);
  notify(c, SIM_NET_OUT);
}

static void arrive_data(sim_net* net, xfer* x, sock* dst) {
  if (dst->rx_head + dst->rx_len + x->len > dst->rx_cap) {
    if (dst->rx_head > 0) {
      memmove(dst->rx, dst->rx + dst->rx_head, dst->rx_len);
      dst->rx_head = 0;
    }
    if (dst->rx_len + x->len > dst->rx_cap) {
      size_t cap = dst->rx_cap ? dst->rx_cap : 4096;
      while (cap < dst->rx_len + x->len) cap *= 2;
      dst->rx = realloc(dst->rx, cap);
      if (dst->rx == NULL) abort();
      dst->rx_cap = cap;
    }
  }
  memcpy(dst->rx + dst->rx_head + dst->rx_len, x->data, x->len);
  dst->rx_len += x->len;
  (void)net;
  notify(dst, SIM_NET_IN);
}

static void xfer_fire(sim* w, sim_event* ev) {
  (void)w;
  xfer* x = (xfer*)ev;
  sim_net* net = x->net;
  sock* src = get(net, x->src);
  if (x->kind == X_DATA && src) {
    assert(src->inflight >= x->len);
    src->inflight -= x->len;
  }
  if (x->kind == X_SYN) {
    arrive_syn(net, x);
    xfer_free(net, x);
    return;
  }
  sock* dst = get(net, x->dst);
  int alive = dst && dst->state == S_CONNECTED && dst->peer_id == x->src &&
              !dst->rst;
  if (!alive) {
    /* Data or FIN for a socket that is gone: the kernel answers RST. */
    if (x->kind != X_RST && (x->kind == X_DATA || dst == NULL))
      if (src && !src->rst) send_rst(net, NULL, x->dst, x->src);
    xfer_free(net, x);
    return;
  }
  switch (x->kind) {
  case X_DATA:
    arrive_data(net, x, dst);
    break;
  case X_FIN:
    dst->rx_fin = 1;
    notify(dst, SIM_NET_IN);
    break;
  case X_RST:
    dst->rst = 1;
    /* Linux's tcp_reset: after the peer's FIN (CLOSE_WAIT) the pending
     * error is EPIPE, else ECONNRESET; a reader that saw the FIN keeps
     * seeing EOF either way (sim_net_read). */
    dst->err = dst->rx_fin ? EPIPE : ECONNRESET;
    dst->peer_id = 0;
    notify(dst, SIM_NET_IN | SIM_NET_OUT | SIM_NET_ERR | SIM_NET_HUP);
    break;
  case X_SYN:
    break;
  }
  xfer_free(net, x);
}

/* ------------------------------------------------------------- connect */

int sim_net_connect(sim_net* net, int id, const sim_addr* a) {
  sock* c = get(net, id);
  if (c == NULL) return -EBADF;
  if (a->family != c->family) return -EAFNOSUPPORT;
  switch (c->state) {
  case S_CONNECTING: return -EALREADY;
  case S_CONNECTED: return -EISCONN;
  case S_LISTENING: return -EISCONN;
  case S_FAILED:                 /* a second try is allowed */
  case S_FRESH: break;
  }
  if (!c->bound && c->family != AF_UNIX) {
    c->local.family = c->family;
    if (is_loopback(a) || is_wildcard(a) || net->nhosts == 0) {
      if (c->family == AF_INET) sim_addr_ip4(&c->local, "127.0.0.1", 0);
      else sim_addr_ip6(&c->local, "::1", 0);
    } else {
      c->local = net->hosts[0];
    }
    if (ephemeral(net, c, &c->local) == 0) return -EADDRNOTAVAIL;
  }
  sim_addr to = *a;
  if (is_wildcard(&to)) {        /* connect(0.0.0.0) means this host */
    if (to.family == AF_INET) sim_addr_ip4(&to, "127.0.0.1", a->port);
    else sim_addr_ip6(&to, "::1", a->port);
  }
  c->state = S_CONNECTING;
  c->connect_err = 0;
  c->syn_tries = 0;
  c->peer = to;
  if (to.family != AF_UNIX && !is_local(net, &to)) {
    /* No such machine: nothing answers, the kernel gives up after ~2 min. */
    syn_sched(net, c, &to, (int64_t)SIM_NET_UNREACHABLE_NS);
    return 0;
  }
  syn_sched(net, c, &to, -1);
  if (c->state == S_FAILED && c->connect_err) {
    /* Refused within connect(2) (no latency): reported at once. */
    int e = c->connect_err;
    c->connect_err = 0;
    return -e;
  }
  return 0;
}

int sim_net_connect_result(sim_net* net, int id) {
  sock* c = get(net, id);
  if (c == NULL) return -EBADF;
  if (c->state == S_CONNECTING) return -EINPROGRESS;
  if (c->state == S_FAILED && c->connect_err) {
    int e = c->connect_err;
    c->connect_err = 0;
    return -e;
  }
  return 0;
}

int sim_net_connecting(sim_net* net, int id) {
  sock* c = get(net, id);
  return c != NULL && c->state == S_CONNECTING;
}

/* --------------------------------------------------------- read / write */

static size_t space_toward(const sim_net* net, const sock* s) {
  const sock* p = get(net, s->peer_id);
  size_t used = s->inflight + (p ? p->rx_len : 0);
  size_t cap = s->sndbuf + (p ? p->rcvbuf : SIM_NET_SOCKBUF_DEFAULT);
  return used >= cap ? 0 : cap - used;
}

static int bufsize(sim_net* net, int id, int* value, int rcv) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (value == NULL || *value < 0) return -EINVAL;
  size_t* field = rcv ? &s->rcvbuf : &s->sndbuf;
  if (*value == 0) {
    *value = (int)*field;
    return 0;
  }
  size_t v = (size_t)*value * 2;     /* Linux doubles what it is given */
  if (v < 4608) v = 4608;
  *field = v;
  return 0;
}

int sim_net_sndbuf(sim_net* net, int id, int* value) { return bufsize(net, id, value, 0); }
int sim_net_rcvbuf(sim_net* net, int id, int* value) { return bufsize(net, id, value, 1); }

ssize_t sim_net_read(sim_net* net, int id, void* buf, size_t len) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (s->state == S_LISTENING) return -EINVAL;
  if (s->state != S_CONNECTED) return -ENOTCONN;
  if (len == 0) return 0;
  if (s->rx_len > 0) {
    size_t n = s->rx_len < len ? s->rx_len : len;
    uint32_t c = sim_choose(world(net), SIM_READ_SPLIT,
                            (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n),
                            s->lbl_read);
    if (c != 0) n = c;
    memcpy(buf, s->rx + s->rx_head, n);
    s->rx_head += n;
    s->rx_len -= n;
    if (s->rx_len == 0) s->rx_head = 0;
    /* Room again in the peer's direction: wake a writer that hit the cap. */
    sock* p = get(net, s->peer_id);
    if (p && p->want_out && space_toward(net, p) > 0) {
      p->want_out = 0;
      notify(p, SIM_NET_OUT);
    }
    return (ssize_t)n;
  }
  /* The FIN came before any reset (nothing arrives after one): EOF, as
   * Linux's tcp_recvmsg checks SOCK_DONE before the pending error, which
   * the next write then reports. */
  if (s->rx_fin) return 0;
  if (s->err) {
    int e = s->err;
    s->err = 0;
    return -e;
  }
  if (s->rst || s->rd_shut) return 0;
  return -EAGAIN;
}

ssize_t sim_net_write(sim_net* net, int id, const void* buf, size_t len) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (s->state == S_CONNECTING) return -EAGAIN;
  if (s->state != S_CONNECTED) return -EPIPE;
  if (s->err) {
    int e = s->err;
    s->err = 0;
    return -e;
  }
  if (s->wr_shut || s->rst) return -EPIPE;
  if (len == 0) return 0;
  size_t room = space_toward(net, s);
  if (room == 0) {
    s->want_out = 1;
    return -EAGAIN;
  }
  size_t n = len < room ? len : room;
  if (n < len) s->want_out = 1;
  xfer_send(net, s, X_DATA, s->peer_id, buf, n);
  return (ssize_t)n;
}

int sim_net_shutdown(sim_net* net, int id) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  /* a reset connection is closed (TCP_CLOSE): shutdown(2) says ENOTCONN */
  if (s->state != S_CONNECTED || s->rst) return -ENOTCONN;
  if (s->wr_shut) return 0;
  s->wr_shut = 1;
  if (!s->rst) xfer_send(net, s, X_FIN, s->peer_id, NULL, 0);
  return 0;
}

/* Linux keeps queueing what arrives after SHUT_RD; a read returns what is
 * buffered, then 0 instead of EAGAIN. */
int sim_net_shutdown_read(sim_net* net, int id) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (s->state != S_CONNECTED || s->rst) return -ENOTCONN;
  if (!s->rd_shut) {
    s->rd_shut = 1;
    notify(s, SIM_NET_IN);
  }
  return 0;
}

int sim_net_close(sim_net* net, int id, int reset) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (s->state == S_LISTENING) {
    /* Connections nobody accepted are reset. */
    while (s->aq_len > 0) sim_net_close(net, sim_net_accept(net, id), 1);
  } else if (s->state == S_CONNECTED && !s->rst && get(net, s->peer_id)) {
    /* Linux: unread data at close means the peer gets RST, not FIN. */
    if (reset || s->rx_len > 0) xfer_send(net, s, X_RST, s->peer_id, NULL, 0);
    else if (!s->wr_shut) xfer_send(net, s, X_FIN, s->peer_id, NULL, 0);
  }
  sock_free(net, s);
  return 0;
}

unsigned sim_net_poll(sim_net* net, int id) {
  sock* s = get(net, id);
  if (s == NULL) return SIM_NET_ERR | SIM_NET_HUP;
  switch (s->state) {
  case S_FRESH: return SIM_NET_OUT | SIM_NET_HUP;
  case S_LISTENING: return s->aq_len ? SIM_NET_IN : 0;
  case S_CONNECTING: return 0;
  case S_FAILED: return SIM_NET_OUT | SIM_NET_ERR | SIM_NET_HUP;
  case S_CONNECTED: break;
  }
  unsigned ev = 0;
  if (s->rx_len || s->rx_fin || s->rst || s->err || s->rd_shut) ev |= SIM_NET_IN;
  if (s->rst || s->err) ev |= SIM_NET_OUT | SIM_NET_ERR | SIM_NET_HUP;
  else if (s->wr_shut || space_toward(net, s) > 0) ev |= SIM_NET_OUT;
  return ev;
}

int sim_net_getsockname(sim_net* net, int id, sim_addr* a) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  *a = s->local;
  return 0;
}

int sim_net_getpeername(sim_net* net, int id, sim_addr* a) {
  sock* s = get(net, id);
  if (s == NULL) return -EBADF;
  if (s->state != S_CONNECTED || s->rst) return -ENOTCONN;
  *a = s->peer;
  return 0;
}

size_t sim_net_unread(sim_net* net, int id) {
  sock* s = get(net, id);
  return s ? s->rx_len : 0;
}
