/* loop/process.c — the process as a program asks libuv about it: its
 * environment, pid, executable, title, memory, and what kind of thing a
 * descriptor is.
 *
 * Real Node calls these at start-up, so they cannot be ENOSYS stubs. The
 * rule for each answer: configuration the user controls (the environment,
 * the executable's path) is read from the real process; anything that would
 * differ from run to run on a real machine (the pid, free memory) is a fixed
 * value, so that a run stays a pure function of its decisions. Nothing here
 * changes the real process: a title set is only remembered. */
#include "loop/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim_dgram.h"
#include "sim/sim_fs.h"
#include "sim/sim_net.h"

extern char** environ;

#define FIXED_PID 4242          /* process.pid under uvsim, every run */
#define FIXED_PPID 4241
#define FIXED_TOTAL_MEMORY (8ull << 30)
#define FIXED_FREE_MEMORY (4ull << 30)
#define FIXED_RSS (64ull << 20)

int uvs__copy_out(const char* s, char* buf, size_t* size) {
  size_t n = strlen(s);
  if (n >= *size) {
    *size = n + 1;
    return UV_ENOBUFS;
  }
  memcpy(buf, s, n + 1);
  *size = n;
  return 0;
}

/* Stdio on a terminal is a terminal (loop/tty.c writes through to it), so
 * a program run by hand behaves as it does on a terminal (Node colours its
 * output, process.stdout.isTTY). Anything else is a file to the simulated
 * world: loop/fs.c passes writes to 0-2 through to the real descriptors,
 * synchronously, the same way every time; answering UV_NAMED_PIPE would
 * make a pipe behave unlike a file. Campaign runs write to files, so their
 * runs stay alike. */
uv_handle_type uv_guess_handle(uv_file fd) {
  if (fd < 0) return UV_UNKNOWN_HANDLE;
  /* a simulated file, under its own number or a low one dup2 gave it */
  if (sim_fs_is_open(sim_fs_current(), fd)) return UV_FILE;
  if (fd <= 2) {
    struct stat st;
    if (fstat(fd, &st) != 0) return UV_UNKNOWN_HANDLE;
    return isatty(fd) ? UV_TTY : UV_FILE;
  }
  /* A simulated stream socket (uv_fileno of a tcp or pipe handle) is one
   * until it is closed, reset or not (libuv's tcp_rst asks after a RST). */
  switch (sim_net_family(sim_net_current(), fd)) {
  case 0: break;
  case AF_UNIX: return UV_NAMED_PIPE;
  default: return UV_TCP;
  }
  /* a simulated datagram socket (uv_fileno of a udp handle) */
  sim_addr a;
  if (sim_dgram_getsockname(sim_dgram_current(), fd, &a) == 0) return UV_UDP;
  /* Anything else is a real descriptor the program made itself (uv_pipe,
   * uv_socketpair: libuv's ping_pong tests ask about them): the kernel's
   * answer, read as libuv reads it. */
  struct stat st;
  if (fstat(fd, &st) != 0) return UV_UNKNOWN_HANDLE;
  if (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)) return UV_FILE;
  if (S_ISFIFO(st.st_mode)) return UV_NAMED_PIPE;
  if (!S_ISSOCK(st.st_mode)) return UV_UNKNOWN_HANDLE;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int type;
  socklen_t tlen = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0) return UV_UNKNOWN_HANDLE;
  if (getsockname(fd, (struct sockaddr*)&ss, &len) != 0) return UV_UNKNOWN_HANDLE;
  if (ss.ss_family == AF_UNIX) return UV_NAMED_PIPE;
  if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
    return type == SOCK_STREAM ? UV_TCP : type == SOCK_DGRAM ? UV_UDP : UV_UNKNOWN_HANDLE;
  return UV_UNKNOWN_HANDLE;
}

int uv_os_getenv(const char* name, char* buffer, size_t* size) {
  if (name == NULL || buffer == NULL || size == NULL || *size == 0)
    return UV_EINVAL;
  const char* v = getenv(name);
  if (v == NULL) return UV_ENOENT;
  return uvs__copy_out(v, buffer, size);
}

int uv_os_setenv(const char* name, const char* value) {
  if (name == NULL || value == NULL) return UV_EINVAL;
  return setenv(name, value, 1) == 0 ? 0 : -errno;
}

