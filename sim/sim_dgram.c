/* sim/sim_dgram.c — UDP on the simulated network (see sim_dgram.h). Sockets
 * sit in a table indexed by id - SIM_DGRAM_ID_BASE; a datagram in flight
 * carries its own sim_event and names its destination by id, so a socket
 * closed meanwhile is found gone. */
#include "sim/sim_dgram.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sim/sim_fault.h"
#include "sim/sim_util.h"

typedef struct dgram {
  struct dgram* next;           /* receive queue                          */
  sim_addr from;
  size_t len;
  char data[];
} dgram;

typedef struct dsock {
  int id;
  int family;
  int bound, reuse, v6only, connected;
  sim_addr local, peer;
  dgram *rx_head, *rx_tail;
  size_t rx_count;
  sim_net_notify_fn notify;
  void* notify_data;
  const char* label;
  const char* lbl_send;
  size_t sndbuf, rcvbuf;        /* SO_SNDBUF / SO_RCVBUF as getsockopt says */
} dsock;

typedef struct flight {
  sim_event ev;                 /* first: the handler casts back          */
  sim_dgram* d;
  struct flight *prev, *next;
  int dst;
  dgram* g;
} flight;

struct sim_dgram {
  sim* world;
  dsock** socks;
  size_t nsocks, cap;
  flight* flights;
  size_t nflights;
  uint16_t next_ephemeral;
};

/* 0, 100 us, 2 ms, 50 ms: net_latency's first four buckets. */
static const uint64_t latency_ns[] = { 0, 100000, 2000000, 50000000 };

static sim* world(const sim_dgram* d) { return d->world ? d->world : sim_current(); }

static dsock* get(const sim_dgram* d, int id) {
  if (id < SIM_DGRAM_ID_BASE) return NULL;
  size_t i = (size_t)(id - SIM_DGRAM_ID_BASE);
  return i < d->nsocks ? d->socks[i] : NULL;
}

static int wildcard(const sim_addr* a) {
  static const uint8_t zero[16];
  return memcmp(a->ip, zero, a->family == AF_INET ? 4 : 16) == 0;
}

static int same_ip(const sim_addr* a, const sim_addr* b) {
  return a->family == b->family &&
         memcmp(a->ip, b->ip, a->family == AF_INET ? 4 : 16) == 0;
}

/* The local address `s` is bound to covers `a` (ip and port). A dual-stack
 * [::] socket also takes IPv4. */
static int covers(const dsock* s, const sim_addr* a) {
  if (!s->bound || s->local.port != a->port) return 0;
  if (s->local.family == a->family) return wildcard(&s->local) || same_ip(&s->local, a);
  return s->local.family == AF_INET6 && a->family == AF_INET && !s->v6only &&
         wildcard(&s->local);
}

sim_dgram* sim_dgram_current(void) {
  static sim_dgram* current;
  if (current == NULL) {
    current = sim_xmalloc(sizeof *current);
    memset(current, 0, sizeof *current);
    current->next_ephemeral = SIM_NET_EPHEMERAL_FIRST;
  }
  return current;
}

static void flight_free(sim_dgram* d, flight* f) {
  if (sim_event_queued(&f->ev)) sim_event_cancel(world(d), &f->ev);
  if (f->prev) f->prev->next = f->next;
  else d->flights = f->next;
  if (f->next) f->next->prev = f->prev;
  d->nflights--;
  free(f->g);
  free(f);
}

static void sock_free(sim_dgram* d, dsock* s) {
  while (s->rx_head) {
    dgram* g = s->rx_head;
    s->rx_head = g->next;
    free(g);
  }
  d->socks[s->id - SIM_DGRAM_ID_BASE] = NULL;
  free(s);
}

void sim_dgram_reset(sim_dgram* d) {
  while (d->flights) flight_free(d, d->flights);
  for (size_t i = 0; i < d->nsocks; i++)
    if (d->socks[i]) sock_free(d, d->socks[i]);
  d->nsocks = 0;
  d->next_ephemeral = SIM_NET_EPHEMERAL_FIRST;
}

