/* tests/conformance/driver.c — runs one C twin: `conformance_<mode> NAME`.
 * Mirrors what node does with a main module: run it, then the checkpoint,
 * then the loop until nothing is left; exit 1 on an uncaught exception or
 * unhandled rejection (the engine reports on stderr). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"


static uv_loop_t loop;

uv_loop_t* conf_loop(void) { return &loop; }

const char* show(uvsim_value v) {
  static char bufs[8][512];
  static int next;
  char* b = bufs[next++ & 7];
  return uvsim_value_fmt(v, b, sizeof bufs[0]);
}

void log_cb(void* msg) { LOG("%s", (const char*)msg); }

uvsim_value log_value(uvsim_value v, void* label) {
  LOG("%s %s", (const char*)label, show(v));
  return uvsim_undefined();
}

uvsim_value log_and_pass(uvsim_value v, void* label) {
  LOG("%s %s", (const char*)label, show(v));
  return v;
}

uvsim_value log_rethrow(uvsim_value v, void* label) {
  LOG("%s %s", (const char*)label, show(v));
  return uvsim_throw(v);
}

typedef struct io_req {
  uv_work_t req;
  uvsim_cb cb;
  void* data;
} io_req;

static void io_work(uv_work_t* req) { (void)req; }

static void io_done(uv_work_t* req, int status) {
  (void)status;
  io_req* r = (io_req*)req;
  r->cb(r->data);
  uvsim_checkpoint(); /* node's callback scope closing */
}

void conf_io(uvsim_cb cb, void* data) {
  io_req* r = uvsim_alloc(sizeof(*r));
  r->cb = cb;
  r->data = data;
  uv_queue_work(&loop, &r->req, io_work, io_done);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PROGRAM\n", argv[0]);
    return 2;
  }
  const conf_entry* e = conf_programs;
  while (e->name && strcmp(e->name, argv[1]) != 0) e++;
  if (e->name == NULL) {
    fprintf(stderr, "%s: unknown program '%s'\n", argv[0], argv[1]);
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  uv_loop_init(&loop);
  uvsim_engine_init(&loop);
  e->fn();
  int rc = uvsim_engine_run(&loop);
  fflush(stdout);
  if (rc != 0) _exit(rc); /* like node: no more callbacks after a failure */
  uvsim_engine_close(&loop);
  uv_loop_close(&loop);
  uvs__engine_reset();
  return 0;
}
