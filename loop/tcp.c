/* loop/tcp.c — uv_tcp_* on the simulated network, and libuv's pure address
 * helpers (uv_ip4_addr, uv_inet_ntop...). The stream machinery is in
 * stream.c; this file creates, binds and connects TCP sockets the way
 * libuv 1.44's src/unix/tcp.c does, including its quirks: a bind that finds
 * the address in use succeeds and the error surfaces at listen or connect
 * (delayed_error), and the socket exists from the first bind or connect. */
#include "loop/stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

int uv_tcp_init_ex(uv_loop_t* loop, uv_tcp_t* tcp, unsigned int flags) {
  int domain = flags & 0xFF;
  if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNSPEC) return UV_EINVAL;
  if (flags & ~0xFFu) return UV_EINVAL;
  uvs__stream_init(loop, (uv_stream_t*)tcp, UV_TCP);
  if (domain != AF_UNSPEC) {
    int r = uvs__stream_socket((uv_stream_t*)tcp, domain, 0);
    if (r < 0) {
      uvs__q_remove(&tcp->handle_queue);
      return r;
    }
  }
  return 0;
}

int uv_tcp_init(uv_loop_t* loop, uv_tcp_t* tcp) {
  return uv_tcp_init_ex(loop, tcp, AF_UNSPEC);
}

static int addr_len_ok(const struct sockaddr* addr) {
  return addr->sa_family == AF_INET || addr->sa_family == AF_INET6;
}

int uv_tcp_bind(uv_tcp_t* tcp, const struct sockaddr* addr, unsigned int flags) {
  if (tcp->type != UV_TCP || uvs__is_closing((uv_handle_t*)tcp)) return UV_EINVAL;
  if (addr == NULL || !addr_len_ok(addr)) return UV_EINVAL;
  if ((flags & UV_TCP_IPV6ONLY) && addr->sa_family != AF_INET6) return UV_EINVAL;
  uvs__stream* st = uvs__st((uv_stream_t*)tcp);
  int r = uvs__stream_socket((uv_stream_t*)tcp, addr->sa_family, 0);
  if (r < 0) return r;
  if (addr->sa_family == AF_INET6)
    sim_net_set_v6only(uvs__net(), st->sock, (flags & UV_TCP_IPV6ONLY) != 0);
  sim_addr a;
  sim_addr_from_sockaddr(&a, addr);
  r = sim_net_bind(uvs__net(), st->sock, &a);
  if (r < 0 && r != -EADDRINUSE) return r == -EAFNOSUPPORT ? UV_EINVAL : r;
  tcp->delayed_error = r == -EADDRINUSE ? UV_EADDRINUSE : 0;
  st->flags |= UVS__S_BOUND;
  if (addr->sa_family == AF_INET6) st->flags |= UVS__S_IPV6;
  return 0;
}

int uvs__tcp_listen(uv_tcp_t* tcp, int backlog, uv_connection_cb cb) {
  if (tcp->delayed_error) return tcp->delayed_error;
  int r = uvs__stream_socket((uv_stream_t*)tcp, AF_INET, 0);
  if (r < 0) return r;
  return uvs__stream_listen((uv_stream_t*)tcp, backlog, cb);
}

int uv_tcp_connect(uv_connect_t* req, uv_tcp_t* tcp, const struct sockaddr* addr,
                   uv_connect_cb cb) {
  if (tcp->type != UV_TCP) return UV_EINVAL;
  if (addr == NULL || !addr_len_ok(addr)) return UV_EINVAL;
  if (uvs__is_closing((uv_handle_t*)tcp)) return UV_EINVAL;
  sim_addr a;
  sim_addr_from_sockaddr(&a, addr);
  uvs__name_handle((uv_handle_t*)tcp, (const void*)cb);
  return uvs__stream_connect(req, (uv_stream_t*)tcp, &a, cb);
}

/* A real socket the program made (socket(2), perhaps bind(2)) is adopted:
 * a simulated twin at the same local address does the work, the real
 * descriptor is what uv_fileno answers and is closed with the handle
 * (loop/realfd.c). One connected for real (a socketpair end, a connect(2)
 * to another process) talks to a peer outside the simulation: the stream
 * is on the real descriptor (loop/realstream.c). libuv's EEXIST (another
 * handle holds it) and EBUSY (this handle has a socket already) kept. */
