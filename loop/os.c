/* loop/os.c — the machine a program asks libuv about: its name, kernel,
 * CPUs, load, uptime, resource usage, its user, process priorities and
 * network interface names.
 *
 * Real Node 18 asks these (the `os` module, process.cpuUsage, the
 * inspector), so none may answer ENOSYS. None may read the real host
 * either: the hostname, the CPUs or the load of the machine a run happens
 * on would make two runs of one seed differ. Every answer is a fixed value
 * of one documented virtual machine (docs/loop.md, "The machine"), or is
 * derived from the virtual clock. What the user configures — the
 * environment (HOME, TMPDIR) — is read from the real process, as
 * loop/process.c does for uv_os_getenv.
 *
 * Argument checks and buffer contracts follow libuv 1.44's src/unix/core.c
 * and getaddrinfo.c line by line, so misuse answers the same codes. */
#include "loop/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "loop/os.h"

/* ------------------------------------------------------------ the machine */

#define MACHINE_HOSTNAME "uvsim"
#define MACHINE_SYSNAME "Linux"
#define MACHINE_RELEASE "6.1.0-uvsim"
#define MACHINE_VERSION "#1 SMP PREEMPT_DYNAMIC uvsim"
#define MACHINE_ARCH "x86_64"
#define MACHINE_NCPUS 4
#define MACHINE_CPU_MODEL "uvsim virtual CPU @ 2.40GHz"
#define MACHINE_CPU_MHZ 2400

#define USER_NAME "uvsim"
#define USER_HOME "/home/uvsim"
#define USER_SHELL "/bin/sh"

int uv_os_uname(uv_utsname_t* buffer) {
  if (buffer == NULL) return UV_EINVAL;
  _Static_assert(sizeof MACHINE_VERSION <= sizeof buffer->version,
                 "uname fields fit uv_utsname_t");
  snprintf(buffer->sysname, sizeof buffer->sysname, "%s", MACHINE_SYSNAME);
  snprintf(buffer->release, sizeof buffer->release, "%s", MACHINE_RELEASE);
  snprintf(buffer->version, sizeof buffer->version, "%s", MACHINE_VERSION);
  snprintf(buffer->machine, sizeof buffer->machine, "%s", MACHINE_ARCH);
  return 0;
}

int uv_os_gethostname(char* buffer, size_t* size) {
  if (buffer == NULL || size == NULL || *size == 0) return UV_EINVAL;
  return uvs__copy_out(MACHINE_HOSTNAME, buffer, size);
}

/* ------------------------------------------------------------ the CPUs */

unsigned int uv_available_parallelism(void) { return MACHINE_NCPUS; }

/* Virtual seconds since the machine booted. uv_hrtime is CLOCK_MONOTONIC,
 * which on Linux counts from boot too, so the two agree: the machine booted
 * UVS__EPOCH_NS before the run began. */
static uint64_t uptime_ns(void) { return UVS__EPOCH_NS + sim_now(uvs__sim()); }

int uv_uptime(double* uptime) {
  if (uptime == NULL) return UV_EINVAL;
  uint64_t ns = uptime_ns();
  *uptime = (double)(ns / 1000000000u) + (double)(ns % 1000000000u) / 1e9;
  return 0;
}

/* An idle machine: no load, and every CPU has spent all its time since
 * boot idle (ms, as libuv reports on Linux). */
void uv_loadavg(double avg[3]) {
  avg[0] = avg[1] = avg[2] = 0.0;
}

int uv_cpu_info(uv_cpu_info_t** cpu_infos, int* count) {
  if (cpu_infos == NULL || count == NULL) return UV_EINVAL;
  uv_cpu_info_t* ci = calloc(MACHINE_NCPUS, sizeof *ci);
  if (ci == NULL) return UV_ENOMEM;
  uint64_t idle_ms = uptime_ns() / 1000000u;
  for (int i = 0; i < MACHINE_NCPUS; i++) {
    ci[i].model = strdup(MACHINE_CPU_MODEL);
    if (ci[i].model == NULL) {
      uv_free_cpu_info(ci, i);
      return UV_ENOMEM;
    }
    ci[i].speed = MACHINE_CPU_MHZ;
    ci[i].cpu_times.idle = idle_ms;
  }
  *cpu_infos = ci;
  *count = MACHINE_NCPUS;
  return 0;
}

