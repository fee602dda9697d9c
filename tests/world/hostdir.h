/* tests/world/hostdir.h — a fresh host directory for the mapping tests
 * (test_fs_map.c, test_fs_map_uv.c): create, fill, count the process's
 * host descriptors, remove. Test scaffolding only: the simulated path never
 * reads the host except through a mapping. */
#ifndef UVSIM_TEST_HOSTDIR_H
#define UVSIM_TEST_HOSTDIR_H

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char host[PATH_MAX];     /* the directory a test maps */

static void host_make(const char* tmpl) {
  snprintf(host, sizeof host, "%s", tmpl);
  assert_non_null(mkdtemp(host));
}

static void host_put(const char* rel, const char* text) {
  char p[PATH_MAX * 2];
  snprintf(p, sizeof p, "%s/%s", host, rel);
  FILE* f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int host_rm_one(const char* p, const struct stat* s, int flag,
                       struct FTW* ftw) {
  (void)s, (void)flag, (void)ftw;
  return remove(p);
}

static void host_remove(void) {
  nftw(host, host_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Entries of /proc/self/fd: the host descriptors this process holds. */
static int open_host_fds(void) {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  while (readdir(d) != NULL) n++;
  closedir(d);
  return n;
}

/* The host descriptors open on files below the host directory (not the
 * kernel-side placeholders of simulated numbers, loop/fdreserve.c). */
static inline int open_fds_below_host(void) {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    char link[300], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
    ssize_t len = readlink(link, target, sizeof target - 1);
    if (len <= 0) continue;
    target[len] = '\0';
    n += strncmp(target, host, strlen(host)) == 0;
  }
  closedir(d);
  return n;
}

#endif
