/* sim/sim_ordcov.c — the ordering coverage map (sim/sim_ordcov.h): hashes of
 * callback-label pairs and of decisions, folded into saturating 8-bit
 * counters. Process-wide, like the fuzzer maps it feeds: one run at a time. */
#include "sim/sim_ordcov.h"

#include <assert.h>
#include <string.h>

uint8_t* sim_ordcov__map;
static size_t map_mask;
static uint8_t builtin[SIM_ORDCOV_SIZE];

/* The previous callback's label hash; `start` before the first callback, so
 * the first callback of a run is an edge from the start. */
static const uint64_t start = 0x9e3779b97f4a7c15ull;
static uint64_t prev = 0x9e3779b97f4a7c15ull;

/* FNV-1a over the label's bytes: the same string hashes the same in every
 * process, wherever it lives. */
static uint64_t hash_label(const char* label) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char* p = (const unsigned char*)label; p && *p; p++)
    h = (h ^ *p) * 0x100000001b3ull;
  return h;
}

/* splitmix64's finaliser: spreads a combination of hashes over the map. */
static uint64_t avalanche(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

/* A salt per feature family, so that a label pair and a decision whose
 * hashes happen to combine to the same number still hash apart. */
enum { SALT_PAIR = 1, SALT_DECISION = 2, SALT_DECISION_AT = 3 };

static void hit(uint64_t h) {
  uint8_t* c = &sim_ordcov__map[avalanche(h) & map_mask];
  if (*c != 255) (*c)++;
}

void sim_ordcov_attach(uint8_t* map, size_t size) {
  if (!map) {
    map = builtin;
    size = sizeof builtin;
  }
  assert(size > 0 && (size & (size - 1)) == 0 && "a power-of-two map");
  sim_ordcov__map = map;
  map_mask = size - 1;
  sim_ordcov_reset();
}

void sim_ordcov_detach(void) {
  sim_ordcov__map = NULL;
  map_mask = 0;
  prev = start;
}

void sim_ordcov_begin(void) { prev = start; }

void sim_ordcov_reset(void) {
  if (sim_ordcov__map) memset(sim_ordcov__map, 0, map_mask + 1);
  prev = start;
}

uint8_t* sim_ordcov_map(void) { return sim_ordcov__map; }

size_t sim_ordcov_size(void) { return sim_ordcov__map ? map_mask + 1 : 0; }

size_t sim_ordcov_count(void) {
  size_t n = 0;
  for (size_t i = 0; i < sim_ordcov_size(); i++) n += sim_ordcov__map[i] != 0;
  return n;
}

uint64_t sim_ordcov_digest(void) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < sim_ordcov_size(); i++)
    h = (h ^ sim_ordcov__map[i]) * 0x100000001b3ull;
  return h;
}

void sim_ordcov__callback(const char* label) {
  uint64_t cur = hash_label(label);
  /* (prev, cur) is ordered: A then B is a different edge from B then A. */
  hit((prev * 31 + cur) ^ SALT_PAIR);
  prev = cur;
}

void sim_ordcov__decision(sim_kind kind, const char* label, uint32_t choice) {
  uint64_t what = hash_label(label) ^ ((uint64_t)kind << 48) ^ ((uint64_t)choice << 24);
  hit(what ^ SALT_DECISION);
  hit((prev * 31 + what) ^ SALT_DECISION_AT);
}
