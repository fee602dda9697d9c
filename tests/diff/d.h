/* tests/diff/d.h — helpers shared by the loop's differential programs.
 *
 * Every program here runs unchanged against the real libuv and against
 * libuvsim (natural order); their stdout must be identical. So they print
 * only callback order, counts and return values, never times: a real timer
 * may be a millisecond late, a virtual one never is. Deadlines that must
 * stay ordered are kept >= 10 ms apart so real lateness cannot swap them. */
#ifndef DIFF_LOOP_D_H
#define DIFF_LOOP_D_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define SAY(...)                                                       \
  do {                                                                 \
    printf(__VA_ARGS__);                                               \
    putchar('\n');                                                     \
    fflush(stdout);                                                    \
  } while (0)

/* An error code as libuv names it ("0" for success, "+n" for counts). */
static inline const char* E(int r) {
  static char buf[8][32];
  static int i;
  char* b = buf[i++ % 8];
  if (r < 0) snprintf(b, 32, "%s", uv_err_name(r));
  else snprintf(b, 32, "%d", r);
  return b;
}

/* Real sleep outside libuv (the loop thread is simply busy). */
static inline void busy_sleep_ms(int ms) {
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

static inline void close_loop(uv_loop_t* loop) {
  SAY("loop_close: %s", E(uv_loop_close(loop)));
}

#endif
