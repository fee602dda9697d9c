/* cli/cli.c — what every uvsim command shares: the one-line usage error
 * and strict parsing of flag values (see cli.h). */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_util.h"

int cli_usage_error(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("uvsim: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see uvsim help)\n", stderr);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_is_help(const char* a) {
  return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int cli_parse_u64(const char* flag, const char* v, uint64_t* out) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  if (sim_parse_u64(v, out)) return cli_usage_error("%s: '%s' is not a number", flag, v), -1;
  return 0;
}

int cli_parse_u32(const char* flag, const char* v, uint32_t* out) {
  uint64_t x;
  if (cli_parse_u64(flag, v, &x)) return -1;
  if (x > UINT32_MAX) return cli_usage_error("%s: '%s' is too large", flag, v), -1;
  *out = (uint32_t)x;
  return 0;
}

int cli_parse_pair(const char* flag, const char* v, uint32_t* a, uint32_t* b) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  char buf[64];
  snprintf(buf, sizeof buf, "%s", v);
  char* comma = strchr(buf, ',');
  if (!comma) return cli_usage_error("%s: '%s' is not DOF,PCT", flag, v), -1;
  *comma = 0;
  if (cli_parse_u32(flag, buf, a) || cli_parse_u32(flag, comma + 1, b)) return -1;
  if (*b > 100) return cli_usage_error("%s: percentage %u is above 100", flag, *b), -1;
  return 0;
}

int cli_parse_shard(const char* flag, const char* v, uint32_t* index, uint32_t* count) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  char buf[64];
  const char* slash = strchr(v, '/');
  uint64_t i, n;
  if (!slash || strlen(v) >= sizeof buf || slash - v == 0)
    return cli_usage_error("%s: '%s' is not I/N (shard I of N, e.g. 1/4)", flag, v), -1;
  snprintf(buf, sizeof buf, "%.*s", (int)(slash - v), v);
  if (sim_parse_u64(buf, &i) || sim_parse_u64(slash + 1, &n))
    return cli_usage_error("%s: '%s' is not I/N (shard I of N, e.g. 1/4)", flag, v), -1;
  if (n < 1 || n > UINT32_MAX || i < 1 || i > n)
    return cli_usage_error("%s: '%s': I/N needs 1 <= I <= N", flag, v), -1;
  *index = (uint32_t)(i - 1);
  *count = (uint32_t)n;
  return 0;
}

int cli_parse_seconds(const char* flag, const char* v, double* out) {
  if (!v) return cli_usage_error("%s needs a value", flag), -1;
  char* end = NULL;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || !*v || *end || !(x > 0) || x > 1e7)
    return cli_usage_error("%s: '%s' is not a positive number of seconds", flag, v), -1;
  *out = x;
  return 0;
}
