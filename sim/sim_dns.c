/* sim/sim_dns.c — the simulated resolver (see dns.h). A flat table; scenarios
 * hold a handful of names, so lookups scan it. */
#include "sim/sim_dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct dns_addr {
  int family;
  uint8_t ip[16];
} dns_addr;

typedef struct dns_name {
  char name[256];
  dns_addr addrs[SIM_DNS_ADDRS_MAX];
  size_t naddrs;
  int eai;                      /* non-zero: lookups fail with it */
} dns_name;

struct sim_dns {
  dns_name names[SIM_DNS_NAMES_MAX];
  size_t nnames;
};

static const struct { const char* name; int port; } services[] = {
  { "ftp", 21 }, { "ssh", 22 }, { "smtp", 25 }, { "domain", 53 },
  { "http", 80 }, { "https", 443 },
};

sim_dns* sim_dns_new(void) {
  sim_dns* dns = calloc(1, sizeof *dns);
  if (dns == NULL) abort();
  sim_dns_reset(dns);
  return dns;
}

void sim_dns_free(sim_dns* dns) { free(dns); }

void sim_dns_reset(sim_dns* dns) {
  dns->nnames = 0;
  sim_dns_add(dns, "localhost", "127.0.0.1");
}

sim_dns* sim_dns_current(void) {
  static sim_dns* current;
  if (current == NULL) current = sim_dns_new();
  return current;
}

/* Compares names case-insensitively, ignoring one trailing dot. */
static int same_name(const char* a, const char* b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la && a[la - 1] == '.') la--;
  if (lb && b[lb - 1] == '.') lb--;
  return la == lb && strncasecmp(a, b, la) == 0;
}

static dns_name* find(sim_dns* dns, const char* name) {
  for (size_t i = 0; i < dns->nnames; i++)
    if (same_name(dns->names[i].name, name)) return &dns->names[i];
  return NULL;
}

static dns_name* find_or_add(sim_dns* dns, const char* name) {
  dns_name* n = find(dns, name);
  if (n) return n;
  if (dns->nnames == SIM_DNS_NAMES_MAX || strlen(name) >= sizeof n->name)
    return NULL;
  n = &dns->names[dns->nnames++];
  memset(n, 0, sizeof *n);
  strcpy(n->name, name);
  return n;
}

static int parse_numeric(const char* s, dns_addr* a) {
  memset(a, 0, sizeof *a);
  if (inet_pton(AF_INET, s, a->ip) == 1) { a->family = AF_INET; return 0; }
  if (inet_pton(AF_INET6, s, a->ip) == 1) { a->family = AF_INET6; return 0; }
  return -EINVAL;
}

int sim_dns_add(sim_dns* dns, const char* name, const char* addr) {
  dns_addr a;
  if (parse_numeric(addr, &a) < 0) return -EINVAL;
  dns_name* n = find_or_add(dns, name);
  if (n == NULL || n->naddrs == SIM_DNS_ADDRS_MAX) return -ENOSPC;
  n->addrs[n->naddrs++] = a;
  return 0;
}

void sim_dns_remove(sim_dns* dns, const char* name) {
  dns_name* n = find(dns, name);
  if (n == NULL) return;
  size_t i = (size_t)(n - dns->names);
  memmove(n, n + 1, (dns->nnames - i - 1) * sizeof *n);
  dns->nnames--;
}

int sim_dns_set_error(sim_dns* dns, const char* name, int eai) {
  dns_name* n = find_or_add(dns, name);
  if (n == NULL) return -ENOSPC;
  n->eai = eai;
  return 0;
}

/* Port for `service` with socktype st; -1 when unknown. */
static int parse_service(const char* service, int flags) {
  if (service == NULL) return 0;
  char* end;
  long v = strtol(service, &end, 10);
  if (*service && *end == '\0') return v >= 0 && v <= 65535 ? (int)v : -1;
  if (flags & AI_NUMERICSERV) return -2;
  for (size_t i = 0; i < sizeof services / sizeof *services; i++)
    if (strcmp(services[i].name, service) == 0) return services[i].port;
  return -1;
}

/* One entry = addrinfo + sockaddr + canonical name in one block. */
static struct addrinfo* entry(const dns_addr* a, int port, int socktype,
                              int protocol, const char* canon) {
  size_t clen = canon ? strlen(canon) + 1 : 0;
  size_t size = sizeof(struct addrinfo) + sizeof(struct sockaddr_storage) + clen;
  struct addrinfo* ai = calloc(1, size);
  if (ai == NULL) abort();
  struct sockaddr_storage* ss = (struct sockaddr_storage*)(ai + 1);
  ai->ai_family = a->family;
  ai->ai_socktype = socktype;
  ai->ai_protocol = protocol;
  ai->ai_addr = (struct sockaddr*)ss;
  if (a->family == AF_INET) {
    struct sockaddr_in* in = (struct sockaddr_in*)ss;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    memcpy(&in->sin_addr, a->ip, 4);
    ai->ai_addrlen = sizeof *in;
  } else {
    struct sockaddr_in6* in6 = (struct sockaddr_in6*)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    memcpy(&in6->sin6_addr, a->ip, 16);
    ai->ai_addrlen = sizeof *in6;
  }
  if (canon) {
    ai->ai_canonname = (char*)(ss + 1);
    memcpy(ai->ai_canonname, canon, clen);
  }
  return ai;
}

