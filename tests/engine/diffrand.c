/* tests/engine/diffrand.c SPEC — random differential test, C side: runs
 * the forest that diffrand.js generated (see there) on the engine and
 * prints the ids in the order they ran, 20 per line, like the JS side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "uvsim/engine.h"

typedef struct node {
  char kind;
  int id;
  int nchild;
  struct node** child;
} node;

static const char* p;
static int next_id;
static int* out;
static size_t nout, capout;

static node* parse(void) {
  node* n = uvsim_alloc(sizeof(*n));
  n->kind = *p++;
  n->id = next_id++;
  if (*p == '(') {
    node* kids[8];
    p++;
    for (;;) {
      if (n->nchild == 8) abort();
      kids[n->nchild++] = parse();
      if (*p == ',') { p++; continue; }
      if (*p != ')') abort();
      p++;
      break;
    }
    n->child = uvsim_alloc(n->nchild * sizeof(node*));
    memcpy(n->child, kids, n->nchild * sizeof(node*));
  }
  return n;
}

static void schedule(node* n);

static void run(void* d) {
  node* n = d;
  if (nout == capout) {
    capout = capout ? capout * 2 : 256;
    out = realloc(out, capout * sizeof(int));
  }
  out[nout++] = n->id;
  for (int i = 0; i < n->nchild; i++) schedule(n->child[i]);
}
static uvsim_value run_r(uvsim_value v, void* d) { (void)v; run(d); return uvsim_undefined(); }
static uvsim_value run_f(void* d) { run(d); return uvsim_undefined(); }

typedef struct { uvsim_async a; node* n; } frame;
static void async_body(uvsim_async* a) {
  frame* f = (frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT(f, uvsim_null());
  run(f->n);
  UVSIM_ASYNC_END(f);
}

static void sync_then(void* self, uvsim_resolvers* r) {
  (void)self;
  uvsim_resolvers_resolve(r, uvsim_undefined());
}

static void return_promise(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  UVSIM_ASYNC_RETURN(a, uvsim_promise_value(uvsim_promise_from(uvsim_undefined())));
  UVSIM_ASYNC_END(a);
}
static uvsim_value ret_promise(uvsim_value v, void* d) {
  (void)v; (void)d;
  return uvsim_promise_value(uvsim_promise_from(uvsim_undefined()));
}

static void schedule(node* n) {
  uvsim_value u = uvsim_undefined();
  switch (n->kind) {
    case 'T': uvsim_next_tick(run, n); break;
    case 'M': uvsim_queue_microtask(run, n); break;
    case 'P': uvsim_then(uvsim_promise_from(u), run_r, NULL, n); break;
    case 'A': {
      frame* f = uvsim_alloc(sizeof(*f));
      f->n = n;
      uvsim_async_call(&f->a, async_body);
      break;
    }
    case 'D': {
      uvsim_promise* q = uvsim_promise_new();
      uvsim_promise_resolve(q, uvsim_promise_value(uvsim_promise_from(u)));
      uvsim_then(q, run_r, NULL, n);
      break;
    }
    case 'Y':
      uvsim_then(uvsim_promise_from(uvsim_thenable_new(sync_then, NULL)), run_r, NULL, n);
      break;
    case 'R': uvsim_catch(uvsim_promise_rejected(uvsim_int(0)), run_r, n); break;
    case 'F': uvsim_finally(uvsim_promise_from(u), run_f, n); break;
    case 'W': {
      uvsim_value items[2] = {uvsim_promise_value(uvsim_promise_from(uvsim_int(1))), uvsim_int(2)};
      uvsim_then(uvsim_promise_all(items, 2), run_r, NULL, n);
      break;
    }
    case 'I': uvsim_set_immediate(run, n); break;
    case 'Z': {
      uvsim_async* a = uvsim_alloc(sizeof(*a));
      uvsim_then(uvsim_async_call(a, return_promise), run_r, NULL, n);
      break;
    }
    case 'X':
      uvsim_then(uvsim_then(uvsim_promise_from(u), ret_promise, NULL, NULL), run_r, NULL, n);
      break;
    case 'S': {
      uvsim_value items[2] = {uvsim_promise_value(uvsim_promise_rejected(uvsim_int(1))), uvsim_int(2)};
      uvsim_then(uvsim_promise_all_settled(items, 2), run_r, NULL, n);
      break;
    }
    case 'N': {
      uvsim_value items[2] = {uvsim_promise_value(uvsim_promise_from(uvsim_int(1))), uvsim_int(2)};
      uvsim_then(uvsim_promise_race(items, 2), run_r, NULL, n);
      break;
    }
    case 'K': {
      uvsim_value items[2] = {uvsim_promise_value(uvsim_promise_rejected(uvsim_int(1))),
                              uvsim_promise_value(uvsim_promise_from(uvsim_int(2)))};
      uvsim_then(uvsim_promise_any(items, 2), run_r, NULL, n);
      break;
    }
    default: abort();
  }
}

int main(int argc, char** argv) {
  if (argc != 2 || strncmp(argv[1], "SPEC ", 5) != 0) {
    fprintf(stderr, "usage: %s 'SPEC <forest>'\n", argv[0]);
    return 2;
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  uvsim_engine_init(&loop);
  p = argv[1] + 5;
  node* roots[4096];
  int nroots = 0;
  while (*p) {
    roots[nroots++] = parse();
    if (*p == ',') p++;
  }
  for (int i = 0; i < nroots; i++) schedule(roots[i]);
  int rc = uvsim_engine_run(&loop);
  printf("%s\n", argv[1]);
  for (size_t i = 0; i < nout; i += 20) {
    for (size_t j = i; j < nout && j < i + 20; j++) printf(j > i ? " %d" : "%d", out[j]);
    printf("\n");
  }
  uvsim_engine_close(&loop);
  uv_loop_close(&loop);
  uvs__engine_reset();
  free(out);
  return rc;
}