int uv_tcp_open(uv_tcp_t* tcp, uv_os_sock_t sock) {
  uvs__stream* st = uvs__st((uv_stream_t*)tcp);
  if (uvs__realfd_taken(tcp->loop, sock, (uv_handle_t*)tcp)) return UV_EEXIST;
  if (st->real_fd == sock || ((st->flags & UVS__S_REAL) && st->fd == sock)) return 0;
  if (st->sock >= 0 || st->real_fd >= 0 || st->fd >= 0) return UV_EBUSY;
  sim_addr local;
  int bound, connected;
  int r = uvs__realfd_socket(sock, SOCK_STREAM, &local, &bound, &connected);
  if (r < 0) return r;
  if (connected)
    return uvs__rstream_open((uv_stream_t*)tcp, sock, UVS__S_READABLE | UVS__S_WRITABLE);
  if (local.family != AF_INET && local.family != AF_INET6) return UV_EINVAL;
  st->real_fd = sock;
  r = uvs__stream_socket((uv_stream_t*)tcp, local.family,
                         UVS__S_READABLE | UVS__S_WRITABLE);
  if (r < 0) {
    st->real_fd = -1;
    return r;
  }
  if (bound) {
    r = sim_net_bind(uvs__net(), st->sock, &local);
    if (r < 0 && r != -EADDRINUSE) return r;
    tcp->delayed_error = r == -EADDRINUSE ? UV_EADDRINUSE : 0;
    st->flags |= UVS__S_BOUND;
  }
  if (local.family == AF_INET6) st->flags |= UVS__S_IPV6;
  return 0;
}

int uv_tcp_nodelay(uv_tcp_t* tcp, int enable) {
  uvs__stream* st = uvs__st((uv_stream_t*)tcp);
  if (enable) st->flags |= UVS__S_NODELAY;
  else st->flags &= ~UVS__S_NODELAY;
  return 0;
}

int uv_tcp_keepalive(uv_tcp_t* tcp, int enable, unsigned int delay) {
  uvs__stream* st = uvs__st((uv_stream_t*)tcp);
  if (enable && delay == 0) return UV_EINVAL;
  if (enable) st->flags |= UVS__S_KEEPALIVE;
  else st->flags &= ~UVS__S_KEEPALIVE;
  return 0;
}

int uv_tcp_simultaneous_accepts(uv_tcp_t* tcp, int enable) {
  (void)tcp;
  (void)enable;
  return 0;
}

/* A real socket's name, cut to *namelen as libuv's uv__getsockpeername. */
static int real_name(const uvs__stream* st, struct sockaddr* name, int* namelen, int peer) {
  struct sockaddr_storage ss;
  socklen_t len;
  int r = uvs__rstream_name(st, peer, &ss, &len);
  if (r < 0) return r;
  size_t n = (size_t)*namelen < len ? (size_t)*namelen : len;
  memcpy(name, &ss, n);
  *namelen = (int)len;
  return 0;
}

static int sock_name(const uv_tcp_t* tcp, struct sockaddr* name, int* namelen,
                     int peer) {
  if (tcp->delayed_error) return tcp->delayed_error;
  const uvs__stream* st = uvs__st((const uv_stream_t*)tcp);
  if (st != NULL && (st->flags & UVS__S_REAL)) return real_name(st, name, namelen, peer);
  if (st == NULL || st->sock < 0) return UV_EBADF;
  sim_addr a;
  int r = peer ? sim_net_getpeername(uvs__net(), st->sock, &a)
               : sim_net_getsockname(uvs__net(), st->sock, &a);
  if (r < 0) return r;
  return uvs__addr_copy_out(&a, name, namelen);
}

int uvs__addr_copy_out(const sim_addr* a, struct sockaddr* name, int* namelen) {
  struct sockaddr_storage ss;
  int len = sim_addr_to_sockaddr(a, &ss);
  if (len < 0) return UV_EINVAL;
  if (*namelen < len) len = *namelen;
  memcpy(name, &ss, (size_t)len);
  *namelen = sim_addr_to_sockaddr(a, &ss);
  return 0;
}

int uv_tcp_getsockname(const uv_tcp_t* tcp, struct sockaddr* name, int* namelen) {
  return sock_name(tcp, name, namelen, 0);
}

int uv_tcp_getpeername(const uv_tcp_t* tcp, struct sockaddr* name, int* namelen) {
  return sock_name(tcp, name, namelen, 1);
}

