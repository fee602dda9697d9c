/* asyncstore — a tiny async library: a value saved in the background.
 *
 *   as_store s;
 *   as_store_init(&s, loop);
 *   as_store_set(&s, 1, NULL);   // saved on libuv's thread pool
 *   as_store_set(&s, 2, NULL);
 *   uv_run(loop, UV_RUN_DEFAULT);
 *   as_store_get(&s);            // 2: the value set last
 *
 * Built twice: `asyncstore` (correct) and `asyncstore_buggy`
 * (ASYNCSTORE_BUG), which applies each save when it *completes*. On a real
 * machine the two pool jobs nearly always complete in the order they were
 * queued, so its tests pass; when the first save finishes last, the store
 * ends on the older value. uvsim finds that order (tests/). */
#ifndef ASYNCSTORE_H
#define ASYNCSTORE_H

#include <uv.h>

typedef struct as_store {
  uv_loop_t* loop;
  int value;                    /* the last value applied */
  unsigned next_seq;            /* sequence number of the next set */
  unsigned applied_seq;         /* of the value applied */
  int pending;                  /* saves in flight */
} as_store;

typedef void (*as_saved_cb)(as_store* s, int value, int status);

void as_store_init(as_store* s, uv_loop_t* loop);
/* Saves `value` in the background; `cb` (may be NULL) runs on the loop
 * when it is saved. 0, or a libuv error. */
int as_store_set(as_store* s, int value, as_saved_cb cb);
int as_store_get(const as_store* s);

#endif
