/* fuzz/registry.c — the scenarios linked into this binary. UVSIM_SCENARIO
 * puts a pointer to each descriptor into the "uvsim_scenarios" section; the
 * linker brackets it with __start_/__stop_ symbols (weak here, so a binary
 * with no scenario links and lists none). Sorted once, on first use. */
#include "uvsim/scenario.h"

#include <stdlib.h>
#include <string.h>

extern const uvsim_scenario* const __start_uvsim_scenarios[] __attribute__((weak));
extern const uvsim_scenario* const __stop_uvsim_scenarios[] __attribute__((weak));

#define FZ_SCENARIOS_MAX 1024

static const uvsim_scenario* sorted[FZ_SCENARIOS_MAX];
static size_t nsorted;
static int ready;

static int cmp(const void* a, const void* b) {
  const uvsim_scenario* x = *(const uvsim_scenario* const*)a;
  const uvsim_scenario* y = *(const uvsim_scenario* const*)b;
  int c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->variant, y->variant);
}

static void load(void) {
  if (ready) return;
  ready = 1;
  if (!__start_uvsim_scenarios) return;
  for (const uvsim_scenario* const* p = __start_uvsim_scenarios;
       p < __stop_uvsim_scenarios && nsorted < FZ_SCENARIOS_MAX; p++)
    if (*p) sorted[nsorted++] = *p;
  qsort(sorted, nsorted, sizeof sorted[0], cmp);
}

size_t uvsim_scenario_count(void) {
  load();
  return nsorted;
}

const uvsim_scenario* uvsim_scenario_at(size_t i) {
  load();
  return i < nsorted ? sorted[i] : NULL;
}

const uvsim_scenario* uvsim_scenario_find(const char* name_variant) {
  load();
  const char* slash = strchr(name_variant, '/');
  if (!slash) return NULL;
  size_t nlen = (size_t)(slash - name_variant);
  for (size_t i = 0; i < nsorted; i++)
    if (strlen(sorted[i]->name) == nlen &&
        strncmp(sorted[i]->name, name_variant, nlen) == 0 &&
        strcmp(sorted[i]->variant, slash + 1) == 0)
      return sorted[i];
  return NULL;
}