void uv_free_cpu_info(uv_cpu_info_t* cpu_infos, int count) {
  for (int i = 0; i < count; i++) free(cpu_infos[i].model);
  free(cpu_infos);
}

/* The process's own usage. Virtual time does not tell CPU time from
 * waiting, so no CPU time is charged (user and system 0, like the idle
 * CPUs of uv_cpu_info); the resident set is uv_resident_set_memory's fixed
 * figure, in kB as getrusage gives it. Everything else is 0. */
int uv_getrusage(uv_rusage_t* rusage) {
  if (rusage == NULL) return UV_EINVAL;
  memset(rusage, 0, sizeof *rusage);
  size_t rss = 0;
  if (uv_resident_set_memory(&rss) == 0) rusage->ru_maxrss = rss / 1024u;
  return 0;
}

/* ------------------------------------------------------------- the user */

int uv_os_get_passwd(uv_passwd_t* pwd) {
  if (pwd == NULL) return UV_EINVAL;
  /* One block for the three strings, freed through username (as libuv). */
  size_t nl = sizeof USER_NAME, hl = sizeof USER_HOME, sl = sizeof USER_SHELL;
  char* block = malloc(nl + hl + sl);
  if (block == NULL) return UV_ENOMEM;
  pwd->username = memcpy(block, USER_NAME, nl);
  pwd->homedir = memcpy(block + nl, USER_HOME, hl);
  pwd->shell = memcpy(block + nl + hl, USER_SHELL, sl);
  pwd->uid = UVS__USER_UID;
  pwd->gid = UVS__USER_GID;
  return 0;
}

void uv_os_free_passwd(uv_passwd_t* pwd) {
  if (pwd == NULL) return;
  free(pwd->username);
  pwd->username = NULL;
  pwd->shell = NULL;
  pwd->homedir = NULL;
}

/* As libuv: HOME when it is set (uv_os_getenv checks the arguments), else
 * the user's home directory. */
int uv_os_homedir(char* buffer, size_t* size) {
  int r = uv_os_getenv("HOME", buffer, size);
  if (r != UV_ENOENT) return r;
  return uvs__copy_out(USER_HOME, buffer, size);
}

/* As libuv: TMPDIR, TMP, TEMP, TEMPDIR, else /tmp (which the simulated
 * filesystem always has); a trailing slash is dropped. */
int uv_os_tmpdir(char* buffer, size_t* size) {
  static const char* const vars[] = { "TMPDIR", "TMP", "TEMP", "TEMPDIR" };
  if (buffer == NULL || size == NULL || *size == 0) return UV_EINVAL;
  const char* dir = NULL;
  for (size_t i = 0; i < sizeof vars / sizeof *vars && dir == NULL; i++)
    dir = getenv(vars[i]);
  if (dir == NULL) dir = "/tmp";
  size_t len = strlen(dir);
  if (len >= *size) {
    *size = len + 1;
    return UV_ENOBUFS;
  }
  if (len > 1 && dir[len - 1] == '/') len--;
  memcpy(buffer, dir, len);
  buffer[len] = '\0';
  *size = len;
  return 0;
}

/* ------------------------------------------------------------ priorities */

/* The processes of the machine: the simulated process (uv_os_getpid; pid
 * 0 means it too, as for getpriority(2)) and its parent (uv_os_getppid).
 * Both belong to the simulated user and start at nice 0. Any other pid
 * does not exist: ESRCH. */
enum { PRIO_SELF, PRIO_PARENT, PRIO_PROCS };
static int prio_value[PRIO_PROCS];

