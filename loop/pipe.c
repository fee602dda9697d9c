/* loop/pipe.c — uv_pipe_* (named pipes: AF_UNIX stream sockets) on the
 * simulated network. Paths live in the network's own namespace: binding
 * creates no file in sim/fs, but the directory holding the path must exist
 * there (else EACCES, as libuv turns ENOENT into). uv_pipe_open gives a
 * stream on a real descriptor instead (loop/realstream.c), the only kind
 * that passes handles (IPC over SCM_RIGHTS). */
#include "loop/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim/sim_fs.h"

int uv_pipe_init(uv_loop_t* loop, uv_pipe_t* pipe, int ipc) {
  uvs__stream_init(loop, (uv_stream_t*)pipe, UV_NAMED_PIPE);
  pipe->shutdown_req = NULL;
  pipe->connect_req = NULL;
  pipe->pipe_fname = NULL;
  pipe->ipc = ipc;
  return 0;
}

/* The directory part of `path` must exist in the simulated filesystem. */
static int parent_exists(const char* path) {
  char dir[SIM_NET_PATH_MAX];
  snprintf(dir, sizeof dir, "%s", path);
  char* slash = strrchr(dir, '/');
  if (slash == NULL) return 1;
  if (slash == dir) return 1;
  *slash = '\0';
  sim_stat st;
  return sim_fs_stat(sim_fs_current(), dir, &st) == 0 && (st.mode & 0170000) == 0040000;
}

int uv_pipe_bind(uv_pipe_t* pipe, const char* name) {
  uvs__stream* st = uvs__st((uv_stream_t*)pipe);
  if (st->sock >= 0 || st->fd >= 0) return UV_EINVAL;
  if (uvs__is_closing((uv_handle_t*)pipe)) return UV_EINVAL;
  if (name == NULL) return UV_EINVAL;
  sim_addr a;
  if (sim_addr_path(&a, name) < 0) return UV_ENAMETOOLONG;
  if (!parent_exists(name)) return UV_EACCES;
  int sock = sim_net_socket(uvs__net(), AF_UNIX);
  if (sock < 0) return sock;
  int r = sim_net_bind(uvs__net(), sock, &a);
  if (r < 0) {
    sim_net_close(uvs__net(), sock, 0);
    return r;
  }
  pipe->pipe_fname = strdup(name);
  uvs__stream_attach((uv_stream_t*)pipe, sock, UVS__S_BOUND);
  return 0;
}

int uvs__pipe_listen(uv_pipe_t* pipe, int backlog, uv_connection_cb cb) {
  if (uvs__st((uv_stream_t*)pipe)->sock < 0) return UV_EINVAL;
  if (pipe->ipc) return UV_EINVAL;
  return uvs__stream_listen((uv_stream_t*)pipe, backlog, cb);
}

void uv_pipe_connect(uv_connect_t* req, uv_pipe_t* pipe, const char* name,
                     uv_connect_cb cb) {
  sim_addr a;
  sim_addr_path(&a, name);      /* truncated like sun_path, as libuv does */
  if (a.path[0] == '\0' && name[0] != '\0') {
    size_t n = strlen(name);
    if (n >= sizeof a.path) n = sizeof a.path - 1;
    memcpy(a.path, name, n);
    a.path[n] = '\0';
    a.family = AF_UNIX;
  }
  uvs__name_handle((uv_handle_t*)pipe, (const void*)cb);
  int r = uvs__stream_connect(req, (uv_stream_t*)pipe, &a, cb);
  (void)r;
}

/* A real descriptor's name, as libuv gives it: an abstract name (Linux)
 * keeps its leading NUL and its full length and is not terminated. */
static int real_name(const uvs__stream* st, char* buffer, size_t* size, int peer) {
  struct sockaddr_storage ss;
  socklen_t len;
  int r = uvs__rstream_name(st, peer, &ss, &len);
  if (r < 0) {
    *size = 0;
    return r;
  }
  const struct sockaddr_un* sun = (const struct sockaddr_un*)&ss;
  size_t n = sun->sun_path[0] == '\0' && len >= offsetof(struct sockaddr_un, sun_path)
                 ? len - offsetof(struct sockaddr_un, sun_path)
                 : strnlen(sun->sun_path, sizeof sun->sun_path);
  if (n >= *size) {
    *size = n + 1;
    return UV_ENOBUFS;
  }
  memcpy(buffer, sun->sun_path, n);
  *size = n;
  if (buffer[0] != '\0') buffer[n] = '\0';
  return 0;
}