int sim_dns_getaddrinfo(sim_dns* dns, const char* node, const char* service,
                        const struct addrinfo* hints, struct addrinfo** res) {
  static const struct addrinfo no_hints = { .ai_family = AF_UNSPEC };
  if (hints == NULL) hints = &no_hints;
  *res = NULL;
  if (node == NULL && service == NULL) return EAI_NONAME;
  int family = hints->ai_family;
  if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
    return EAI_FAMILY;
  int port = parse_service(service, hints->ai_flags);
  if (port == -2) return EAI_NONAME;
  if (port < 0) return EAI_SERVICE;

  dns_addr list[SIM_DNS_ADDRS_MAX + 2];
  size_t n = 0;
  const char* canon = NULL;
  if (node == NULL) {
    int passive = hints->ai_flags & AI_PASSIVE;
    if (family != AF_INET) {
      parse_numeric(passive ? "::" : "::1", &list[n++]);
    }
    if (family != AF_INET6) parse_numeric(passive ? "0.0.0.0" : "127.0.0.1", &list[n++]);
  } else if (parse_numeric(node, &list[0]) == 0) {
    n = 1;
    canon = node;
  } else {
    if (hints->ai_flags & AI_NUMERICHOST) return EAI_NONAME;
    dns_name* e = find(dns, node);
    if (e == NULL) return EAI_NONAME;
    if (e->eai) return e->eai;
    for (size_t i = 0; i < e->naddrs; i++) list[n++] = e->addrs[i];
    canon = e->name;
  }
  struct addrinfo* head = NULL;
  struct addrinfo** tail = &head;
  static const int kinds[3][2] = {
    { SOCK_STREAM, IPPROTO_TCP }, { SOCK_DGRAM, IPPROTO_UDP }, { SOCK_RAW, 0 }
  };
  for (size_t i = 0; i < n; i++) {
    if (family != AF_UNSPEC && list[i].family != family) continue;
    for (int k = 0; k < 3; k++) {
      int st = kinds[k][0], proto = kinds[k][1];
      if (hints->ai_socktype && hints->ai_socktype != st) continue;
      if (hints->ai_protocol && hints->ai_protocol != proto) continue;
      const char* cn = (head == NULL && (hints->ai_flags & AI_CANONNAME))
                           ? canon : NULL;
      *tail = entry(&list[i], port, st, proto ? proto : 0, cn);
      tail = &(*tail)->ai_next;
    }
  }
  if (head == NULL) return node ? EAI_NODATA : EAI_NONAME;
  *res = head;
  return 0;
}

void sim_dns_freeaddrinfo(struct addrinfo* ai) {
  while (ai) {
    struct addrinfo* next = ai->ai_next;
    free(ai);
    ai = next;
  }
}

int sim_dns_getnameinfo(sim_dns* dns, const struct sockaddr* sa, char* host,
                        size_t hostlen, char* serv, size_t servlen, int flags) {
  dns_addr a;
  memset(&a, 0, sizeof a);
  int port;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in* in = (const struct sockaddr_in*)sa;
    a.family = AF_INET;
    memcpy(a.ip, &in->sin_addr, 4);
    port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6* in6 = (const struct sockaddr_in6*)sa;
    a.family = AF_INET6;
    memcpy(a.ip, &in6->sin6_addr, 16);
    port = ntohs(in6->sin6_port);
  } else {
    return EAI_FAMILY;
  }
  if (host && hostlen) {
    const char* found = NULL;
    if (!(flags & NI_NUMERICHOST)) {
      for (size_t i = 0; i < dns->nnames && !found; i++)
        for (size_t k = 0; k < dns->names[i].naddrs; k++) {
          const dns_addr* b = &dns->names[i].addrs[k];
          if (b->family == a.family &&
              memcmp(b->ip, a.ip, a.family == AF_INET ? 4 : 16) == 0) {
            found = dns->names[i].name;
            break;
          }
        }
    }
    if (found == NULL && (flags & NI_NAMEREQD)) return EAI_NONAME;
    char num[INET6_ADDRSTRLEN];
    if (found == NULL) {
      inet_ntop(a.family, a.ip, num, sizeof num);
      found = num;
    }
    if (strlen(found) + 1 > hostlen) return EAI_OVERFLOW;
    strcpy(host, found);
  }
  if (serv && servlen) {
    const char* name = NULL;
    if (!(flags & NI_NUMERICSERV))
      for (size_t i = 0; i < sizeof services / sizeof *services; i++)
        if (services[i].port == port) name = services[i].name;
    int w = name ? snprintf(serv, servlen, "%s", name)
                 : snprintf(serv, servlen, "%d", port);
    if (w < 0 || (size_t)w >= servlen) return EAI_OVERFLOW;
  }
  return 0;
}
