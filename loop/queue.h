/* loop/queue.h — intrusive circular doubly-linked queues over libuv's own
 * `void* q[2]` fields (handle_queue, idle_handles, ...). The link lives inside
 * the owner, so enqueueing never allocates. Same idea as libuv's queue.h,
 * written as inline functions so the types are checked. */
#ifndef UVSIM_LOOP_QUEUE_H
#define UVSIM_LOOP_QUEUE_H

#include <stddef.h>

typedef void* uvs__queue[2];

#define UVS__QNEXT(q) (*(void***)&((*(q))[0]))
#define UVS__QPREV(q) (*(void***)&((*(q))[1]))
#define UVS__QDATA(ptr, type, field) \
  ((type*)((char*)(ptr) - offsetof(type, field)))

static inline void uvs__q_init(void* (*q)[2]) {
  (*q)[0] = q;
  (*q)[1] = q;
}
static inline int uvs__q_empty(void* (*q)[2]) { return (*q)[0] == (void*)q; }
static inline void* (*uvs__q_head(void* (*q)[2]))[2] {
  return (void* (*)[2])(*q)[0];
}
static inline void* (*uvs__q_next(void* (*q)[2]))[2] {
  return (void* (*)[2])(*q)[0];
}
static inline void uvs__q_insert_tail(void* (*h)[2], void* (*q)[2]) {
  void* (*prev)[2] = (void* (*)[2])(*h)[1];
  (*q)[0] = h;
  (*q)[1] = prev;
  (*prev)[0] = q;
  (*h)[1] = q;
}
static inline void uvs__q_insert_head(void* (*h)[2], void* (*q)[2]) {
  void* (*next)[2] = (void* (*)[2])(*h)[0];
  (*q)[0] = next;
  (*q)[1] = h;
  (*next)[1] = q;
  (*h)[0] = q;
}
static inline void uvs__q_remove(void* (*q)[2]) {
  void* (*prev)[2] = (void* (*)[2])(*q)[1];
  void* (*next)[2] = (void* (*)[2])(*q)[0];
  (*prev)[0] = next;
  (*next)[1] = prev;
}
/* Whether q is linked into a queue: its neighbours point back at it. A
 * removed node keeps its stale links, whose neighbours no longer do (for
 * assertions of queue membership). */
static inline int uvs__q_linked(void* (*q)[2]) {
  void* (*next)[2] = (void* (*)[2])(*q)[0];
  void* (*prev)[2] = (void* (*)[2])(*q)[1];
  return next != NULL && prev != NULL && (*next)[1] == (void*)q &&
         (*prev)[0] == (void*)q;
}
/* Moves every element of h to n (n must be uninitialised or empty). */
static inline void uvs__q_move(void* (*h)[2], void* (*n)[2]) {
  if (uvs__q_empty(h)) {
    uvs__q_init(n);
    return;
  }
  void* (*first)[2] = (void* (*)[2])(*h)[0];
  void* (*last)[2] = (void* (*)[2])(*h)[1];
  (*n)[0] = first;
  (*n)[1] = last;
  (*first)[1] = n;
  (*last)[0] = n;
  uvs__q_init(h);
}

#define UVS__QFOREACH(q, h) \
  for ((q) = uvs__q_head(h); (q) != (h); (q) = uvs__q_next(q))

#endif