void sim_dgram_attach(sim_dgram* d, sim* s) { d->world = s; }
size_t sim_dgram_inflight_count(const sim_dgram* d) { return d->nflights; }

int sim_dgram_socket(sim_dgram* d, int family) {
  if (family != AF_INET && family != AF_INET6) return -EAFNOSUPPORT;
  if (d->nsocks == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 16;
    d->socks = sim_xrealloc(d->socks, d->cap * sizeof *d->socks);
  }
  dsock* s = sim_xmalloc(sizeof *s);
  memset(s, 0, sizeof *s);
  s->id = SIM_DGRAM_ID_BASE + (int)d->nsocks;
  s->family = family;
  s->sndbuf = SIM_DGRAM_BUF_DEFAULT;
  s->rcvbuf = SIM_DGRAM_BUF_DEFAULT;
  d->socks[d->nsocks++] = s;
  sim_dgram_set_label(d, s->id, sim_internf(world(d), "udp#%d", s->id - SIM_DGRAM_ID_BASE));
  return s->id;
}

void sim_dgram_set_label(sim_dgram* d, int id, const char* label) {
  dsock* s = get(d, id);
  if (s == NULL) return;
  s->label = label;
  s->lbl_send = sim_internf(world(d), "%s send", label);
}

void sim_dgram_set_notify(sim_dgram* d, int id, sim_net_notify_fn fn, void* data) {
  dsock* s = get(d, id);
  if (s == NULL) return;
  s->notify = fn;
  s->notify_data = data;
}

static int in_use(const sim_dgram* d, const dsock* self, const sim_addr* a, int reuse) {
  for (size_t i = 0; i < d->nsocks; i++) {
    const dsock* o = d->socks[i];
    if (o == NULL || o == self || !o->bound || o->local.port != a->port) continue;
    if (o->local.family != a->family && !(o->local.family == AF_INET6 && !o->v6only &&
                                          wildcard(&o->local)) &&
        !(a->family == AF_INET6 && wildcard(a)))
      continue;
    int overlap = o->local.family != a->family || wildcard(&o->local) || wildcard(a) ||
                  same_ip(&o->local, a);
    if (overlap && !(reuse && o->reuse)) return 1;
  }
  return 0;
}

int sim_dgram_bind(sim_dgram* d, int id, const sim_addr* a, int reuse, int v6only) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  if (s->bound) return -EINVAL;
  if (a->family != s->family) return -EINVAL;
  if (!sim_net_is_local(sim_net_current(), a)) return -EADDRNOTAVAIL;
  sim_addr b = *a;
  s->v6only = v6only;
  if (b.port == 0) {
    for (int tries = 0; tries <= SIM_NET_EPHEMERAL_LAST - SIM_NET_EPHEMERAL_FIRST; tries++) {
      b.port = d->next_ephemeral++;
      if (d->next_ephemeral > SIM_NET_EPHEMERAL_LAST) d->next_ephemeral = SIM_NET_EPHEMERAL_FIRST;
      if (!in_use(d, s, &b, 0)) break;
    }
  } else if (in_use(d, s, &b, reuse)) {
    return -EADDRINUSE;
  }
  s->local = b;
  s->reuse = reuse;
  s->bound = 1;
  return 0;
}

static int autobind(sim_dgram* d, dsock* s) {
  if (s->bound) return 0;
  sim_addr any;
  memset(&any, 0, sizeof any);
  any.family = s->family;
  return sim_dgram_bind(d, s->id, &any, 0, 0);
}

int sim_dgram_connect(sim_dgram* d, int id, const sim_addr* a) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  if (a == NULL) {
    s->connected = 0;
    return 0;
  }
  if (a->family != s->family) return -EAFNOSUPPORT;
  if (a->port == 0) return -ECONNREFUSED;
  int r = autobind(d, s);
  if (r < 0) return r;
  s->peer = *a;
  s->connected = 1;
  return 0;
}

