/* loop/realfd.c — real descriptors the program hands to libuv: the checks
 * uv_tcp_open and uv_udp_open share.
 *
 * A socket the program made itself with socket(2) and perhaps bind(2) has
 * done nothing the simulated network could not do: such a socket is
 * adopted (tcp.c, udp.c), its simulated twin takes the same local address,
 * and the real descriptor only stays what uv_fileno answers, closed with
 * the handle as libuv closes it. A socket already connected for real talks
 * to a peer outside the simulation (another process, the real loopback):
 * what it receives and when cannot be simulated, so it is refused, loudly
 * (docs/loop.md, "Descriptors"). */
#include "loop/internal.h"
#include "loop/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

int uvs__realfd_taken(uv_loop_t* loop, int fd, const uv_handle_t* self) {
  void* (*q)[2];
  UVS__QFOREACH(q, &loop->handle_queue) {
    const uv_handle_t* h = UVS__QDATA(q, uv_handle_t, handle_queue);
    if (h == self || uvs__is_closing(h)) continue;
    int theirs = -1;
    switch (h->type) {
    case UV_TCP:
    case UV_NAMED_PIPE: {
      const uvs__stream* st = uvs__st((const uv_stream_t*)h);
      theirs = st ? st->real_fd : -1;
      /* a stream on a real descriptor holds it while it waits for the
       * kernel, as libuv's watcher does (uv__fd_exists) */
      if (st && (st->flags & UVS__S_REAL) && uvs__rstream_holds(st)) theirs = st->fd;
      break;
    }
    case UV_POLL:
      if (uvs__is_active(h)) theirs = ((const uv_poll_t*)h)->io_watcher.fd;
      break;
    case UV_UDP:   /* an adopted socket's real descriptor, else a sim id;
                    * taken, as in libuv, while its watcher runs (reading
                    * or sending): an idle one may be shared */
      if (uvs__is_active(h)) theirs = ((const uv_udp_t*)h)->io_watcher.fd;
      break;
    default: break;
    }
    if (theirs >= 0 && theirs == fd) return 1;
  }
  return 0;
}

int uvs__realfd_socket(int fd, int type, sim_addr* local, int* bound, int* connected) {
  int t = 0;
  socklen_t len = sizeof t;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &len) < 0) return -errno;
  if (t != type) return UV_EINVAL;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (getsockname(fd, (struct sockaddr*)&ss, &sl) < 0) return -errno;
  if (sim_addr_from_sockaddr(local, (struct sockaddr*)&ss) < 0) return UV_EAFNOSUPPORT;
  *bound = local->family == AF_UNIX ? local->path[0] != '\0' : local->port != 0;
  sl = sizeof ss;
  *connected = getpeername(fd, (struct sockaddr*)&ss, &sl) == 0;
  /* libuv makes what it is given non-blocking (uv__nonblock) */
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)) return -errno;
  return 0;
}
