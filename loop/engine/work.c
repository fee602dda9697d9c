/* loop/engine/work.c — promise helpers for scenarios: a delay (a timer as a
 * promise) and a thread-pool job as a promise (uv_queue_work), the shape of
 * fs.promises and of most promisified C libraries. The promise settles in
 * the after-work callback (poll phase), followed by the checkpoint, as
 * Node's callback scope does. */
#include "loop/engine/engine_int.h"
#include "uvsim/loop.h"

typedef struct delay_rec {
  uvsim_promise* p;
  uvsim_value value;
} delay_rec;

static void delay_fire(void* data) {
  delay_rec* d = data;
  uvsim_promise_resolve(d->p, d->value);
}

uvsim_promise* uvsim_delay(double ms, uvsim_value value) {
  delay_rec* d = uvsim_alloc(sizeof(*d));
  d->p = uvsim_promise_new();
  d->value = value;
  uvsim_set_timeout_l(delay_fire, d, ms, "delay");
  return d->p;
}

typedef struct work_rec {
  uv_work_t req;       /* first: the uv_work_t* is the record */
  uvsim_promise* p;
  void (*work)(void* data);
  void* data;
  const char* label;
} work_rec;

static void work_run(uv_work_t* req) {
  work_rec* w = (work_rec*)req;
  w->work(w->data);
}

static void work_done(uv_work_t* req, int status) {
  work_rec* w = (work_rec*)req;
  if (uvs__eng.failed) return;
  uvs__eng.last_label = w->label;
  if (status == UV_ECANCELED)
    uvsim_promise_reject(w->p, uvsim_error_new(NULL, "ECANCELED",
                                               "operation canceled"));
  else
    uvsim_promise_resolve(w->p, uvsim_ptr(w->data));
  uvsim_checkpoint();
}

uvsim_promise* uvsim_work_promise(uv_loop_t* loop, void (*work)(void* data),
                                  void* data, const char* label) {
  assert(loop != NULL && work != NULL);
  work_rec* w = uvsim_alloc(sizeof(*w));
  w->p = uvsim_promise_new();
  w->work = work;
  w->data = data;
  w->label = label ? label : "work";
  int rc = uvsim_queue_work_l(loop, &w->req, w->label, work_run, work_done);
  if (rc != 0)
    uvsim_promise_reject(w->p, uvsim_error_new(NULL, uv_err_name(rc),
                                               uv_strerror(rc)));
  return w->p;
}