static int prio_slot(uv_pid_t pid) {
  if (pid == 0 || pid == uv_os_getpid()) return PRIO_SELF;
  if (pid == uv_os_getppid()) return PRIO_PARENT;
  return -1;
}

int uv_os_getpriority(uv_pid_t pid, int* priority) {
  if (priority == NULL) return UV_EINVAL;
  int i = prio_slot(pid);
  if (i < 0) return UV_ESRCH;
  *priority = prio_value[i];
  return 0;
}

/* Linux without CAP_SYS_NICE (the user is not root, RLIMIT_NICE is 0): a
 * process may lower its priority (raise the nice value), never raise it
 * back (EACCES). */
int uv_os_setpriority(uv_pid_t pid, int priority) {
  if (priority < UV_PRIORITY_HIGHEST || priority > UV_PRIORITY_LOW) return UV_EINVAL;
  int i = prio_slot(pid);
  if (i < 0) return UV_ESRCH;
  if (priority < prio_value[i]) return UV_EACCES;
  prio_value[i] = priority;
  return 0;
}

void uvs__os_reset(void) {
  memset(prio_value, 0, sizeof prio_value);
  uvs__random_reset();
  uvs__signal_reset();
  uvs__fs_event_reset();
}

/* ------------------------------------------------------------ interfaces */

/* The machine's one interface is the loopback device, index 1 (what
 * uv_interface_addresses lists); any other index does not exist: ENXIO, as
 * if_indextoname(3) says. On Unix the interface id of a scoped IPv6
 * address is the interface's name, exactly as uv_if_indextoname gives. */
int uv_if_indextoname(unsigned int ifindex, char* buffer, size_t* size) {
  if (buffer == NULL || size == NULL || *size == 0) return UV_EINVAL;
  if (ifindex != 1) return UV_ENXIO;
  return uvs__copy_out("lo", buffer, size);
}

int uv_if_indextoiid(unsigned int ifindex, char* buffer, size_t* size) {
  return uv_if_indextoname(ifindex, buffer, size);
}

/* ------------------------------------------------------------ descriptors */

/* On Unix an OS handle is the descriptor itself (libuv does the same). */
uv_os_fd_t uv_get_osfhandle(int fd) { return fd; }
int uv_open_osfhandle(uv_os_fd_t os_fd) { return os_fd; }

/* ------------------------------------------- the machine as libc tells it */

/* A program that asks libc as well as libuv must meet one machine: libuv's
 * own suite checks uv_os_get_passwd against geteuid() and uv_os_uname
 * against uname(2), and a program that prints getuid() would otherwise
 * print the host's user, which differs between the machines a seed is
 * replayed on. So these libc calls are answered here for the whole
 * process (exported from libuvsim.so, loop/entry/exports.map; defined in
 * the program itself when libuvsim.a is linked in). A child process runs
 * for real and sees the real host. */

uid_t getuid(void) { return UVS__USER_UID; }
uid_t geteuid(void) { return UVS__USER_UID; }
gid_t getgid(void) { return UVS__USER_GID; }
gid_t getegid(void) { return UVS__USER_GID; }

int uname(struct utsname* buf) {
  if (buf == NULL) {
    errno = EFAULT;
    return -1;
  }
  memset(buf, 0, sizeof *buf);
  snprintf(buf->sysname, sizeof buf->sysname, "%s", MACHINE_SYSNAME);
  snprintf(buf->nodename, sizeof buf->nodename, "%s", MACHINE_HOSTNAME);
  snprintf(buf->release, sizeof buf->release, "%s", MACHINE_RELEASE);
  snprintf(buf->version, sizeof buf->version, "%s", MACHINE_VERSION);
  snprintf(buf->machine, sizeof buf->machine, "%s", MACHINE_ARCH);
  return 0;
}

/* gethostname(2): the name and its NUL must fit, else ENAMETOOLONG. */
int gethostname(char* name, size_t len) {
  if (len < sizeof MACHINE_HOSTNAME) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(name, MACHINE_HOSTNAME, sizeof MACHINE_HOSTNAME);
  return 0;
}
