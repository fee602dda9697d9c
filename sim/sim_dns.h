/* sim/sim_dns.h — the simulated resolver: a table the scenario sets (name → list
 * of addresses, in the order getaddrinfo returns them) and getaddrinfo /
 * getnameinfo lookups against it, with glibc's result shapes and EAI_* codes
 * (negative, as <netdb.h> defines them).
 *
 * Default table after a reset: "localhost" → 127.0.0.1 (what this Debian's
 * /etc/hosts says). Numeric hosts never touch the table. With no socktype
 * hint, each address yields three results (stream/tcp, dgram/udp, raw/0),
 * as glibc does. Names compare case-insensitively; a trailing dot is
 * ignored. Services: numbers, or a few well-known names (http, https, ftp,
 * ssh, smtp, domain). Lookups are instant here; loop/getaddrinfo.c runs them as
 * pool jobs so their completion order is a decision.
 */
#ifndef UVSIM_SIM_SIM_DNS_H
#define UVSIM_SIM_SIM_DNS_H

#include <netdb.h>
#include <stddef.h>
#include <sys/socket.h>

#define SIM_DNS_NAMES_MAX 64
#define SIM_DNS_ADDRS_MAX 8          /* per name                          */

typedef struct sim_dns sim_dns;

sim_dns* sim_dns_new(void);
void sim_dns_free(sim_dns* dns);
void sim_dns_reset(sim_dns* dns);   /* back to the default table        */
sim_dns* sim_dns_current(void);

/* Appends a numeric address (IPv4 or IPv6 text) to `name`'s list. Returns 0,
 * -EINVAL for a malformed address, -ENOSPC past the limits. */
int sim_dns_add(sim_dns* dns, const char* name, const char* addr);
/* Forgets a name (lookups then fail with EAI_NONAME). */
void sim_dns_remove(sim_dns* dns, const char* name);
/* Makes lookups of `name` fail with an EAI_* code (e.g. EAI_AGAIN). */
int sim_dns_set_error(sim_dns* dns, const char* name, int eai);

/* getaddrinfo(3): 0 or an EAI_* code. Free with sim_dns_freeaddrinfo (the
 * list is one malloc'd block per entry, not glibc's). */
int sim_dns_getaddrinfo(sim_dns* dns, const char* node, const char* service,
                        const struct addrinfo* hints, struct addrinfo** res);
void sim_dns_freeaddrinfo(struct addrinfo* ai);
/* getnameinfo(3) with NI_NUMERICHOST, NI_NUMERICSERV, NI_NAMEREQD. */
int sim_dns_getnameinfo(sim_dns* dns, const struct sockaddr* sa, char* host,
                        size_t hostlen, char* serv, size_t servlen, int flags);

#endif /* UVSIM_SIM_SIM_DNS_H */