int uv_os_unsetenv(const char* name) {
  if (name == NULL) return UV_EINVAL;
  return unsetenv(name) == 0 ? 0 : -errno;
}

int uv_os_environ(uv_env_item_t** envitems, int* count) {
  if (envitems == NULL || count == NULL) return UV_EINVAL;
  int n = 0;
  while (environ[n]) n++;
  uv_env_item_t* items = calloc((size_t)n + 1, sizeof *items);
  if (items == NULL) return UV_ENOMEM;
  int k = 0;
  for (int i = 0; i < n; i++) {
    const char* eq = strchr(environ[i], '=');
    if (eq == NULL) continue;
    items[k].name = strndup(environ[i], (size_t)(eq - environ[i]));
    items[k].value = strdup(eq + 1);
    if (!items[k].name || !items[k].value) {
      free(items[k].name);
      free(items[k].value);
      uv_os_free_environ(items, k);
      return UV_ENOMEM;
    }
    k++;
  }
  *envitems = items;
  *count = k;
  return 0;
}

void uv_os_free_environ(uv_env_item_t* envitems, int count) {
  for (int i = 0; i < count; i++) {
    free(envitems[i].name);
    free(envitems[i].value);
  }
  free(envitems);
}

uv_pid_t uv_os_getpid(void) { return FIXED_PID; }
uv_pid_t uv_os_getppid(void) { return FIXED_PPID; }

int uv_exepath(char* buffer, size_t* size) {
  if (buffer == NULL || size == NULL || *size == 0) return UV_EINVAL;
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n < 0) return -errno;
  path[n] = '\0';
  /* libuv truncates to the buffer rather than failing */
  size_t k = (size_t)n < *size - 1 ? (size_t)n : *size - 1;
  memcpy(buffer, path, k);
  buffer[k] = '\0';
  *size = k;
  return 0;
}

/* As libuv: the title exists once uv_setup_args was called (ENOBUFS
 * before); it starts as argv[0] and has room for what argv took, since
 * real libuv writes it over the argument strings. Here it is only kept. */
static char process_title[4096];
static size_t title_cap;        /* 0: uv_setup_args not called */
/* Threads may set and read the title at once (libuv locks too): glibc's
 * snprintf writes the terminator first, so an unlocked reader can see an
 * empty title (libuv's process_title_threadsafe did, once in CI). */
static pthread_mutex_t title_lock = PTHREAD_MUTEX_INITIALIZER;

char** uv_setup_args(int argc, char** argv) {
  size_t cap = 0;
  for (int i = 0; i < argc && argv && argv[i]; i++) cap += strlen(argv[i]) + 1;
  pthread_mutex_lock(&title_lock);
  title_cap = cap < sizeof process_title ? cap : sizeof process_title;
  if (title_cap)
    snprintf(process_title, title_cap, "%s", argc > 0 && argv[0] ? argv[0] : "");
  pthread_mutex_unlock(&title_lock);
  return argv;
}

int uv_get_process_title(char* buffer, size_t size) {
  if (buffer == NULL || size == 0) return UV_EINVAL;
  int rc = 0;
  pthread_mutex_lock(&title_lock);
  size_t n = strlen(process_title);
  if (title_cap == 0 || n >= size) rc = UV_ENOBUFS;
  else memcpy(buffer, process_title, n + 1);
  pthread_mutex_unlock(&title_lock);
  return rc;
}

int uv_set_process_title(const char* title) {
  if (title == NULL) return UV_EINVAL;
  int rc = 0;
  pthread_mutex_lock(&title_lock);
  if (title_cap == 0) rc = UV_ENOBUFS;
  else snprintf(process_title, title_cap, "%s", title);   /* truncates, as libuv */
  pthread_mutex_unlock(&title_lock);
  return rc;
}

uint64_t uv_get_total_memory(void) { return FIXED_TOTAL_MEMORY; }
uint64_t uv_get_free_memory(void) { return FIXED_FREE_MEMORY; }
uint64_t uv_get_constrained_memory(void) { return 0; }  /* no cgroup limit */

int uv_resident_set_memory(size_t* rss) {
  if (rss == NULL) return UV_EINVAL;
  *rss = FIXED_RSS;
  return 0;
}

/* Nothing is ever spawned, so there is nothing to keep from inheriting. */
void uv_disable_stdio_inheritance(void) {}