static int pipe_name(const uv_pipe_t* pipe, char* buffer, size_t* size, int peer) {
  const uvs__stream* st = uvs__st((const uv_stream_t*)pipe);
  if (st != NULL && (st->flags & UVS__S_REAL)) return real_name(st, buffer, size, peer);
  if (st == NULL || st->sock < 0) {
    *size = 0;
    return UV_EBADF;
  }
  sim_addr a;
  int r = peer ? sim_net_getpeername(uvs__net(), st->sock, &a)
               : sim_net_getsockname(uvs__net(), st->sock, &a);
  if (r < 0) {
    *size = 0;
    return r;
  }
  size_t n = strlen(a.path);
  if (n >= *size) {
    *size = n + 1;
    return UV_ENOBUFS;
  }
  memcpy(buffer, a.path, n + 1);
  *size = n;
  return 0;
}

int uv_pipe_getsockname(const uv_pipe_t* pipe, char* buffer, size_t* size) {
  return pipe_name(pipe, buffer, size, 0);
}

int uv_pipe_getpeername(const uv_pipe_t* pipe, char* buffer, size_t* size) {
  return pipe_name(pipe, buffer, size, 1);
}

void uv_pipe_pending_instances(uv_pipe_t* pipe, int count) {
  (void)pipe;
  (void)count;
}

/* Descriptors received over an IPC pipe on a real descriptor
 * (realstream.c); a simulated pipe receives none. */
int uv_pipe_pending_count(uv_pipe_t* pipe) {
  const uvs__stream* st = uvs__st((uv_stream_t*)pipe);
  if (!pipe->ipc || st == NULL || !(st->flags & UVS__S_REAL)) return 0;
  return uvs__rstream_pending_count(st);
}

uv_handle_type uv_pipe_pending_type(uv_pipe_t* pipe) {
  if (!pipe->ipc || pipe->accepted_fd == -1) return UV_UNKNOWN_HANDLE;
  return uv_guess_handle(pipe->accepted_fd);
}

int uv_pipe_chmod(uv_pipe_t* pipe, int flags) {
  if (uvs__st((uv_stream_t*)pipe)->sock < 0 || pipe->pipe_fname == NULL) return UV_EBADF;
  if (flags != UV_READABLE && flags != UV_WRITABLE &&
      flags != (UV_READABLE | UV_WRITABLE))
    return UV_EINVAL;
  return 0;
}

/* uv_pipe and uv_socketpair make REAL descriptors, as libuv does: the
 * program may read and write them with system calls, hand them to a
 * child, poll them (uv_poll: looked at for real, what was seen recorded;
 * loop/poll.c) or open a stream on them (uv_pipe_open below, a stream on
 * the real descriptor: loop/realstream.c). */
static int set_nonblock(int fd, int flags) {
  if (!(flags & UV_NONBLOCK_PIPE)) return 0;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
  return 0;
}

static int finish_pair(int r, uv_file fds[2], int flags0, int flags1) {
  if (r == 0) r = set_nonblock(fds[0], flags0);
  if (r == 0) r = set_nonblock(fds[1], flags1);
  if (r < 0) {
    close(fds[0]);
    close(fds[1]);
  }
  return r;
}

int uv_pipe(uv_file fds[2], int read_flags, int write_flags) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return -errno;
  int r = finish_pair(0, p, read_flags, write_flags);
  if (r == 0) {
    fds[0] = p[0];
    fds[1] = p[1];
  }
  return r;
}

int uv_socketpair(int type, int protocol, uv_os_sock_t socket_vector[2], int flags0,
                  int flags1) {
  int p[2];
  if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, protocol, p) < 0) return -errno;
  int r = finish_pair(0, p, flags0, flags1);
  if (r == 0) {
    socket_vector[0] = p[0];
    socket_vector[1] = p[1];
  }
  return r;
}

/* A stream on a real descriptor (a pipe, a socketpair end, an inherited
 * stdio pipe, a bound or connected AF_UNIX socket): libuv's checks, EEXIST
 * while another handle waits on it and the descriptor's access mode for
 * readable and writable. */
int uv_pipe_open(uv_pipe_t* pipe, uv_file file) {
  if (uvs__realfd_taken(pipe->loop, file, (uv_handle_t*)pipe)) return UV_EEXIST;
  int mode = fcntl(file, F_GETFL);
  if (mode < 0) return -errno;
  mode &= O_ACCMODE;
  unsigned flags = 0;
  if (mode != O_WRONLY) flags |= UVS__S_READABLE;
  if (mode != O_RDONLY) flags |= UVS__S_WRITABLE;
  return uvs__rstream_open((uv_stream_t*)pipe, file, flags);
}

void uvs__pipe_close(uv_pipe_t* pipe) {
  free((void*)pipe->pipe_fname);
  pipe->pipe_fname = NULL;
}
