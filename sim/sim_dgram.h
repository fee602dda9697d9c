/* sim/sim_dgram.h — datagrams (UDP) on the simulated network.
 *
 * A datagram socket is an id (>= SIM_DGRAM_ID_BASE, never reused within a
 * run) with its own port space (UDP ports are not TCP ports); which
 * addresses are local is sim_net's answer (loopback, wildcards, the hosts a
 * scenario added). Sending is non-blocking and never waits: a datagram is
 * a sim event at its arrival time, chosen per datagram by a decision:
 *
 *   SIM_DGRAM_LATENCY  delivery delay of one datagram; choice 0 = 0 ns,
 *                      delivered inside the send call, as loopback does.
 *                      Unlike a stream, datagrams may overtake each other:
 *                      a later one with less latency arrives first (UDP
 *                      does not keep order: sound).
 *
 * What the kernel does, kept: a datagram to a port nobody has bound is
 * dropped (the ICMP error is not reported to unconnected sockets, and the
 * connected case is not modelled); a receive queue holds at most
 * SIM_DGRAM_RCVQ_MAX datagrams, the rest are dropped; a receive into a
 * buffer shorter than the datagram gets the start of it and MSG_TRUNC; a
 * connected socket only receives from its peer; sending more than
 * SIM_DGRAM_MAX bytes is EMSGSIZE. Loss, duplication and truncation are
 * fault rules (`dgram loss`, `dgram dup`, `dgram short=N`: sim_fault.h),
 * checked once per datagram sent, with the destination "ip:port" as target.
 *
 * Readiness goes through a notify callback, as in sim_net.h. */
#ifndef UVSIM_SIM_SIM_DGRAM_H
#define UVSIM_SIM_SIM_DGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/sim.h"
#include "sim/sim_net.h"

#define SIM_DGRAM_ID_BASE 7000
#define SIM_DGRAM_MAX 65507          /* the largest IPv4 UDP payload       */
#define SIM_DGRAM_RCVQ_MAX 256       /* datagrams queued per socket        */

typedef struct sim_dgram sim_dgram;

sim_dgram* sim_dgram_current(void);
/* Closes every socket, drops every datagram in flight. */
void sim_dgram_reset(sim_dgram* d);
void sim_dgram_attach(sim_dgram* d, sim* s);   /* NULL: sim_current() */

int sim_dgram_socket(sim_dgram* d, int family);
void sim_dgram_set_label(sim_dgram* d, int id, const char* label);
void sim_dgram_set_notify(sim_dgram* d, int id, sim_net_notify_fn fn, void* data);
/* reuse: SO_REUSEADDR (both sockets must set it to share a port). */
int sim_dgram_bind(sim_dgram* d, int id, const sim_addr* a, int reuse, int v6only);
/* NULL: dissolve the association (AF_UNSPEC connect). */
int sim_dgram_connect(sim_dgram* d, int id, const sim_addr* a);
/* to NULL: the connected peer. Returns len or -errno. */
ssize_t sim_dgram_send(sim_dgram* d, int id, const void* data, size_t len,
                       const sim_addr* to);
/* -EAGAIN when nothing waits; *truncated when the datagram was longer. */
ssize_t sim_dgram_recv(sim_dgram* d, int id, void* buf, size_t len, sim_addr* from,
                       int* truncated);
int sim_dgram_close(sim_dgram* d, int id);
unsigned sim_dgram_poll(sim_dgram* d, int id);
int sim_dgram_getsockname(sim_dgram* d, int id, sim_addr* a);
int sim_dgram_getpeername(sim_dgram* d, int id, sim_addr* a);
int sim_dgram_is_bound(sim_dgram* d, int id);
/* SO_SNDBUF / SO_RCVBUF (*value 0 reads it, else sets twice *value, as
 * Linux); -EBADF, -EINVAL. A new socket has Linux's default, 212992. */
#define SIM_DGRAM_BUF_DEFAULT 212992
int sim_dgram_sndbuf(sim_dgram* d, int id, int* value);
int sim_dgram_rcvbuf(sim_dgram* d, int id, int* value);

size_t sim_dgram_inflight_count(const sim_dgram* d);

#endif /* UVSIM_SIM_SIM_DGRAM_H */
