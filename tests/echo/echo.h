/* tests/echo/echo.h — an echo server and a request/response client on one
 * loop, written against libuv's API only: the same code runs on real libuv
 * and on uvsim. */
#ifndef ECHO_H
#define ECHO_H

#include <stddef.h>

#define ECHO_MESSAGES 3
#define ECHO_PATTERN_MAX 256

typedef struct echo_result {
  int replies;                      /* complete replies the client got      */
  int reads;                        /* read callbacks with data (client)    */
  char pattern[ECHO_PATTERN_MAX];   /* client read sizes, "6,3,3,6"        */
  int ok;                           /* every reply matched its request      */
} echo_result;

/* Runs one session on the default loop. naive: the client assumes that one
 * read delivers exactly one whole reply (a classic bug: TCP is a byte
 * stream); it states that assumption with UVSIM_CHECK when built for uvsim
 * (ECHO_UVSIM), else just records it in ok. */
void echo_session(int naive, echo_result* out);

#endif
