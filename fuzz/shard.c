/* fuzz/shard.c — what shards of one campaign (`uvsim run --shard I/N`) must
 * share, so that `uvsim merge` can tell a shard of this campaign from one
 * of another: the configuration hash, and how many runs a shard has. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

uint64_t fz_campaign_config(const fz_campaign_opts* o) {
  char* text = NULL;
  size_t len = 0;
  FILE* f = open_memstream(&text, &len);
  if (!f) abort();
  /* Every strategy parameter, whichever strategy reads it (a shard run with
   * another --pct-depth is another campaign even under random), as the
   * struct's bytes: all uint32_t, no padding, and a field added later is
   * covered without an edit here. */
  _Static_assert(sizeof(sim_strategy_params) % sizeof(uint32_t) == 0,
                 "sim_strategy_params is uint32_t fields only");
  uint32_t words[sizeof(sim_strategy_params) / sizeof(uint32_t)];
  memcpy(words, &o->params, sizeof words);
  fprintf(f, "params");
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) fprintf(f, " %u", words[i]);
  fprintf(f, "\n");
  fprintf(f, "analyse %d\n", o->analyse ? 1 : 0);
  sim_repro* r = malloc(sizeof *r);   /* large: the maps */
  if (!r) abort();
  sim_repro_init(r);
  r->nfaults = fz_get_faults(r->faults, SIM_REPRO_FAULTS_MAX);
  fz_get_maps(r);
  for (size_t i = 0; i < r->nfaults; i++) fprintf(f, "fault %s\n", r->faults[i]);
  for (size_t i = 0; i < r->nmaps; i++) fprintf(f, "map %s\n", r->maps[i]);
  sim_repro_free(r);
  free(r);
  fclose(f);
  uint64_t h = fz_sig_hash(text);
  free(text);
  return h;
}

uint64_t fz_shard_runs(uint64_t runs, uint32_t index, uint32_t count) {
  if (count == 0) return runs;
  return runs > index ? (runs - index - 1) / count + 1 : 0;
}
