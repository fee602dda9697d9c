/* loop/random.c — uv_random from the simulated world.
 *
 * The bytes are one deterministic stream per run: splitmix64 seeded with
 * the run's seed (sim->cfg.seed) mixed with a constant of its own, each
 * 64-bit output read least significant byte first. The same seed gives
 * the same bytes, two seeds give different ones, and no byte comes from
 * the decision stream: synchronous calls leave every decision, trace hash
 * and reproducer of a run unchanged (the pool form is a pool job, with a
 * pool job's decisions). The stream restarts at uvsim_world_begin; a
 * replayed reproducer gets the same bytes because its world carries the
 * run's seed (UVSIM_REPLAY: sim/sim_world.c).
 *
 * As in libuv 1.44 (src/random.c): buflen above 0x7FFFFFFF is E2BIG, any
 * flag EINVAL; without a callback the call fills the buffer at once;
 * with one it is a pool request (UV_RANDOM, counted as an active request,
 * cancellable while queued) whose callback the loop delivers in its poll
 * phase like every other pool job. The bytes are drawn when the job runs,
 * so the order of draws is the order jobs start: FIFO, whatever the seed. */
#include "loop/internal.h"

#include <pthread.h>
#include <string.h>

#include "loop/os.h"
#include "loop/world_io.h"

/* "uv_random" in ASCII: keeps this stream apart from the decision PRNG,
 * which splitmix64 seeds from the bare seed. */
#define RANDOM_STREAM_KEY 0x75765f72616e646full

static pthread_mutex_t stream_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t stream_state;
static uint64_t stream_word;    /* the current 8 bytes ...                 */
static unsigned stream_left;    /* ... of which this many are still unread */
static int stream_ready;        /* 0: (re)seed from the world at next draw */

void uvs__random_reset(void) {
  pthread_mutex_lock(&stream_mu);
  stream_ready = 0;
  pthread_mutex_unlock(&stream_mu);
}

int uvs__random_drawn(void) {
  pthread_mutex_lock(&stream_mu);
  int drawn = stream_ready;
  pthread_mutex_unlock(&stream_mu);
  return drawn;
}

/* A byte stream: how the bytes are split between calls changes nothing.
 * Work callbacks run on real pool threads, so draws take a lock; they
 * never overlap the loop thread's own (docs/loop.md, "Thread pool"), which
 * keeps the order deterministic. */
static void fill(void* buf, size_t len) {
  unsigned char* p = buf;
  pthread_mutex_lock(&stream_mu);
  if (!stream_ready) {
    stream_state = uvs__sim()->cfg.seed ^ RANDOM_STREAM_KEY;
    stream_left = 0;
    stream_ready = 1;
  }
  for (size_t i = 0; i < len; i++) {
    if (stream_left == 0) {
      stream_word = sim_splitmix64(&stream_state);
      stream_left = 8;
    }
    p[i] = (unsigned char)(stream_word >> (8 * (8 - stream_left)));
    stream_left--;
  }
  pthread_mutex_unlock(&stream_mu);
}

typedef struct random_job {
  uvs__work w;                  /* first: the pool hands it back          */
  uv_random_t* req;
} random_job;

static void job_work(uvs__work* w) {
  uv_random_t* req = ((random_job*)w)->req;
  fill(req->buf, req->buflen);
  req->status = 0;
}

static void job_done(uvs__work* w, int status) {
  random_job* job = (random_job*)w;
  uv_random_t* req = job->req;
  UVS__ASSERT(req->work_req.wq[0] == job, "a uv_random job is not its request's");
  req->work_req.wq[0] = NULL;
  uvs__wfree(job);
  uvs__req_unregister(req->loop);
  if (status == 0) status = req->status;
  req->cb(req, status, req->buf, req->buflen);
}

static int random_cancel(uv_req_t* r) {
  random_job* job = ((uv_random_t*)r)->work_req.wq[0];
  if (job == NULL) return UV_EBUSY;
  UVS__ASSERT(job->req == (uv_random_t*)r, "uv_cancel: the job belongs to another request");
  return uvs__work_cancel(&job->w);
}

int uv_random(uv_loop_t* loop, uv_random_t* req, void* buf, size_t buflen,
              unsigned flags, uv_random_cb cb) {
  if (buflen > 0x7FFFFFFFu) return UV_E2BIG;
  if (flags != 0) return UV_EINVAL;
  if (cb == NULL) {
    fill(buf, buflen);
    return 0;
  }
  if (loop == NULL || req == NULL) return UV_EINVAL;
  /* libuv's uv__req_init: the type is set, req->data left alone. */
  req->type = UV_RANDOM;
  req->loop = loop;
  req->status = 0;
  req->cb = cb;
  req->buf = buf;
  req->buflen = buflen;
  random_job* job = uvs__wcalloc(sizeof *job);
  job->req = req;
  req->work_req.wq[0] = job;
  uvs__cancel_hook[UV_RANDOM] = random_cancel;
  uvs__req_register(loop);
  uvs__work_submit(loop, &job->w, "random", job_work, job_done);
  return 0;
}
