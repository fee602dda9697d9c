/* loop/misc.c — pure helpers of libuv's API that touch nothing real. */
#include "loop/internal.h"

#include <stdlib.h>

#include "uvsim.h"

uv_buf_t uv_buf_init(char* base, unsigned int len) {
  uv_buf_t buf;
  buf.base = base;
  buf.len = len;
  return buf;
}

static uv_malloc_func user_malloc = malloc;
static uv_realloc_func user_realloc = realloc;
static uv_calloc_func user_calloc = calloc;
static uv_free_func user_free = free;

int uv_replace_allocator(uv_malloc_func m, uv_realloc_func r, uv_calloc_func c,
                         uv_free_func f) {
  if (m == NULL || r == NULL || c == NULL || f == NULL) return UV_EINVAL;
  user_malloc = m;
  user_realloc = r;
  user_calloc = c;
  user_free = f;
  return 0;
}

void uv_library_shutdown(void) {}

uint64_t uvsim_wall_ns(void) {
  return UVS__WALL_EPOCH_S * 1000000000ull + sim_now(uvs__sim());
}

uint64_t uvsim_wall_ns_read(void) {
  return UVS__WALL_EPOCH_S * 1000000000ull + uvs__clock_read();
}

/* uv_gettimeofday reads the virtual wall clock: the virtual clock offset to
 * a fixed date (UVS__WALL_EPOCH_S) so programs that print dates stay
 * deterministic. */
int uv_gettimeofday(uv_timeval64_t* tv) {
  if (tv == NULL) return UV_EINVAL;
  uint64_t ns = uvs__clock_read();
  tv->tv_sec = UVS__WALL_EPOCH_S + (int64_t)(ns / 1000000000u);
  tv->tv_usec = (int32_t)((ns % 1000000000u) / 1000u);
  return 0;
}

