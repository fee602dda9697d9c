/* The machine queries answer with libuv's argument checks and buffer
 * contracts: uv_os_gethostname's ENOBUFS size rule, uv_os_uname,
 * uv_os_homedir and uv_os_tmpdir (from the environment, as libuv reads
 * it), uv_os_get_passwd and the double free, uv_os_getpriority/
 * setpriority (range, NULL, a pid that does not exist, the caller's own
 * pid as 0), uv_if_indextoname/indextoiid (the loopback is index 1), the
 * OS handle identity, and that the CPU, load, uptime and usage figures are
 * well formed. The values themselves (a real host's name, CPUs, user) are
 * uvsim's fixed ones (docs/loop.md) and differ from the real machine's, so
 * only their shape is printed. */
#include "d.h"

#include <sys/utsname.h>
#include <unistd.h>

static void hostname_rules(void) {
  char buf[UV_MAXHOSTNAMESIZE];
  size_t size = 1;
  SAY("gethostname NULL buf: %s", E(uv_os_gethostname(NULL, &size)));
  SAY("gethostname NULL size: %s", E(uv_os_gethostname(buf, NULL)));
  size = 0;
  SAY("gethostname size 0: %s", E(uv_os_gethostname(buf, &size)));
  size_t need = 1;
  buf[0] = '\0';
  int r = uv_os_gethostname(buf, &need);
  SAY("gethostname size 1: %s untouched=%d need>1=%d", E(r), buf[0] == '\0', need > 1);
  size = sizeof buf;
  r = uv_os_gethostname(buf, &size);
  SAY("gethostname: %s size=strlen:%d size+1=need:%d", E(r), size == strlen(buf),
      size + 1 == need);
  size = need - 1;   /* exactly the length: no room for the NUL */
  SAY("gethostname len-only: %s size=need:%d", E(uv_os_gethostname(buf, &size)),
      size == need);
  size = need;
  SAY("gethostname exact: %s", E(uv_os_gethostname(buf, &size)));
}

static void uname_rules(void) {
  uv_utsname_t u;
  SAY("uname NULL: %s", E(uv_os_uname(NULL)));
  int r = uv_os_uname(&u);
  SAY("uname: %s sysname=%s nonempty=%d", E(r), u.sysname,
      u.release[0] && u.version[0] && u.machine[0]);
}

static void dir_rules(void) {
  char buf[256];
  size_t size;
  uv_os_setenv("HOME", "/home/diff-user");
  size = sizeof buf;
  int r = uv_os_homedir(buf, &size);
  SAY("homedir HOME: %s '%s' size=%zu", E(r), r == 0 ? buf : "", size);
  size = 3;
  SAY("homedir small: %s size=%zu", E(uv_os_homedir(buf, &size)), size);
  size = 0;
  SAY("homedir size 0: %s", E(uv_os_homedir(buf, &size)));
  SAY("homedir NULL: %s", E(uv_os_homedir(NULL, &size)));
  uv_os_unsetenv("HOME");
  size = sizeof buf;
  r = uv_os_homedir(buf, &size);
  SAY("homedir passwd: %s absolute=%d", E(r), r == 0 && buf[0] == '/');

  uv_os_unsetenv("TMP");
  uv_os_unsetenv("TEMP");
  uv_os_unsetenv("TEMPDIR");
  uv_os_setenv("TMPDIR", "/var/diff-tmp/");
  size = sizeof buf;
  r = uv_os_tmpdir(buf, &size);
  SAY("tmpdir TMPDIR: %s '%s' size=%zu", E(r), r == 0 ? buf : "", size);
  size = 4;
  SAY("tmpdir small: %s size=%zu", E(uv_os_tmpdir(buf, &size)), size);
  uv_os_unsetenv("TMPDIR");
  uv_os_setenv("TEMP", "/");
  size = sizeof buf;
  r = uv_os_tmpdir(buf, &size);
  SAY("tmpdir TEMP=/: %s '%s' size=%zu", E(r), r == 0 ? buf : "", size);
  uv_os_unsetenv("TEMP");
  size = sizeof buf;
  r = uv_os_tmpdir(buf, &size);
  SAY("tmpdir default: %s '%s' size=%zu", E(r), r == 0 ? buf : "", size);
  size = 0;
  SAY("tmpdir size 0: %s", E(uv_os_tmpdir(buf, &size)));
}

static void passwd_rules(void) {
  uv_passwd_t pwd;
  SAY("get_passwd NULL: %s", E(uv_os_get_passwd(NULL)));
  int r = uv_os_get_passwd(&pwd);
  SAY("get_passwd: %s name=%d home=%d shell=%d ids=%d", E(r), strlen(pwd.username) > 0,
      pwd.homedir[0] == '/', strlen(pwd.shell) > 0,
      pwd.uid != (unsigned long)-1 && pwd.gid != (unsigned long)-1);
  uv_os_free_passwd(&pwd);
  SAY("free_passwd: %d", pwd.username == NULL && pwd.homedir == NULL && pwd.shell == NULL);
  uv_os_free_passwd(&pwd);
  uv_os_free_passwd(NULL);
  SAY("free_passwd twice: ok");
}

