/* sim/sim_observe.c — what a run observed of the real world it does not
 * own (sim.h, "observations"): recorded while it runs, handed back by a
 * replay.
 *
 * A replay asks the same questions in the same order as the recorded run
 * (its decisions are the recorded ones), so the recorded observations are
 * consumed from the front: a look whose (label, seq) is the next record's
 * gets its value, any other look saw nothing. A record left behind by a
 * replay that diverged (its label was looked at past that seq) is skipped,
 * so one lost observation does not swallow all the ones after it. */
#include "sim/sim.h"

#include <string.h>
#include <unistd.h>

#include "sim/sim_util.h"

static void record(sim* s, const char* label, uint64_t seq, uint32_t value) {
  if (s->obs_len >= SIM_OBSERVED_MAX) return;   /* the reproducer's limit */
  if (s->obs_len == s->obs_cap) {
    s->obs_cap = s->obs_cap ? s->obs_cap * 2 : 64;
    s->obs = sim_xrealloc(s->obs, s->obs_cap * sizeof *s->obs);
  }
  s->obs[s->obs_len++] = (sim_observation){ seq, value, label };
}

static const char* same_label(const char* a, const char* b) {
  return strcmp(a ? a : "", b ? b : "") == 0 ? a : NULL;
}

uint32_t sim_observe(sim* s, const char* label, uint64_t seq, uint32_t real) {
  uint32_t v = real;
  if (s->cfg.replay_observed) {
    v = 0;
    while (s->obs_pos < s->cfg.nobserved) {
      const sim_observation* o = &s->cfg.observed[s->obs_pos];
      if (!same_label(o->label, label)) break;
      if (o->seq > seq) break;
      s->obs_pos++;
      if (o->seq == seq) {
        v = o->value;
        break;
      }
    }
  }
  if (v == 0) return 0;
  record(s, label, seq, v);
  sim_trace_note(s, sim_internf(s, "observed %s #%llu: %u", label ? label : "-",
                                (unsigned long long)seq, v));
  return v;
}

size_t sim_observe_left(const sim* s) {
  if (!s->cfg.replay_observed) return 0;
  return s->cfg.nobserved - s->obs_pos;
}

/* Formatting by hand: this runs in the exit report, possibly inside a
 * signal handler. */
static char* put_u64(char* p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

void sim_observe_report(const sim* s, int fd) {
  char line[320];
  for (size_t i = 0; i < s->obs_len; i++) {
    const sim_observation* o = &s->obs[i];
    char* p = line;
    *p++ = 'o';
    *p++ = ' ';
    p = put_u64(p, o->seq);
    *p++ = ' ';
    p = put_u64(p, o->value);
    *p++ = ' ';
    const char* l = o->label && o->label[0] ? o->label : "-";
    for (size_t k = 0; l[k] && k < 200; k++) *p++ = l[k] == '\n' ? ' ' : l[k];
    *p++ = '\n';
    if (write(fd, line, (size_t)(p - line)) < 0) return;
  }
}
