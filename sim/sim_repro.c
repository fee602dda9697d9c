/* sim/sim_repro.c — reproducer files (*.uvsim). The format is documented in
 * sim.h. The reader is strict on purpose: a reproducer that parses is one
 * that replays, and every rejection says "file:line: what is wrong". */
#include "sim/sim.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim_child.h"
#include "sim/sim_util.h"

void sim_repro_init(sim_repro* r) {
  memset(r, 0, sizeof *r);
  snprintf(r->version, sizeof r->version, "%s", SIM_VERSION);
  snprintf(r->strategy, sizeof r->strategy, "random");
}

static void free_decisions(sim_repro* r) {
  for (size_t i = 0; i < r->ndecisions; i++) free((char*)r->decisions[i].label);
  free(r->decisions);
  r->decisions = NULL;
  r->ndecisions = 0;
}

static void free_observed(sim_repro* r) {
  for (size_t i = 0; i < r->nobserved; i++) free((char*)r->observed[i].label);
  free(r->observed);
  r->observed = NULL;
  r->nobserved = 0;
}

void sim_repro_free(sim_repro* r) {
  free_decisions(r);
  free_observed(r);
  sim_child_items_free(r->child, r->nchild);
  r->child = NULL;
  r->nchild = 0;
}

static char* dup_label(const char* s) {
  char* d = strdup(s ? s : "");
  if (d == NULL) abort();
  return d;
}

int sim_repro_take_log(sim_repro* r, const sim* s) {
  free_decisions(r);
  r->decisions = calloc(s->log_len ? s->log_len : 1, sizeof *r->decisions);
  if (r->decisions == NULL) return -ENOMEM;
  for (size_t i = 0; i < s->log_len; i++) {
    r->decisions[i] = s->log[i];
    r->decisions[i].label = dup_label(s->log[i].label);
  }
  r->ndecisions = s->log_len;
  r->aggressive = s->cfg.aggressive;
  free_observed(r);
  if (s->obs_len) {
    r->observed = calloc(s->obs_len, sizeof *r->observed);
    if (r->observed == NULL) return -ENOMEM;
    for (size_t i = 0; i < s->obs_len; i++) {
      r->observed[i] = s->obs[i];
      r->observed[i].label = dup_label(s->obs[i].label);
    }
    r->nobserved = s->obs_len;
  }
  sim_child_items_free(r->child, r->nchild);
  size_t nchild;
  const sim_child_item* items = sim_child_log(&nchild);
  r->child = nchild ? sim_child_items_copy(items, nchild) : NULL;
  r->nchild = nchild;
  return 0;
}

uint32_t* sim_repro_choices(const sim_repro* r) {
  uint32_t* c = malloc((r->ndecisions ? r->ndecisions : 1) * sizeof *c);
  if (c == NULL) abort();
  for (size_t i = 0; i < r->ndecisions; i++) c[i] = r->decisions[i].choice;
  return c;
}

/* ---- writer */

int sim_repro_fprint(const sim_repro* r, FILE* out) {
  fprintf(out, "uvsim-reproducer %d\n", SIM_REPRO_FORMAT);
  fprintf(out, "version %s\n", r->version);
  fprintf(out, "scenario %s\n", r->scenario);
  fprintf(out, "strategy %s\n", r->strategy);
  fprintf(out, "seed %" PRIu64 "\n", r->seed);
  fprintf(out, "mode %s\n", r->aggressive ? "aggressive" : "sound");
  if (r->signature[0]) fprintf(out, "signature %s\n", r->signature);
  if (r->has_hash) fprintf(out, "hash %016" PRIx64 "\n", r->hash);
  for (size_t i = 0; i < r->nfaults; i++) fprintf(out, "fault %s\n", r->faults[i]);
  for (size_t i = 0; i < r->nmaps; i++) fprintf(out, "map %s\n", r->maps[i]);
  if (r->node[0]) {
    fprintf(out, "node %s %s\n", r->node, r->node_version);
    fprintf(out, "script %s\n", r->script);
    fprintf(out, "script-sha256 %s\n", r->script_sha256);
    if (r->cwd[0]) fprintf(out, "cwd %s\n", r->cwd);
    for (size_t i = 0; i < r->nargs; i++) fprintf(out, "arg %s\n", r->args[i]);
  }
  if (r->program[0]) {
    fprintf(out, "program %s\n", r->program);
    fprintf(out, "program-sha256 %s\n", r->program_sha256);
    if (r->cwd[0]) fprintf(out, "cwd %s\n", r->cwd);
    for (size_t i = 0; i < r->nargs; i++) fprintf(out, "arg %s\n", r->args[i]);
  }
  if (r->has_output)
    fprintf(out, "output %016" PRIx64 " %016" PRIx64 "\n", r->out_hash, r->err_hash);
  for (size_t i = 0; i < r->nobserved; i++) {
    const sim_observation* o = &r->observed[i];
    fprintf(out, "observed %" PRIu64 " %u %s\n", o->seq, o->value,
            o->label && o->label[0] ? o->label : "-");
  }
  sim_child_items_fprint(out, r->child, r->nchild);
  fprintf(out, "decisions %zu\n", r->ndecisions);
  for (size_t i = 0; i < r->ndecisions; i++) {
    const sim_decision* d = &r->decisions[i];
    fprintf(out, "%s %u/%u %s\n", sim_kind_name((sim_kind)d->kind), d->choice,
            d->n, d->label && d->label[0] ? d->label : "-");
  }
  fprintf(out, "end\n");
  return ferror(out) ? -EIO : 0;
}

