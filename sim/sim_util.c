/* sim/sim_util.c — see util.h. */
#include "sim/sim_util.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------- allocation */

static void out_of_memory(size_t n) {
  fprintf(stderr, "uvsim: out of memory (%zu bytes)\n", n);
  abort();
}

void* sim_xmalloc(size_t n) {
  void* p = malloc(n ? n : 1);
  if (p == NULL) out_of_memory(n);
  return p;
}

void* sim_xrealloc(void* p, size_t n) {
  void* q = realloc(p, n ? n : 1);
  if (q == NULL) out_of_memory(n);
  return q;
}

void* sim_xcalloc(size_t nmemb, size_t size) {
  if (size && nmemb > SIZE_MAX / size) {
    fprintf(stderr, "uvsim: out of memory (%zu x %zu bytes)\n", nmemb, size);
    abort();
  }
  size_t len = nmemb * size;
  void* p = sim_xmalloc(len);
  return memset(p, 0, len > 0 ? len : 1);
}

char* sim_xstrdup(const char* s) {
  size_t n = strlen(s) + 1;
  return memcpy(sim_xmalloc(n), s, n);
}

/* ------------------------------------------------------------- numbers */

int sim_parse_u64(const char* s, uint64_t* out) {
  if (*s == '\0') return -1;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return -1;
    unsigned d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;   /* v * 10 + d overflows */
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int sim_parse_hex64(const char* s, uint64_t* out) {
  size_t len = strlen(s);
  if (len == 0 || len > 16) return -1;
  uint64_t v = 0;
  for (; *s; s++) {
    int d = hex_digit(*s);
    if (d < 0) return -1;
    v = v << 4 | (uint64_t)d;
  }
  *out = v;
  return 0;
}

uint64_t sim_env_u64(const char* name, uint64_t dflt, uint64_t max) {
  const char* v = getenv(name);
  if (v == NULL || *v == '\0') return dflt;
  uint64_t x;
  if (sim_parse_u64(v, &x) == 0 && x <= max) return x;
  fprintf(stderr, "uvsim: %s: '%s' is not a decimal number from 0 to %" PRIu64 "\n",
          name, v, max);
  fflush(NULL);
  _exit(2);
}

/* ---------------------------------------------------------- host files */

int sim_mkdir_p(const char* path, unsigned mode) {
  char buf[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, len + 1);
  for (char* p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST ? -1 : 0;
}
