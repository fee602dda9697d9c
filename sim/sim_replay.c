/* sim/sim_replay.c — replay by kind, label and occurrence (see sim_replay.h).
 *
 * Two open-addressing tables keyed by 64-bit hashes: recorded (kind, label,
 * occurrence) -> index, and live (kind, label) -> count. A hit is confirmed
 * by comparing kind and label, so a hash collision can cost a match, never
 * give a wrong one. */
#include "sim/sim_replay.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_util.h"

static uint64_t key_of(sim_kind kind, const char* label) {
  uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)kind;
  for (const unsigned char* p = (const unsigned char*)(label ? label : ""); *p; p++) {
    h ^= *p;
    h *= 0x100000001b3ull;
  }
  return h ? h : 1;
}

static uint64_t with_occ(uint64_t key, uint32_t occ) {
  uint64_t x = key ^ ((uint64_t)occ * 0x9e3779b97f4a7c15ull);
  x = sim_splitmix64(&x);
  return x ? x : 1;
}

static int same(const sim_decision* d, sim_kind kind, const char* label) {
  return d->kind == kind && strcmp(d->label ? d->label : "", label ? label : "") == 0;
}

static size_t pow2_above(size_t n) {
  size_t c = 16;
  while (c < n * 2) c *= 2;
  return c;
}

/* ---- live counts */

static uint32_t* count_slot(sim_replay* r, uint64_t key) {
  if ((r->cnt_len + 1) * 2 > r->cnt_cap) {
    size_t ncap = r->cnt_cap ? r->cnt_cap * 2 : 64;
    uint64_t* nk = sim_xcalloc(ncap, sizeof *nk);
    uint32_t* nv = sim_xcalloc(ncap, sizeof *nv);
    for (size_t i = 0; i < r->cnt_cap; i++) {
      if (!r->cnt_key[i]) continue;
      size_t j = r->cnt_key[i] & (ncap - 1);
      while (nk[j]) j = (j + 1) & (ncap - 1);
      nk[j] = r->cnt_key[i];
      nv[j] = r->cnt_val[i];
    }
    free(r->cnt_key);
    free(r->cnt_val);
    r->cnt_key = nk;
    r->cnt_val = nv;
    r->cnt_cap = ncap;
  }
  size_t j = key & (r->cnt_cap - 1);
  while (r->cnt_key[j] && r->cnt_key[j] != key) j = (j + 1) & (r->cnt_cap - 1);
  if (!r->cnt_key[j]) {
    r->cnt_key[j] = key;
    r->cnt_len++;
  }
  return &r->cnt_val[j];
}

/* ---- recorded index */

static void index_put(sim_replay* r, uint64_t key, uint32_t idx) {
  size_t j = key & (r->slot_cap - 1);
  while (r->slot_key[j]) j = (j + 1) & (r->slot_cap - 1);
  r->slot_key[j] = key;
  r->slot_idx[j] = idx;
}

static long index_find(const sim_replay* r, uint64_t key, sim_kind kind,
                       const char* label, uint32_t occ) {
  if (!r->slot_cap) return -1;
  size_t j = key & (r->slot_cap - 1);
  for (; r->slot_key[j]; j = (j + 1) & (r->slot_cap - 1)) {
    uint32_t i = r->slot_idx[j];
    if (r->slot_key[j] == key && r->occ[i] == occ && same(&r->rec[i], kind, label))
      return (long)i;
  }
  return -1;
}

void sim_replay_init(sim_replay* r, const sim_decision* rec, size_t nrec, int strict) {
  memset(r, 0, sizeof *r);
  r->rec = rec;
  r->nrec = nrec;
  r->strict = strict;
  r->occ = sim_xcalloc(nrec ? nrec : 1, sizeof *r->occ);
  r->used = sim_xcalloc(nrec ? nrec : 1, 1);
  r->slot_cap = pow2_above(nrec);
  r->slot_key = sim_xcalloc(r->slot_cap, sizeof *r->slot_key);
  r->slot_idx = sim_xcalloc(r->slot_cap, sizeof *r->slot_idx);
  for (size_t i = 0; i < nrec; i++) {
    uint64_t k = key_of((sim_kind)rec[i].kind, rec[i].label);
    uint32_t* c = count_slot(r, k);
    r->occ[i] = (*c)++;
    index_put(r, with_occ(k, r->occ[i]), (uint32_t)i);
  }
  /* The same table counts live occurrences from zero. */
  if (r->cnt_cap) {   /* an empty file made no table */
    memset(r->cnt_key, 0, r->cnt_cap * sizeof *r->cnt_key);
    memset(r->cnt_val, 0, r->cnt_cap * sizeof *r->cnt_val);
  }
  r->cnt_len = 0;
}

void sim_replay_free(sim_replay* r) {
  free(r->occ);
  free(r->used);
  free(r->slot_key);
  free(r->slot_idx);
  free(r->cnt_key);
  free(r->cnt_val);
  memset(r, 0, sizeof *r);
}

static void item_set(sim_replay_item* it, sim_kind kind, uint32_t n, uint32_t choice,
                     size_t pos, const char* label) {
  it->kind = (uint16_t)kind;
  it->n = n;
  it->choice = choice;
  it->pos = pos;
  snprintf(it->label, sizeof it->label, "%s", label ? label : "");
}

