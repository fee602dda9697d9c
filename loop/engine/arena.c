/* loop/engine/arena.c — the engine's per-run memory: a bump allocator in
 * blocks, and the job ring buffers. Workload: millions of small objects
 * (promises, reactions, timers) per run, all dying together at reset, and
 * thousands of runs per second in campaigns — so no malloc per object and
 * storage is kept across runs (up to UVS__ARENA_KEEP_BLOCKS blocks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop/engine/engine_int.h"
#include "sim/sim_util.h"

#define ALIGN 16u

static uvs__block* block_new(size_t usable) {
  uvs__block* b = sim_xmalloc(sizeof(uvs__block) + ALIGN + usable);
  b->next = NULL;
  b->size = usable;
  return b;
}

static char* block_data(uvs__block* b) {
  uintptr_t p = (uintptr_t)(b + 1);
  p = (p + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
  return (char*)p;
}

void* uvs__arena_alloc(uvs__arena* a, size_t size) {
  size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  if (size == 0) size = ALIGN;
  if ((size_t)(a->end - a->cur) < size) {
    uvs__block* b;
    if (size <= UVS__ARENA_BLOCK_BYTES && a->spare != NULL) {
      b = a->spare;
      a->spare = b->next;
      a->nspare--;
    } else {
      b = block_new(size > UVS__ARENA_BLOCK_BYTES ? size
                                                  : UVS__ARENA_BLOCK_BYTES);
      uvs__engine_attach_reset();   /* storage to give back at world begin */
    }
    b->next = a->head;
    a->head = b;
    a->cur = block_data(b);
    a->end = a->cur + b->size;
  }
  void* p = a->cur;
  a->cur += size;
  memset(p, 0, size);
  return p;
}

/* Standard-size blocks go back to the spare list (bounded); oversized ones
 * and the excess are freed. */
void uvs__arena_reset(uvs__arena* a) {
  uvs__block* b = a->head;
  while (b != NULL) {
    uvs__block* next = b->next;
    if (b->size == UVS__ARENA_BLOCK_BYTES &&
        a->nspare < UVS__ARENA_KEEP_BLOCKS) {
      b->next = a->spare;
      a->spare = b;
      a->nspare++;
    } else {
      free(b);
    }
    b = next;
  }
  a->head = NULL;
  a->cur = a->end = NULL;
}

void uvs__jobq_push(uvs__jobq* q, const uvs__job* job) {
  if (q->len == q->cap) {
    size_t ncap = q->cap ? q->cap * 2 : 1024;
    uvs__job* nbuf = sim_xmalloc(ncap * sizeof(*nbuf));
    uvs__engine_attach_reset();
    for (size_t i = 0; i < q->len; i++)
      nbuf[i] = q->buf[(q->head + i) & (q->cap - 1)];
    free(q->buf);
    q->buf = nbuf;
    q->cap = ncap;
    q->head = 0;
  }
  q->buf[(q->head + q->len) & (q->cap - 1)] = *job;
  q->len++;
}

void uvs__plist_push(uvs__plist* l, uvsim_promise* p) {
  if (l->len == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 64;
    uvsim_promise** n = sim_xmalloc(ncap * sizeof(*n));
    uvs__engine_attach_reset();
    if (l->len) memcpy(n, l->items, l->len * sizeof(*n));
    free(l->items);
    l->items = n;
    l->cap = ncap;
  }
  l->items[l->len++] = p;
}

void* uvsim_alloc(size_t size) { return uvs__arena_alloc(&uvs__eng.arena, size); }
