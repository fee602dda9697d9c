/* sim/sim_trace.c — the trace: every decision and every delivered callback, in
 * order, folded into a 64-bit hash. The hash covers kinds, choices, labels
 * and virtual times — never addresses — so equal runs hash equal and a
 * replay can prove it reproduced a run bit for bit. Records are kept only
 * when asked (keep_trace); campaigns keep the hash alone. */
#include "sim/sim.h"
#include "sim/sim_ordcov.h"

#include <inttypes.h>
#include <stdlib.h>

static inline uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v;
  h *= 0x100000001b3ull;      /* FNV-1a prime, then a final avalanche */
  h ^= h >> 29;
  return h;
}

static uint64_t hash_label(const char* label) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char* p = (const unsigned char*)label; p && *p; p++)
    h = (h ^ *p) * 0x100000001b3ull;
  return h;
}

static void push(sim* s, sim_trace_type type, uint16_t kind, uint32_t n,
                 uint32_t choice, const char* label) {
  uint64_t h = s->trace_hash;
  h = mix(h, type);
  h = mix(h, ((uint64_t)kind << 32) ^ n);
  h = mix(h, choice);
  h = mix(h, s->now_ns);
  h = mix(h, hash_label(label));
  s->trace_hash = h;
  s->trace_len++;
  if (!s->cfg.keep_trace) return;
  if (s->recs_len == s->recs_cap) {
    s->recs_cap = s->recs_cap ? s->recs_cap * 2 : 256;
    s->recs = realloc(s->recs, s->recs_cap * sizeof *s->recs);
    if (s->recs == NULL) abort();
  }
  s->recs[s->recs_len++] =
      (sim_trace_rec){ (uint8_t)type, kind, n, choice, s->now_ns, label };
}

void sim_trace_decision(sim* s, sim_kind kind, uint32_t n, uint32_t choice,
                        const char* label) {
  push(s, SIM_TR_DECISION, (uint16_t)kind, n, choice, label);
  sim_ordcov_decision(kind, label, choice);   /* a no-op unless a fuzzer asked */
}

void sim_trace_callback(sim* s, const char* label) {
  push(s, SIM_TR_CALLBACK, 0, 0, 0, label);
  sim_ordcov_callback(label);
}

void sim_trace_note(sim* s, const char* label) {
  push(s, SIM_TR_NOTE, 0, 0, 0, label);
}

void sim_trace_dump(const sim* s, FILE* out) {
  for (size_t i = 0; i < s->recs_len; i++) {
    const sim_trace_rec* r = &s->recs[i];
    const char* label = r->label ? r->label : "";
    switch (r->type) {
    case SIM_TR_DECISION:
      fprintf(out, "t=%" PRIu64 " D %s %u/%u %s\n", r->time_ns,
              sim_kind_name((sim_kind)r->kind), r->choice, r->n, label);
      break;
    case SIM_TR_CALLBACK:
      fprintf(out, "t=%" PRIu64 " C %s\n", r->time_ns, label);
      break;
    default:
      fprintf(out, "t=%" PRIu64 " N %s\n", r->time_ns, label);
      break;
    }
  }
  fprintf(out, "trace %" PRIu64 " records, hash %016" PRIx64 "\n", s->trace_len,
          s->trace_hash);
}
