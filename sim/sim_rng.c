/* sim/sim_rng.c — the one PRNG: xoshiro256** (Blackman & Vigna), seeded through
 * splitmix64 so that any 64-bit seed, 0 included, gives a good state.
 * Integer-only; no floating point on the deterministic path. */
#include "sim/sim.h"

#include <assert.h>

uint64_t sim_splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void sim_rng_seed(sim_rng* rng, uint64_t seed) {
  uint64_t st = seed;
  for (int i = 0; i < 4; i++) rng->s[i] = sim_splitmix64(&st);
  /* splitmix64 never yields four zero words in a row, but say so. */
  assert(rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(sim_rng* rng) {
  uint64_t* s = rng->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* Lemire's multiply-shift with rejection: unbiased and one multiply in the
 * common case. */
uint32_t sim_rng_below(sim_rng* rng, uint32_t n) {
  assert(n > 0);
  uint64_t m = (uint64_t)(uint32_t)(sim_rng_next(rng) >> 32) * n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    while (low < threshold) {
      m = (uint64_t)(uint32_t)(sim_rng_next(rng) >> 32) * n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

uint32_t sim_rng_tail(sim_rng* rng, uint32_t n) {
  assert(n >= 2);
  uint32_t m = n - 1;
  if (m < 2 || m > 30) return 1 + sim_rng_below(rng, m);
  uint32_t r = sim_rng_below(rng, (1u << m) - 1);
  for (uint32_t j = 1; j < m; j++) {
    uint32_t w = 1u << (m - j);
    if (r < w) return j;
    r -= w;
  }
  return m;
}