int uv_tcp_close_reset(uv_tcp_t* tcp, uv_close_cb close_cb) {
  uvs__stream* st = uvs__st((uv_stream_t*)tcp);
  if (st->flags & UVS__S_SHUTTING) return UV_EINVAL;
  st->flags |= UVS__S_RESET;
  uv_close((uv_handle_t*)tcp, close_cb);
  return 0;
}

/* ------------------------------------------------------ address helpers */

int uv_inet_pton(int af, const char* src, void* dst) {
  if (src == NULL || dst == NULL) return UV_EINVAL;
  if (af != AF_INET && af != AF_INET6) return UV_EAFNOSUPPORT;
  char tmp[64];
  if (af == AF_INET6) {
    /* libuv accepts and ignores a zone suffix ("fe80::1%eth0"). */
    const char* pct = strchr(src, '%');
    if (pct) {
      size_t n = (size_t)(pct - src);
      if (n >= sizeof tmp) return UV_EINVAL;
      memcpy(tmp, src, n);
      tmp[n] = '\0';
      src = tmp;
    }
  }
  return inet_pton(af, src, dst) == 1 ? 0 : UV_EINVAL;
}

int uv_inet_ntop(int af, const void* src, char* dst, size_t size) {
  if (af != AF_INET && af != AF_INET6) return UV_EAFNOSUPPORT;
  char tmp[INET6_ADDRSTRLEN];
  if (inet_ntop(af, src, tmp, sizeof tmp) == NULL) return UV_EINVAL;
  size_t n = strlen(tmp);
  if (n >= size) return UV_ENOSPC;
  memcpy(dst, tmp, n + 1);
  return 0;
}

int uv_ip4_addr(const char* ip, int port, struct sockaddr_in* addr) {
  memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_port = htons((uint16_t)port);
  return uv_inet_pton(AF_INET, ip, &addr->sin_addr);
}

int uv_ip6_addr(const char* ip, int port, struct sockaddr_in6* addr) {
  memset(addr, 0, sizeof *addr);
  addr->sin6_family = AF_INET6;
  addr->sin6_port = htons((uint16_t)port);
  const char* pct = strchr(ip, '%');
  if (pct != NULL) {
    char* end;
    unsigned long id = strtoul(pct + 1, &end, 10);
    addr->sin6_scope_id = *end == '\0' ? (uint32_t)id : if_nametoindex(pct + 1);
  }
  return uv_inet_pton(AF_INET6, ip, &addr->sin6_addr);
}

int uv_ip4_name(const struct sockaddr_in* src, char* dst, size_t size) {
  return uv_inet_ntop(AF_INET, &src->sin_addr, dst, size);
}

int uv_ip6_name(const struct sockaddr_in6* src, char* dst, size_t size) {
  return uv_inet_ntop(AF_INET6, &src->sin6_addr, dst, size);
}

int uv_ip_name(const struct sockaddr* src, char* dst, size_t size) {
  switch (src->sa_family) {
  case AF_INET: return uv_ip4_name((const struct sockaddr_in*)src, dst, size);
  case AF_INET6: return uv_ip6_name((const struct sockaddr_in6*)src, dst, size);
  default: return UV_EAFNOSUPPORT;
  }
}

/* ------------------------------------------------------------ interfaces */

/* The simulated machine's interfaces: the loopback device with 127.0.0.1/8
 * and ::1/128 (what the network treats as local), in that order. */
int uv_interface_addresses(uv_interface_address_t** addresses, int* count) {
  if (addresses == NULL || count == NULL) return UV_EINVAL;
  uv_interface_address_t* a = calloc(2, sizeof *a);
  if (a == NULL) return UV_ENOMEM;
  for (int i = 0; i < 2; i++) {
    a[i].name = strdup("lo");
    a[i].is_internal = 1;
  }
  a[0].address.address4.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a[0].address.address4.sin_addr);
  a[0].netmask.netmask4.sin_family = AF_INET;
  inet_pton(AF_INET, "255.0.0.0", &a[0].netmask.netmask4.sin_addr);
  a[1].address.address6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::1", &a[1].address.address6.sin6_addr);
  a[1].netmask.netmask6.sin6_family = AF_INET6;
  memset(&a[1].netmask.netmask6.sin6_addr, 0xff, 16);
  *addresses = a;
  *count = 2;
  return 0;
}

void uv_free_interface_addresses(uv_interface_address_t* addresses, int count) {
  for (int i = 0; i < count; i++) free(addresses[i].name);
  free(addresses);
}