int sim_repro_write(const sim_repro* r, const char* path, char* err,
                    size_t errlen) {
  char* buf = NULL;
  size_t len = 0;
  FILE* mem = open_memstream(&buf, &len);
  if (mem == NULL) return -ENOMEM;
  sim_repro_fprint(r, mem);
  fclose(mem);
  int rc = sim_write_atomic(path, buf, len, err, errlen);
  free(buf);
  return rc;
}

/* ---- reader */

typedef struct parser {
  const char* name;
  int line;
  char* err;
  size_t errlen;
} parser;

__attribute__((format(printf, 2, 3)))
static int fail(parser* p, const char* fmt, ...) {
  if (p->err && p->errlen) {
    int n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, p->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errlen)
      vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* "KIND CHOICE/N LABEL" */
static int parse_decision(parser* p, char* line, sim_decision* d) {
  char* sp = strchr(line, ' ');
  if (sp == NULL) return fail(p, "decision needs 'KIND CHOICE/N LABEL'");
  *sp = '\0';
  int kind = sim_kind_from_name(line);
  if (kind < 0) return fail(p, "unknown decision kind '%s'", line);
  char* val = sp + 1;
  char* sp2 = strchr(val, ' ');
  if (sp2 == NULL) return fail(p, "decision needs a label (use '-' for none)");
  *sp2 = '\0';
  char* slash = strchr(val, '/');
  if (slash == NULL) return fail(p, "decision value '%s' is not CHOICE/N", val);
  *slash = '\0';
  uint64_t choice, n;
  if (sim_parse_u64(val, &choice) || sim_parse_u64(slash + 1, &n))
    return fail(p, "decision value '%s/%s' is not two numbers", val, slash + 1);
  if (n < 2 || n > UINT32_MAX)
    return fail(p, "decision has %" PRIu64 " options; must be 2..%u", n, UINT32_MAX);
  if (choice >= n)
    return fail(p, "choice %" PRIu64 " out of range for %" PRIu64 " options", choice, n);
  const char* label = sp2 + 1;
  if (*label == '\0') return fail(p, "decision needs a label (use '-' for none)");
  d->kind = (uint16_t)kind;
  d->n = (uint32_t)n;
  d->choice = (uint32_t)choice;
  d->label = dup_label(strcmp(label, "-") == 0 ? "" : label);
  return 0;
}

static int set_str(parser* p, char* dst, size_t cap, const char* key,
                   const char* val) {
  if (dst[0]) return fail(p, "duplicate '%s'", key);
  if (*val == '\0') return fail(p, "'%s' needs a value", key);
  if (strlen(val) >= cap) return fail(p, "'%s' value too long (max %zu)", key, cap - 1);
  memcpy(dst, val, strlen(val) + 1);
  return 0;
}

enum { SEEN_SEED = 1, SEEN_MODE = 2, SEEN_HASH = 4 };

/* "observed SEQ VALUE LABEL": what the run saw of a descriptor it does not
 * own (sim.h, "observations"), in the order it saw it. */
static int parse_observed(parser* p, sim_repro* r, char* val) {
  char* sp = strchr(val, ' ');
  char* sp2 = sp ? strchr(sp + 1, ' ') : NULL;
  if (sp == NULL || sp2 == NULL || sp2[1] == '\0')
    return fail(p, "'observed' needs 'SEQ VALUE LABEL'");
  *sp = '\0';
  *sp2 = '\0';
  uint64_t seq, value;
  if (sim_parse_u64(val, &seq) || sim_parse_u64(sp + 1, &value) || value == 0 ||
      value > UINT32_MAX)
    return fail(p, "'observed %s %s' needs a sequence number and a value 1..%u",
                val, sp + 1, UINT32_MAX);
  if (r->nobserved == SIM_OBSERVED_MAX)
    return fail(p, "too many 'observed' lines (max %u)", SIM_OBSERVED_MAX);
  if ((r->nobserved & (r->nobserved - 1)) == 0) {   /* 0, 1, 2, 4...: grow */
    size_t cap = r->nobserved ? r->nobserved * 2 : 1;
    sim_observation* grown = realloc(r->observed, cap * sizeof *grown);
    if (grown == NULL) abort();
    r->observed = grown;
  }
  const char* label = sp2 + 1;
  r->observed[r->nobserved++] = (sim_observation){
      seq, (uint32_t)value, dup_label(strcmp(label, "-") == 0 ? "" : label) };
  return 0;
}

/* The lines about a real program (`uvsim node`). */
static int parse_program(parser* p, sim_repro* r, const char* key, char* val) {
  if (strcmp(key, "node") == 0) {
    char* sp = strrchr(val, ' ');
    if (sp == NULL || sp == val || sp[1] == '\0')
      return fail(p, "'node' needs 'PATH VERSION'");
    *sp = '\0';
    if (set_str(p, r->node, sizeof r->node, key, val)) return -1;
    return set_str(p, r->node_version, sizeof r->node_version, "node version", sp + 1);
  }
  if (strcmp(key, "script") == 0) return set_str(p, r->script, sizeof r->script, key, val);
  if (strcmp(key, "program") == 0) return set_str(p, r->program, sizeof r->program, key, val);
  int program_sha = strcmp(key, "program-sha256") == 0;
  if (program_sha || strcmp(key, "script-sha256") == 0) {
    if (strlen(val) != 64 || strspn(val, "0123456789abcdef") != 64)
      return fail(p, "%s '%s' must be 64 hex digits", key, val);
    if (program_sha) return set_str(p, r->program_sha256, sizeof r->program_sha256, key, val);
    return set_str(p, r->script_sha256, sizeof r->script_sha256, key, val);
  }
  if (strcmp(key, "output") == 0) {
    char out[17], err[17];
    int used = 0;
    if (r->has_output) return fail(p, "duplicate 'output'");
    if (sscanf(val, "%16s %16s%n", out, err, &used) != 2 || val[used] != '\0' ||
        strlen(out) != 16 || strlen(err) != 16 || sim_parse_hex64(out, &r->out_hash) ||
        sim_parse_hex64(err, &r->err_hash))
      return fail(p, "'output' needs two hashes of 16 hex digits (stdout, stderr)");
    r->has_output = 1;
    return 0;
  }
  if (strcmp(key, "cwd") == 0) return set_str(p, r->cwd, sizeof r->cwd, key, val);
  if (strcmp(key, "arg") == 0) {
    if (r->nargs == SIM_REPRO_ARGS_MAX) return fail(p, "too many args (max %d)", SIM_REPRO_ARGS_MAX);
    if (strlen(val) >= SIM_REPRO_ARG_MAX) return fail(p, "arg too long (max %d)", SIM_REPRO_ARG_MAX - 1);
    memcpy(r->args[r->nargs++], val, strlen(val) + 1);
    return 0;
  }
  return fail(p, "unknown key '%s'", key);
}

static int parse_header(parser* p, sim_repro* r, char* key, char* val,
                        int* seen) {
  if (strcmp(key, "version") == 0) {
    r->version[0] = '\0';
    if (set_str(p, r->version, sizeof r->version, key, val)) return -1;
    /* Same major.minor replays; a different one may decide differently. */
    if (strncmp(val, SIM_VERSION, strrchr(SIM_VERSION, '.') - SIM_VERSION) != 0)
      return fail(p, "reproducer is for uvsim %s, this is %s", val, SIM_VERSION);
    return 0;
  }
  if (strcmp(key, "scenario") == 0)
    return set_str(p, r->scenario, sizeof r->scenario, key, val);
  if (strcmp(key, "strategy") == 0) {
    r->strategy[0] = '\0';
    return set_str(p, r->strategy, sizeof r->strategy, key, val);
  }
  if (strcmp(key, "signature") == 0)
    return set_str(p, r->signature, sizeof r->signature, key, val);
  if (strcmp(key, "seed") == 0) {
    if (*seen & SEEN_SEED) return fail(p, "duplicate 'seed'");
    *seen |= SEEN_SEED;
    if (sim_parse_u64(val, &r->seed)) return fail(p, "seed '%s' is not an unsigned 64-bit number", val);
    return 0;
  }
  if (strcmp(key, "mode") == 0) {
    if (*seen & SEEN_MODE) return fail(p, "duplicate 'mode'");
    *seen |= SEEN_MODE;
    if (strcmp(val, "sound") == 0) r->aggressive = 0;
    else if (strcmp(val, "aggressive") == 0) r->aggressive = 1;
    else return fail(p, "mode '%s' must be 'sound' or 'aggressive'", val);
    return 0;
  }
  if (strcmp(key, "hash") == 0) {
    if (*seen & SEEN_HASH) return fail(p, "duplicate 'hash'");
    *seen |= SEEN_HASH;
    if (strlen(val) != 16 || sim_parse_hex64(val, &r->hash))
      return fail(p, "hash '%s' must be 16 hex digits", val);
    r->has_hash = 1;
    return 0;
  }
  if (strcmp(key, "fault") == 0) {
    if (r->nfaults == SIM_REPRO_FAULTS_MAX) return fail(p, "too many faults (max %d)", SIM_REPRO_FAULTS_MAX);
    if (*val == '\0') return fail(p, "'fault' needs a value");
    if (strlen(val) >= sizeof r->faults[0]) return fail(p, "fault spec too long");
    memcpy(r->faults[r->nfaults++], val, strlen(val) + 1);
    return 0;
  }
  if (strcmp(key, "observed") == 0) return parse_observed(p, r, val);
  if (strcmp(key, "map") == 0) {
    if (r->nmaps == SIM_REPRO_MAPS_MAX) return fail(p, "too many maps (max %d)", SIM_REPRO_MAPS_MAX);
    if (strchr(val, '=') == NULL) return fail(p, "'map' needs SIM=HOST[,ro|,snapshot]");
    if (strlen(val) >= sizeof r->maps[0]) return fail(p, "map spec too long");
    memcpy(r->maps[r->nmaps++], val, strlen(val) + 1);
    return 0;
  }
  return parse_program(p, r, key, val);
}

int sim_repro_parse(sim_repro* r, const char* name, const char* text,
                    char* err, size_t errlen) {
  parser p = { name, 0, err, errlen };
  sim_repro_init(r);
  r->version[0] = '\0';
  r->strategy[0] = '\0';
  enum { HEADER, FIELDS, DECISIONS, DONE } state = HEADER;
  size_t expected = 0;
  int seen = 0;
  const char* cur = text;
  char line[SIM_REPRO_LINE_MAX + 2];

  while (*cur) {
    p.line++;
    const char* nl = strchr(cur, '\n');
    size_t len = nl ? (size_t)(nl - cur) : strlen(cur);
    if (len > SIM_REPRO_LINE_MAX) { fail(&p, "line longer than %d characters", SIM_REPRO_LINE_MAX); goto bad; }
    memcpy(line, cur, len);
    line[len] = '\0';
    cur += len + (nl ? 1 : 0);
    if (len && line[len - 1] == '\r') line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    if (memchr(line, '\0', len) || strlen(line) != len) { fail(&p, "NUL byte in line"); goto bad; }

    if (state == DONE) { fail(&p, "text after 'end'"); goto bad; }
    if (state == HEADER) {
      if (strncmp(line, "uvsim-reproducer ", 17) != 0) { fail(&p, "not a uvsim reproducer (first line must be 'uvsim-reproducer %d')", SIM_REPRO_FORMAT); goto bad; }
      uint64_t fmt;
      if (sim_parse_u64(line + 17, &fmt)) { fail(&p, "format version '%s' is not a number", line + 17); goto bad; }
      if (fmt != SIM_REPRO_FORMAT) { fail(&p, "reproducer format %" PRIu64 " not supported (this uvsim reads format %d)", fmt, SIM_REPRO_FORMAT); goto bad; }
      state = FIELDS;
      continue;
    }
    if (state == DECISIONS) {
      if (strcmp(line, "end") == 0) {
        if (r->ndecisions != expected) { fail(&p, "'decisions %zu' but %zu decision lines", expected, r->ndecisions); goto bad; }
        state = DONE;
        continue;
      }
      if (r->ndecisions == expected) { fail(&p, "more decision lines than 'decisions %zu' announced", expected); goto bad; }
      if (parse_decision(&p, line, &r->decisions[r->ndecisions])) goto bad;
      r->ndecisions++;
      continue;
    }
    /* FIELDS */
    char* sp = strchr(line, ' ');
    char* key = line;
    char* val = "";
    if (sp) { *sp = '\0'; val = sp + 1; }
    if (strcmp(key, "decisions") == 0) {
      uint64_t n;
      if (sim_parse_u64(val, &n) || n > SIM_DECISIONS_MAX_DEFAULT) { fail(&p, "decision count '%s' must be 0..%u", val, SIM_DECISIONS_MAX_DEFAULT); goto bad; }
      if (!r->version[0]) { fail(&p, "missing 'version' before 'decisions'"); goto bad; }
      if (!r->scenario[0]) { fail(&p, "missing 'scenario' before 'decisions'"); goto bad; }
      if (!r->strategy[0]) { fail(&p, "missing 'strategy' before 'decisions'"); goto bad; }
      if (!(seen & SEEN_SEED)) { fail(&p, "missing 'seed' before 'decisions'"); goto bad; }
      if (r->node[0] && (!r->script[0] || !r->script_sha256[0])) { fail(&p, "'node' needs 'script' and 'script-sha256' before 'decisions'"); goto bad; }
      if (r->program[0] && r->node[0]) { fail(&p, "'program' and 'node' in one reproducer"); goto bad; }
      if (r->program[0] && (!r->program_sha256[0] || r->nargs == 0)) { fail(&p, "'program' needs 'program-sha256' and its 'arg' lines (argv[0] first) before 'decisions'"); goto bad; }
      if (r->program_sha256[0] && !r->program[0]) { fail(&p, "'program-sha256' without 'program'"); goto bad; }
      expected = (size_t)n;
      r->decisions = calloc(expected ? expected : 1, sizeof *r->decisions);
      if (r->decisions == NULL) abort();
      state = DECISIONS;
      continue;
    }
    if (strcmp(key, "end") == 0) { fail(&p, "'end' before 'decisions'"); goto bad; }
    if (strcmp(key, "child") == 0) {
      char why[160];
      if (sim_child_item_parse(val, &r->child, &r->nchild, why, sizeof why)) { fail(&p, "%s", why); goto bad; }
      continue;
    }
    if (parse_header(&p, r, key, val, &seen)) goto bad;
  }
  p.line++;
  if (state == HEADER) { fail(&p, "empty file: not a uvsim reproducer"); goto bad; }
  if (state == FIELDS) { fail(&p, "missing 'decisions' section"); goto bad; }
  if (state == DECISIONS) { fail(&p, "missing 'end' (file truncated?)"); goto bad; }
  return 0;
bad:
  sim_repro_free(r);
  return -1;
}

/* What a path that is not a regular file is, for the refusal. */
static const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

int sim_repro_read(sim_repro* r, const char* path, char* err, size_t errlen) {
  /* O_NONBLOCK: opening a FIFO must not wait for a writer; a reproducer is
   * a regular file, anything else is refused before reading (a FIFO or a
   * device could block or never end). */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
    close(fd);
    if (err) snprintf(err, errlen, "%s: %s, not a reproducer file", path, kind_of(st.st_mode));
    sim_repro_init(r);
    return -1;
  }
  FILE* f = fd >= 0 ? fdopen(fd, "rb") : NULL;
  if (f == NULL) {
    if (err) snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    sim_repro_init(r);
    return -1;
  }
  size_t cap = 1 << 16, len = 0;
  char* buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (len + 1 == cap) {
      if (cap >= (64u << 20)) { free(buf); buf = NULL; break; }
      cap *= 2;
      buf = realloc(buf, cap);
    }
  }
  fclose(f);
  if (buf == NULL) {
    if (err) snprintf(err, errlen, "%s: file too large for a reproducer", path);
    sim_repro_init(r);
    return -1;
  }
  buf[len] = '\0';
  if (strlen(buf) != len) {
    free(buf);
    if (err) snprintf(err, errlen, "%s: binary data (NUL byte): not a reproducer", path);
    sim_repro_init(r);
    return -1;
  }
  int rc = sim_repro_parse(r, path, buf, err, errlen);
  free(buf);
  return rc;
}
