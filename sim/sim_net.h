/* sim/sim_net.h — the simulated network: TCP over a virtual address space and
 * local (AF_UNIX) pipes, as pairs of byte streams.
 *
 * A socket is an id (>= SIM_NET_ID_BASE, never reused within a run). Calls
 * are non-blocking and return 0/count or -errno the way Linux's socket calls
 * do on a non-blocking socket (EAGAIN, ECONNRESET, EPIPE, ENOTCONN...).
 * Everything that travels — a connection request, data, FIN, RST — is a sim
 * event scheduled at a virtual time; the decision stream chooses:
 *
 *   SIM_NET_LATENCY  delivery delay of each transfer; choice 0 = 0 ns, so a
 *                    write is in the peer's receive queue before the writer's
 *                    callback returns, as on real loopback. Transfers in one
 *                    direction never overtake each other (FIFO per stream).
 *   SIM_READ_SPLIT   how many of the available bytes one read returns;
 *                    choice 0 = all of them (up to the buffer), as loopback
 *                    does; choice c > 0 = exactly c bytes.
 *
 * Model of the kernel's behaviour kept on purpose: closing a socket with
 * unread received data sends RST instead of FIN (Linux); data arriving at a
 * closed socket is answered by RST; after RST the reader gets the data that
 * had arrived, then ECONNRESET once, then EOF; the writer gets ECONNRESET
 * once, then EPIPE. A full accept queue (more than `backlog` waiting) drops
 * the connection request and the client retries after 1 s, 2 s, 4 s...
 * Each direction buffers at most the sender's SO_SNDBUF plus the receiver's
 * SO_RCVBUF (512 KiB each by default: SIM_NET_BUF_MAX in all) in flight and
 * unread; beyond that writes are partial or EAGAIN until the reader drains.
 *
 * The pipe namespace (AF_UNIX paths) is separate from sim/fs: binding a pipe
 * creates no file. Readiness is pushed through a notify callback, which must
 * only record it (never call back into the net): the loop layer reports it
 * in its poll phase.
 */
#ifndef UVSIM_SIM_SIM_NET_H
#define UVSIM_SIM_SIM_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sim/sim.h"

#define SIM_NET_ID_BASE 5000
#define SIM_NET_BUF_MAX (1u << 20)       /* per direction, by default        */
#define SIM_NET_SOCKBUF_DEFAULT (1u << 19) /* SO_SNDBUF = SO_RCVBUF default  */
#define SIM_NET_EPHEMERAL_FIRST 40000
#define SIM_NET_EPHEMERAL_LAST 60999
#define SIM_NET_PATH_MAX 108
#define SIM_NET_SYN_RETRIES 6            /* then ETIMEDOUT                   */
#define SIM_NET_UNREACHABLE_NS (127ull * 1000000000ull) /* unknown host    */

typedef struct sim_net sim_net;

/* An address: IPv4/IPv6 (ip in network order, port in host order) or an
 * AF_UNIX path. */
typedef struct sim_addr {
  int family;                   /* AF_INET, AF_INET6, AF_UNIX */
  uint8_t ip[16];               /* AF_INET uses the first 4 bytes */
  uint16_t port;
  char path[SIM_NET_PATH_MAX];
} sim_addr;

/* Readiness, as epoll would report it. */
enum {
  SIM_NET_IN = 1,               /* readable / a connection to accept       */
  SIM_NET_OUT = 2,              /* writable / connect finished             */
  SIM_NET_ERR = 4,
  SIM_NET_HUP = 8
};

typedef void (*sim_net_notify_fn)(void* data, int id, unsigned events);

sim_net* sim_net_new(void);
void sim_net_free(sim_net* net);
/* Closes every socket and drops every transfer in flight (cancelling their
 * events in the attached world). */