/* The first place where the file and the run disagree, by position. */
static void note_position(sim_replay* r, sim_kind kind, uint32_t n, const char* label) {
  if (r->diverged_at_set) return;
  size_t p = r->pos;
  if (p < r->nrec && same(&r->rec[p], kind, label) && r->rec[p].n == n) return;
  if (p >= r->nrec && r->nused == r->nrec) return;   /* the natural tail */
  r->diverged_at_set = 1;
  if (p < r->nrec)
    item_set(&r->div_rec, (sim_kind)r->rec[p].kind, r->rec[p].n, r->rec[p].choice, p,
             r->rec[p].label);
  else
    r->div_rec.kind = UINT16_MAX;
  item_set(&r->div_live, kind, n, 0, p, label);
}

static uint32_t fit(sim_replay* r, const sim_decision* d, uint32_t n) {
  if (d->n != n && r->count_changed++ == 0) {
    item_set(&r->changed_rec, (sim_kind)d->kind, d->n, d->choice, (size_t)(d - r->rec),
             d->label);
    r->changed_n = n;
  }
  if (d->choice < n) return d->choice;
  r->clamped++;
  return n - 1;
}

uint32_t sim_replay_answer(sim_replay* r, sim_kind kind, uint32_t n, const char* label) {
  assert(n > 0);
  note_position(r, kind, n, label);
  uint64_t k = key_of(kind, label);
  uint32_t* c = count_slot(r, k);
  uint32_t occ = (*c)++;
  long i;
  if (r->strict)
    i = r->pos < r->nrec ? (long)r->pos : -1;
  else
    i = index_find(r, with_occ(k, occ), kind, label, occ);
  uint32_t answer = 0;
  if (i >= 0 && !r->used[i]) {
    r->used[i] = 1;
    r->nused++;
    answer = fit(r, &r->rec[i], n);
  } else if (r->pos < r->nrec) {
    /* Within the recorded span; past it is the natural tail. */
    if (r->unrecorded++ == 0) item_set(&r->first_unrecorded, kind, n, 0, r->pos, label);
  }
  r->pos++;
  return answer;
}

uint32_t sim_replay_chooser(void* ctx, sim* s, sim_kind kind, uint32_t n,
                            const char* label) {
  (void)s;
  return sim_replay_answer(ctx, kind, n, label);
}

size_t sim_replay_account(sim_replay* r, const sim_decision* log, size_t len) {
  size_t differ = 0;
  for (size_t i = 0; i < len; i++)
    differ += sim_replay_answer(r, (sim_kind)log[i].kind, log[i].n, log[i].label) !=
              log[i].choice;
  return differ;
}

size_t sim_replay_unused(const sim_replay* r, size_t* nonzero) {
  size_t n = 0, nz = 0;
  for (size_t i = 0; i < r->nrec; i++) {
    if (r->used[i]) continue;
    n++;
    nz += r->rec[i].choice != 0;
  }
  if (nonzero) *nonzero = nz;
  return n;
}

int sim_replay_diverged(const sim_replay* r) {
  return r->diverged_at_set || r->unrecorded || r->count_changed ||
         sim_replay_unused(r, NULL) != 0;
}

static void item_fmt(const sim_replay_item* it, int with_choice, char* out, size_t len) {
  if (with_choice)
    snprintf(out, len, "%s %u/%u %s", sim_kind_name((sim_kind)it->kind), it->choice, it->n,
             it->label);
  else
    snprintf(out, len, "%s %s", sim_kind_name((sim_kind)it->kind), it->label);
}

void sim_replay_fprint(const sim_replay* r, FILE* out, const char* prefix) {
  char a[SIM_LABEL_MAX + 64], b[SIM_LABEL_MAX + 64];
  if (r->diverged_at_set) {
    item_fmt(&r->div_live, 0, b, sizeof b);
    if (r->div_rec.kind == UINT16_MAX) {
      fprintf(out, "%sreplay diverged at decision %zu: the reproducer had ended, "
              "program asked `%s`\n", prefix, r->div_live.pos + 1, b);
    } else {
      item_fmt(&r->div_rec, 1, a, sizeof a);
      fprintf(out, "%sreplay diverged at decision %zu: recorded `%s`, program asked `%s`\n",
              prefix, r->div_live.pos + 1, a, b);
    }
  }
  if (r->unrecorded) {
    item_fmt(&r->first_unrecorded, 0, b, sizeof b);
    fprintf(out, "%s%zu decision%s the program asked had no record (answered 0), "
            "the first `%s`\n", prefix, r->unrecorded, r->unrecorded == 1 ? "" : "s", b);
  }
  if (r->count_changed) {
    item_fmt(&r->changed_rec, 1, a, sizeof a);
    fprintf(out, "%s%zu decision%s changed option count, the first `%s` now of %u%s\n",
            prefix, r->count_changed, r->count_changed == 1 ? "" : "s", a, r->changed_n,
            r->clamped ? " (choice clamped)" : "");
  }
  size_t nz;
  size_t unused = sim_replay_unused(r, &nz);
  if (unused) {
    fprintf(out, "%s%zu recorded decision%s never asked for (%zu off the natural order)",
            prefix, unused, unused == 1 ? " was" : "s were", nz);
    size_t shown = 0;
    for (size_t i = 0; i < r->nrec && shown < 3; i++) {
      if (r->used[i] || (nz && r->rec[i].choice == 0)) continue;
      sim_replay_item it;
      item_set(&it, (sim_kind)r->rec[i].kind, r->rec[i].n, r->rec[i].choice, i,
               r->rec[i].label);
      item_fmt(&it, 1, a, sizeof a);
      fprintf(out, "%s`%s`", shown ? ", " : ": ", a);
      shown++;
    }
    fputc('\n', out);
  }
}