/* One machine, whichever way it is asked: libc's uname(2), gethostname(2)
 * and user ids agree with libuv's answers (on a real host trivially; under
 * uvsim because libc's are answered by the same virtual machine). */
static void libc_agrees(void) {
  uv_utsname_t u;
  struct utsname k;
  int same = uv_os_uname(&u) == 0 && uname(&k) == 0 &&
             strcmp(u.sysname, k.sysname) == 0 && strcmp(u.release, k.release) == 0 &&
             strcmp(u.version, k.version) == 0 && strcmp(u.machine, k.machine) == 0;
  SAY("uname agrees with uname(2): %d", same);
  char h[UV_MAXHOSTNAMESIZE], kh[256];
  size_t size = sizeof h;
  same = uv_os_gethostname(h, &size) == 0 && gethostname(kh, sizeof kh) == 0 &&
         strcmp(h, kh) == 0;
  SAY("gethostname agrees with gethostname(2): %d", same);
  uv_passwd_t pwd;
  same = uv_os_get_passwd(&pwd) == 0 && pwd.uid == geteuid() && pwd.uid == getuid() &&
         pwd.gid == getegid() && pwd.gid == getgid();
  if (same) uv_os_free_passwd(&pwd);
  SAY("get_passwd agrees with getuid/geteuid/getgid/getegid: %d", same);
}

static void priority_rules(void) {
  int p = -100;
  SAY("getpriority NULL: %s", E(uv_os_getpriority(0, NULL)));
  SAY("setpriority too high: %s", E(uv_os_setpriority(0, UV_PRIORITY_HIGHEST - 1)));
  SAY("setpriority too low: %s", E(uv_os_setpriority(0, UV_PRIORITY_LOW + 1)));
  /* pid_max is at most 2^22 on Linux: this pid never exists */
  SAY("getpriority no such pid: %s", E(uv_os_getpriority(0x7ffffff0, &p)));
  SAY("setpriority no such pid: %s", E(uv_os_setpriority(0x7ffffff0, 5)));
  SAY("getpriority -5: %s", E(uv_os_getpriority(-5, &p)));
  /* only ever lowered: allowed to any user */
  int r = uv_os_getpriority(0, &p);
  SAY("getpriority: %s", E(r));
  int base = p;
  for (int v = base + 1; v <= base + 3 && v <= UV_PRIORITY_LOW; v++) {
    r = uv_os_setpriority(0, v);
    int self = -100, me = -100;
    uv_os_getpriority(0, &self);
    uv_os_getpriority(uv_os_getpid(), &me);
    SAY("setpriority +%d: %s get=+%d same-as-getpid=%d", v - base, E(r), self - base, self == me);
  }
}

static void interface_rules(void) {
  char buf[64];
  size_t size = sizeof buf;
  int r = uv_if_indextoname(1, buf, &size);
  SAY("indextoname 1: %s '%s' size=%zu", E(r), r == 0 ? buf : "", size);
  size = sizeof buf;
  r = uv_if_indextoiid(1, buf, &size);
  SAY("indextoiid 1: %s '%s' size=%zu", E(r), r == 0 ? buf : "", size);
  size = 2;
  SAY("indextoname small: %s size=%zu", E(uv_if_indextoname(1, buf, &size)), size);
  size = sizeof buf;
  SAY("indextoname 0: %s", E(uv_if_indextoname(0, buf, &size)));
  size = sizeof buf;
  SAY("indextoname 99999: %s", E(uv_if_indextoname(99999, buf, &size)));
  size = 0;
  SAY("indextoname size 0: %s", E(uv_if_indextoname(1, buf, &size)));
  SAY("indextoname NULL: %s", E(uv_if_indextoname(1, NULL, &size)));
  SAY("osfhandle: %d %d", (int)uv_get_osfhandle(7), uv_open_osfhandle(7));
}

static void figures(void) {
  uv_cpu_info_t* cpus = NULL;
  int count = 0;
  int r = uv_cpu_info(&cpus, &count);
  int ok = r == 0 && count >= 1;
  for (int i = 0; ok && i < count; i++) ok = cpus[i].model != NULL && cpus[i].speed >= 0;
  SAY("cpu_info: %s well-formed=%d", E(r), ok);
  if (r == 0) uv_free_cpu_info(cpus, count);
  SAY("available_parallelism >= 1: %d", uv_available_parallelism() >= 1);
  double avg[3] = { -1, -1, -1 };
  uv_loadavg(avg);
  SAY("loadavg >= 0: %d", avg[0] >= 0 && avg[1] >= 0 && avg[2] >= 0);
  double up = 0;
  r = uv_uptime(&up);
  SAY("uptime: %s positive=%d", E(r), up > 0);
  uv_rusage_t ru;
  r = uv_getrusage(&ru);
  SAY("getrusage: %s non-negative=%d", E(r),
      ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_stime.tv_sec >= 0 &&
          ru.ru_stime.tv_usec >= 0);
}

int main(void) {
  hostname_rules();
  uname_rules();
  dir_rules();
  passwd_rules();
  libc_agrees();
  priority_rules();
  interface_rules();
  figures();
  return 0;
}