static void notify(dsock* s, unsigned ev) {
  if (s->notify) s->notify(s->notify_data, s->id, ev);
}

/* Arrival: the first socket whose bound address covers the destination,
 * in creation order (with SO_REUSEADDR on Linux the last bound one gets
 * unicast; kept simple: creation order). */
static void arrive(sim_dgram* d, int dst, dgram* g) {
  dsock* s = get(d, dst);
  if (s == NULL || s->rx_count >= SIM_DGRAM_RCVQ_MAX ||
      (s->connected && !(same_ip(&s->peer, &g->from) && s->peer.port == g->from.port))) {
    free(g);
    return;
  }
  g->next = NULL;
  if (s->rx_tail) s->rx_tail->next = g;
  else s->rx_head = g;
  s->rx_tail = g;
  s->rx_count++;
  notify(s, SIM_NET_IN);
}

static void flight_fire(sim* w, sim_event* ev) {
  (void)w;
  flight* f = (flight*)ev;
  sim_dgram* d = f->d;
  dgram* g = f->g;
  f->g = NULL;
  int dst = f->dst;
  flight_free(d, f);
  arrive(d, dst, g);
}

static int find_dest(const sim_dgram* d, const sim_addr* to) {
  for (size_t i = 0; i < d->nsocks; i++)
    if (d->socks[i] && covers(d->socks[i], to)) return d->socks[i]->id;
  return -1;
}

static const char* target(const sim_addr* a, char* buf, size_t len) {
  char ip[64];
  inet_ntop(a->family, a->ip, ip, sizeof ip);
  snprintf(buf, len, "%s:%u", ip, a->port);
  return buf;
}

/* One copy of a datagram to `dst`, after a latency decision. */
static void launch(sim_dgram* d, dsock* s, int dst, const dgram* src) {
  dgram* g = sim_xmalloc(sizeof *g + src->len);
  memcpy(g, src, sizeof *g + src->len);
  sim* w = world(d);
  uint32_t b = sim_choose(w, SIM_DGRAM_LATENCY, sizeof latency_ns / sizeof *latency_ns,
                          s->lbl_send);
  if (b == 0) {
    arrive(d, dst, g);      /* loopback: inside sendmsg(2) */
    return;
  }
  flight* f = sim_xmalloc(sizeof *f);
  memset(f, 0, sizeof *f);
  f->d = d;
  f->dst = dst;
  f->g = g;
  f->next = d->flights;
  if (d->flights) d->flights->prev = f;
  d->flights = f;
  d->nflights++;
  sim_event_init(&f->ev, flight_fire, s->lbl_send);
  sim_event_schedule(w, &f->ev, sim_now(w) + latency_ns[b]);
}

ssize_t sim_dgram_send(sim_dgram* d, int id, const void* data, size_t len,
                       const sim_addr* to) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  if (to == NULL) {
    if (!s->connected) return -EDESTADDRREQ;
    to = &s->peer;
  } else if (s->connected) {
    return -EISCONN;
  }
  if (len > SIM_DGRAM_MAX) return -EMSGSIZE;
  int r = autobind(d, s);
  if (r < 0) return r;
  sim_addr dest = *to;
  if (dest.family == AF_INET6 && s->family == AF_INET6) {
    /* an IPv4-mapped destination reaches IPv4 sockets */
    static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
    if (memcmp(dest.ip, mapped, 12) == 0) {
      dest.family = AF_INET;
      memmove(dest.ip, dest.ip + 12, 4);
      memset(dest.ip + 4, 0, 12);
    }
  }
  char t[80];
  sim_fault_hit hit;
  memset(&hit, 0, sizeof hit);
  int faulted = sim_fault_check(sim_faults_current(), SIM_FOP_DGRAM,
                                target(&dest, t, sizeof t), id, &hit);
  int dst = find_dest(d, &dest);
  if (dst < 0 || (faulted && hit.drop)) return (ssize_t)len;   /* lost */
  size_t n = faulted && hit.short_max && hit.short_max < len ? hit.short_max : len;
  dgram* g = sim_xmalloc(sizeof *g + n);
  memset(g, 0, sizeof *g);
  g->from = s->local;
  if (wildcard(&g->from)) {
    /* the source the peer sees: the address it was sent to, or loopback */
    memcpy(g->from.ip, dest.ip, 16);
    if (wildcard(&dest)) {
      memset(g->from.ip, 0, 16);
      if (g->from.family == AF_INET) g->from.ip[0] = 127, g->from.ip[3] = 1;
      else g->from.ip[15] = 1;
    }
  }
  g->len = n;
  memcpy(g->data, data, n);
  launch(d, s, dst, g);
  if (faulted && hit.dup) launch(d, s, dst, g);
  free(g);
  return (ssize_t)len;
}

