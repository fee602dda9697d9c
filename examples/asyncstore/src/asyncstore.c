/* asyncstore.c — see asyncstore.h. */
#include "asyncstore.h"

#include <stdlib.h>

typedef struct save_req {
  uv_work_t work;
  as_store* store;
  int value;
  unsigned seq;
  unsigned checksum;
  as_saved_cb cb;
} save_req;

void as_store_init(as_store* s, uv_loop_t* loop) {
  s->loop = loop;
  s->value = 0;
  s->next_seq = 1;
  s->applied_seq = 0;
  s->pending = 0;
}

/* On a pool thread: "write" the value (a checksum stands in for the disk). */
static void save_work(uv_work_t* w) {
  save_req* r = (save_req*)w;
  unsigned h = 2166136261u;
  for (int i = 0; i < 1000; i++) h = (h ^ (unsigned)(r->value + i)) * 16777619u;
  r->checksum = h;
}

static void save_done(uv_work_t* w, int status) {
  save_req* r = (save_req*)w;
  as_store* s = r->store;
  s->pending--;
#ifdef ASYNCSTORE_BUG
  /* The bug: the save that completes last wins, whichever was set last. */
  if (status == 0) s->value = r->value;
#else
  /* The fix: apply a save only if nothing newer has been applied. */
  if (status == 0 && r->seq > s->applied_seq) {
    s->applied_seq = r->seq;
    s->value = r->value;
  }
#endif
  if (r->cb) r->cb(s, r->value, status);
  free(r);
}

int as_store_set(as_store* s, int value, as_saved_cb cb) {
  save_req* r = calloc(1, sizeof *r);
  if (!r) return UV_ENOMEM;
  r->store = s;
  r->value = value;
  r->seq = s->next_seq++;
  r->cb = cb;
  int rc = uv_queue_work(s->loop, &r->work, save_work, save_done);
  if (rc != 0) {
    free(r);
    return rc;
  }
  s->pending++;
  return 0;
}

int as_store_get(const as_store* s) { return s->value; }
