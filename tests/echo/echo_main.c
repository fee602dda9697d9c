/* tests/echo/echo_main.c — the echo session as a program: runs unchanged
 * against real libuv (and against uvsim, where UVSIM_SEED picks the
 * schedule). Prints the replies and the client's read sizes. */
#include <stdio.h>
#include <string.h>

#include "echo.h"

int main(int argc, char** argv) {
  int naive = argc > 1 && strcmp(argv[1], "--naive") == 0;
  echo_result r;
  echo_session(naive, &r);
  printf("replies %d ok %d reads %s\n", r.replies, r.ok, r.pattern);
  return r.replies == ECHO_MESSAGES && r.ok ? 0 : 1;
}