ssize_t sim_dgram_recv(sim_dgram* d, int id, void* buf, size_t len, sim_addr* from,
                       int* truncated) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  dgram* g = s->rx_head;
  if (g == NULL) return -EAGAIN;
  s->rx_head = g->next;
  if (s->rx_head == NULL) s->rx_tail = NULL;
  s->rx_count--;
  size_t n = g->len < len ? g->len : len;
  memcpy(buf, g->data, n);
  if (from) {
    *from = g->from;
    if (s->family == AF_INET6 && from->family == AF_INET) {
      /* a dual-stack socket sees an IPv4 sender as ::ffff:a.b.c.d */
      uint8_t v4[4];
      memcpy(v4, from->ip, 4);
      memset(from->ip, 0, 16);
      from->ip[10] = from->ip[11] = 0xff;
      memcpy(from->ip + 12, v4, 4);
      from->family = AF_INET6;
    }
  }
  if (truncated) *truncated = g->len > len;
  free(g);
  return (ssize_t)n;
}

int sim_dgram_close(sim_dgram* d, int id) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  sock_free(d, s);
  return 0;
}

unsigned sim_dgram_poll(sim_dgram* d, int id) {
  dsock* s = get(d, id);
  if (s == NULL) return 0;
  return SIM_NET_OUT | (s->rx_head ? SIM_NET_IN : 0u);
}

int sim_dgram_getsockname(sim_dgram* d, int id, sim_addr* a) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  if (!s->bound) {
    memset(a, 0, sizeof *a);
    a->family = s->family;
    return 0;
  }
  *a = s->local;
  return 0;
}

int sim_dgram_getpeername(sim_dgram* d, int id, sim_addr* a) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  if (!s->connected) return -ENOTCONN;
  *a = s->peer;
  return 0;
}

/* SO_SNDBUF / SO_RCVBUF: *value 0 reads; a set value is doubled, as Linux
 * does for its own bookkeeping (socket(7)), with the kernel's minimum.
 * Only reported: datagrams are not dropped when a queue passes it. */
static int bufsize(sim_dgram* d, int id, int* value, int rcv) {
  dsock* s = get(d, id);
  if (s == NULL) return -EBADF;
  if (value == NULL || *value < 0) return -EINVAL;
  size_t* field = rcv ? &s->rcvbuf : &s->sndbuf;
  if (*value == 0) {
    *value = (int)*field;
    return 0;
  }
  size_t v = (size_t)*value * 2;
  size_t min = rcv ? 2304 : 4608;
  *field = v < min ? min : v;
  return 0;
}

int sim_dgram_sndbuf(sim_dgram* d, int id, int* value) { return bufsize(d, id, value, 0); }
int sim_dgram_rcvbuf(sim_dgram* d, int id, int* value) { return bufsize(d, id, value, 1); }

int sim_dgram_is_bound(sim_dgram* d, int id) {
  dsock* s = get(d, id);
  return s != NULL && s->bound;
}