void sim_net_reset(sim_net* net);
void sim_net_attach(sim_net* net, sim* s);   /* NULL: sim_current() */
sim_net* sim_net_current(void);
/* Number of SIM_NET_LATENCY buckets offered (1 = no latency decisions);
 * default 4: 0, 100 us, 2 ms, 50 ms. */
void sim_net_set_latency_buckets(sim_net* net, unsigned n);

/* Addresses. 127.0.0.0/8, ::1, 0.0.0.0 and :: are local; more hosts (other
 * simulated machines in the same run) can be added. */
int sim_net_add_host(sim_net* net, const sim_addr* a);
/* Whether `a` is an address of this machine (sim_dgram binds with it). */
int sim_net_is_local(const sim_net* net, const sim_addr* a);
int sim_addr_from_sockaddr(sim_addr* a, const struct sockaddr* sa);
/* Returns the length written (socklen) or -EINVAL. */
int sim_addr_to_sockaddr(const sim_addr* a, struct sockaddr_storage* ss);
int sim_addr_ip4(sim_addr* a, const char* ip, uint16_t port);
int sim_addr_ip6(sim_addr* a, const char* ip, uint16_t port);
int sim_addr_path(sim_addr* a, const char* path);

/* Sockets. family: AF_INET, AF_INET6 or AF_UNIX. */
int sim_net_socket(sim_net* net, int family);
/* A connected pair (socketpair(2)). */
int sim_net_socketpair(sim_net* net, int ids[2]);
/* Label used in decision labels ("<label> read"); a string that lives for
 * the run (literal or sim_intern). Default "tcp#N" / "pipe#N". */
void sim_net_set_label(sim_net* net, int id, const char* label);
void sim_net_set_notify(sim_net* net, int id, sim_net_notify_fn fn, void* data);
int sim_net_set_v6only(sim_net* net, int id, int on);
int sim_net_bind(sim_net* net, int id, const sim_addr* a);
int sim_net_listen(sim_net* net, int id, int backlog);
/* -EAGAIN when no connection waits. */
int sim_net_accept(sim_net* net, int id);
/* 0: in progress, completion reported by notify(OUT) and connect_result. */
int sim_net_connect(sim_net* net, int id, const sim_addr* a);
/* SO_ERROR after a connect: -EINPROGRESS while pending, 0 connected, else
 * -errno (reported once). */
int sim_net_connect_result(sim_net* net, int id);
/* 1 while a connect is in progress (does not consume the result). */
int sim_net_connecting(sim_net* net, int id);
ssize_t sim_net_read(sim_net* net, int id, void* buf, size_t len);
ssize_t sim_net_write(sim_net* net, int id, const void* buf, size_t len);
int sim_net_shutdown(sim_net* net, int id);
/* shutdown(SHUT_RD): reads return what is buffered, then 0 (EOF). */
int sim_net_shutdown_read(sim_net* net, int id);
/* reset: SO_LINGER 0 (uv_tcp_close_reset): the peer gets RST. */
int sim_net_close(sim_net* net, int id, int reset);
unsigned sim_net_poll(sim_net* net, int id);
int sim_net_getsockname(sim_net* net, int id, sim_addr* a);
int sim_net_getpeername(sim_net* net, int id, sim_addr* a);
size_t sim_net_unread(sim_net* net, int id);
/* SO_SNDBUF / SO_RCVBUF: *value 0 reads the size, else sets it (doubled, as
 * Linux does, at least 4608 bytes). 0 or -errno. */
int sim_net_sndbuf(sim_net* net, int id, int* value);
int sim_net_rcvbuf(sim_net* net, int id, int* value);
int sim_net_is_listening(sim_net* net, int id);
/* The socket's family (AF_INET, AF_INET6, AF_UNIX), or 0 if `id` is not an
 * open socket (uv_guess_handle). */
int sim_net_family(sim_net* net, int id);

/* Counters for tests. */
size_t sim_net_open_count(const sim_net* net);
size_t sim_net_inflight_count(const sim_net* net);

#endif /* UVSIM_SIM_SIM_NET_H */
