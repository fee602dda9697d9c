/* reports/report_read.c — report.json read back, and shard reports merged.
 *
 * The reader is strict JSON (RFC 8259: no comments, no trailing commas, no
 * duplicate keys, \u0000 refused since every string becomes a C string)
 * into a small tree, then a typed walk over the fields report.c writes
 * (docs/report-schema.md) that names the first thing wrong: "PATH: campaign
 * 2, bug 1: 'hits': not a non-negative integer". A shard's report carries
 * everything a merged report needs: the found schedule's text (found.text),
 * the minimised one, the explanation, the first 400 trace records and their
 * total (timeline_records); the distinct trace hashes are in the `traces`
 * file next to it.
 */
#include "reports/report_read.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_util.h"

/* The writer's bound on timeline records (report.c). */
#define READ_TIMELINE_MAX 400
#define READ_DEPTH_MAX 32
#define READ_FILE_MAX (512u << 20)

/* ------------------------------------------------------------ JSON tree */

enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

typedef struct jv {
  int t;
  int b;             /* JV_BOOL                                   */
  char* s;           /* JV_STR: the decoded text; JV_NUM: as written */
  size_t n;          /* JV_ARR, JV_OBJ: elements                  */
  struct jv* kid;
  char** key;        /* JV_OBJ                                    */
} jv;

typedef struct jp {
  const char* p;
  const char* end;
  int line;
  int depth;
  char* err;
  size_t errlen;
} jp;

static void jv_free(jv* v) {
  for (size_t i = 0; i < v->n; i++) {
    jv_free(&v->kid[i]);
    if (v->key) free(v->key[i]);
  }
  free(v->kid);
  free(v->key);
  free(v->s);
  memset(v, 0, sizeof *v);
}

__attribute__((format(printf, 2, 3)))
static int jfail(jp* j, const char* fmt, ...) {
  int k = snprintf(j->err, j->errlen, "line %d: ", j->line);
  if (k < 0 || (size_t)k >= j->errlen) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(j->err + k, j->errlen - (size_t)k, fmt, ap);
  va_end(ap);
  return -1;
}

static void jws(jp* j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
    if (*j->p == '\n') j->line++;
    j->p++;
  }
}

static int jvalue(jp* j, jv* v);

typedef struct sbuf {
  char* s;
  size_t len, cap;
} sbuf;

static void sb_put(sbuf* b, char c) {
  if (b->len + 1 >= b->cap) {
    b->cap = b->cap ? b->cap * 2 : 64;
    b->s = realloc(b->s, b->cap);
    if (!b->s) abort();
  }
  b->s[b->len++] = c;
  b->s[b->len] = 0;
}

static int hex4(jp* j, unsigned* out) {
  if (j->end - j->p < 4) return jfail(j, "a \\u escape needs 4 hex digits");
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = j->p[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return jfail(j, "a \\u escape needs 4 hex digits");
    v = v * 16 + (unsigned)d;
  }
  j->p += 4;
  *out = v;
  return 0;
}

static int jstring(jp* j, char** out) {
  j->p++;   /* the opening quote */
  sbuf b = {0};
  sb_put(&b, 0);
  b.len = 0;
  for (;;) {
    if (j->p >= j->end) {
      free(b.s);
      return jfail(j, "unterminated string");
    }
    unsigned char c = (unsigned char)*j->p++;
    if (c == '"') break;
    if (c < 0x20) {
      free(b.s);
      return jfail(j, "a control character in a string");
    }
    if (c != '\\') {
      sb_put(&b, (char)c);
      continue;
    }
    if (j->p >= j->end) {
      free(b.s);
      return jfail(j, "unterminated string");
    }
    char e = *j->p++;
    switch (e) {
    case '"': sb_put(&b, '"'); break;
    case '\\': sb_put(&b, '\\'); break;
    case '/': sb_put(&b, '/'); break;
    case 'b': sb_put(&b, '\b'); break;
    case 'f': sb_put(&b, '\f'); break;
    case 'n': sb_put(&b, '\n'); break;
    case 'r': sb_put(&b, '\r'); break;
    case 't': sb_put(&b, '\t'); break;
    case 'u': {
      unsigned u;
      if (hex4(j, &u)) return free(b.s), -1;
      if (u >= 0xdc00 && u <= 0xdfff) return free(b.s), jfail(j, "a lone low surrogate");
      if (u >= 0xd800 && u <= 0xdbff) {
        unsigned lo;
        if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
          return free(b.s), jfail(j, "a high surrogate without its low half");
        j->p += 2;
        if (hex4(j, &lo)) return free(b.s), -1;
        if (lo < 0xdc00 || lo > 0xdfff)
          return free(b.s), jfail(j, "a high surrogate without its low half");
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
      }
      if (u == 0) return free(b.s), jfail(j, "\\u0000 in a string");
      if (u < 0x80) {
        sb_put(&b, (char)u);
      } else if (u < 0x800) {
        sb_put(&b, (char)(0xc0 | (u >> 6)));
        sb_put(&b, (char)(0x80 | (u & 0x3f)));
      } else if (u < 0x10000) {
        sb_put(&b, (char)(0xe0 | (u >> 12)));
        sb_put(&b, (char)(0x80 | ((u >> 6) & 0x3f)));
        sb_put(&b, (char)(0x80 | (u & 0x3f)));
      } else {
        sb_put(&b, (char)(0xf0 | (u >> 18)));
        sb_put(&b, (char)(0x80 | ((u >> 12) & 0x3f)));
        sb_put(&b, (char)(0x80 | ((u >> 6) & 0x3f)));
        sb_put(&b, (char)(0x80 | (u & 0x3f)));
      }
      break;
    }
    default:
      free(b.s);
      return jfail(j, "unknown escape '\\%c'", e);
    }
  }
  *out = b.s;
  return 0;
}

static int is_digit(const jp* j) { return j->p < j->end && *j->p >= '0' && *j->p <= '9'; }

static int jnumber(jp* j, jv* v) {
  const char* s = j->p;
  if (*j->p == '-') j->p++;
  if (!is_digit(j)) return jfail(j, "a malformed number");
  if (*j->p == '0') j->p++;
  else while (is_digit(j)) j->p++;
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (!is_digit(j)) return jfail(j, "a malformed number");
    while (is_digit(j)) j->p++;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
    if (!is_digit(j)) return jfail(j, "a malformed number");
    while (is_digit(j)) j->p++;
  }
  v->t = JV_NUM;
  v->s = strndup(s, (size_t)(j->p - s));
  if (!v->s) abort();
  return 0;
}

static int jlit(jp* j, const char* word) {
  size_t n = strlen(word);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
    return jfail(j, "unexpected '%c'", *j->p);
  j->p += n;
  return 0;
}

static void jpush(jv* v, size_t* cap) {
  if (v->n == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    v->kid = realloc(v->kid, *cap * sizeof *v->kid);
    if (!v->kid) abort();
    if (v->t == JV_OBJ) {
      v->key = realloc(v->key, *cap * sizeof *v->key);
      if (!v->key) abort();
    }
  }
  memset(&v->kid[v->n], 0, sizeof v->kid[0]);
  if (v->t == JV_OBJ) v->key[v->n] = NULL;
  v->n++;
}

static int jcontainer(jp* j, jv* v, int obj) {
  if (++j->depth > READ_DEPTH_MAX) return jfail(j, "nested more than %d deep", READ_DEPTH_MAX);
  v->t = obj ? JV_OBJ : JV_ARR;
  char close = obj ? '}' : ']';
  size_t cap = 0;
  j->p++;
  jws(j);
  if (j->p < j->end && *j->p == close) {
    j->p++;
    j->depth--;
    return 0;
  }
  for (;;) {
    jws(j);
    jpush(v, &cap);
    if (obj) {
      if (j->p >= j->end || *j->p != '"') return jfail(j, "expected a key");
      char* k;
      if (jstring(j, &k)) return -1;
      v->key[v->n - 1] = k;
      for (size_t i = 0; i + 1 < v->n; i++)
        if (!strcmp(v->key[i], k)) return jfail(j, "duplicate key \"%s\"", k);
      jws(j);
      if (j->p >= j->end || *j->p != ':') return jfail(j, "expected ':'");
      j->p++;
      jws(j);
    }
    if (jvalue(j, &v->kid[v->n - 1])) return -1;
    jws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == close) {
      j->p++;
      j->depth--;
      return 0;
    }
    return jfail(j, "expected ',' or '%c'", close);
  }
}

static int jvalue(jp* j, jv* v) {
  jws(j);
  if (j->p >= j->end) return jfail(j, "unexpected end of file");
  switch (*j->p) {
  case '{': return jcontainer(j, v, 1);
  case '[': return jcontainer(j, v, 0);
  case '"': v->t = JV_STR; return jstring(j, &v->s);
  case 't': v->t = JV_BOOL; v->b = 1; return jlit(j, "true");
  case 'f': v->t = JV_BOOL; v->b = 0; return jlit(j, "false");
  case 'n': v->t = JV_NULL; return jlit(j, "null");
  default:
    if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) return jnumber(j, v);
    return jfail(j, "unexpected '%c'", *j->p);
  }
}

static int jparse(const char* text, size_t len, jv* v, char* err, size_t errlen) {
  jp j = { text, text + len, 1, 0, err, errlen };
  memset(v, 0, sizeof *v);
  if (memchr(text, 0, len)) return jfail(&j, "a NUL byte in the file");
  if (jvalue(&j, v)) return jv_free(v), -1;
  jws(&j);
  if (j.p != j.end) return jv_free(v), jfail(&j, "text after the JSON value");
  return 0;
}

/* ----------------------------------------------------- typed field walk */

typedef struct rd {
  const char* path;
  char where[80];    /* "campaign 2, bug 1" */
  char* err;
  size_t errlen;
} rd;

__attribute__((format(printf, 2, 3)))
static int bad(rd* r, const char* fmt, ...) {
  int k = snprintf(r->err, r->errlen, "%s: %s%s", r->path, r->where, r->where[0] ? ": " : "");
  if (k < 0 || (size_t)k >= r->errlen) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err + k, r->errlen - (size_t)k, fmt, ap);
  va_end(ap);
  return -1;
}

static const jv* jget(const jv* o, const char* k) {
  for (size_t i = 0; i < o->n; i++)
    if (!strcmp(o->key[i], k)) return &o->kid[i];
  return NULL;
}

static const jv* need(rd* r, const jv* o, const char* k, int type) {
  static const char* names[] = { "null", "true or false", "a number", "a string",
                                 "an array", "an object" };
  const jv* v = jget(o, k);
  if (!v) return bad(r, "'%s' is missing", k), NULL;
  if (v->t != type) return bad(r, "'%s': not %s", k, names[type]), NULL;
  return v;
}

static int f_str(rd* r, const jv* o, const char* k, char* out, size_t outlen) {
  const jv* v = need(r, o, k, JV_STR);
  if (!v) return -1;
  if (strlen(v->s) >= outlen) return bad(r, "'%s': longer than %zu bytes", k, outlen - 1);
  memcpy(out, v->s, strlen(v->s) + 1);
  return 0;
}

static int f_strdup(rd* r, const jv* o, const char* k, const char** out) {
  const jv* v = need(r, o, k, JV_STR);
  if (!v) return -1;
  *out = strdup(v->s);
  if (!*out) abort();
  return 0;
}

static int f_u64(rd* r, const jv* o, const char* k, uint64_t* out) {
  const jv* v = need(r, o, k, JV_NUM);
  if (!v) return -1;
  if (sim_parse_u64(v->s, out)) return bad(r, "'%s': %s is not a non-negative integer", k, v->s);
  return 0;
}

static int f_u32(rd* r, const jv* o, const char* k, uint32_t* out) {
  uint64_t x;
  if (f_u64(r, o, k, &x)) return -1;
  if (x > UINT32_MAX) return bad(r, "'%s': %" PRIu64 " is too large", k, x);
  *out = (uint32_t)x;
  return 0;
}

static int f_double(rd* r, const jv* o, const char* k, double* out) {
  const jv* v = need(r, o, k, JV_NUM);
  if (!v) return -1;
  *out = strtod(v->s, NULL);
  return 0;
}

static int f_bool(rd* r, const jv* o, const char* k, int* out) {
  const jv* v = need(r, o, k, JV_BOOL);
  if (!v) return -1;
  *out = v->b;
  return 0;
}

static int parse_hex64(const char* s, uint64_t* out) {
  if (strlen(s) != 16) return -1;
  uint64_t v = 0;
  for (int i = 0; i < 16; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v << 4 | (uint64_t)d;
  }
  *out = v;
  return 0;
}

static int f_hex64(rd* r, const jv* o, const char* k, uint64_t* out) {
  const jv* v = need(r, o, k, JV_STR);
  if (!v) return -1;
  if (parse_hex64(v->s, out)) return bad(r, "'%s': \"%s\" is not 16 hex digits", k, v->s);
  return 0;
}

static size_t count_nonzero(const sim_repro* p) {
  size_t n = 0;
  for (size_t i = 0; i < p->ndecisions; i++) n += p->decisions[i].choice != 0;
  return n;
}

/* A reproducer's text (found.text, minimised.text) into p, checked against
 * the counts and hash written beside it. */
static int f_repro(rd* r, const jv* o, const char* what, sim_repro* p) {
  const jv* t = need(r, o, "text", JV_STR);
  if (!t) return -1;
  char perr[300];
  sim_repro_free(p);
  if (sim_repro_parse(p, what, t->s, perr, sizeof perr) != 0) return bad(r, "%s", perr);
  uint64_t nd, nz, h;
  if (f_u64(r, o, "decisions", &nd) || f_u64(r, o, "nonzero", &nz) || f_hex64(r, o, "hash", &h))
    return -1;
  if (nd != p->ndecisions || nz != count_nonzero(p) || !p->has_hash || h != p->hash)
    return bad(r, "%s: the reproducer text does not match its decisions, nonzero and hash", what);
  return 0;
}

static int oracle_from_name(const char* s) {
  for (int i = 1; i < SIM_BUG_ORACLE_COUNT; i++)
    if (!strcmp(sim_oracle_name((sim_oracle)i), s)) return i;
  return -1;
}

static int read_decisive(rd* r, const jv* o, fz_decisive* d) {
  uint64_t idx;
  char kind[64];
  if (f_u64(r, o, "index", &idx) || f_str(r, o, "kind", kind, sizeof kind) ||
      f_u32(r, o, "choice", &d->choice) || f_u32(r, o, "n", &d->n) ||
      f_str(r, o, "label", d->label, sizeof d->label) ||
      f_str(r, o, "then", d->failing, sizeof d->failing) ||
      f_str(r, o, "instead_of", d->natural, sizeof d->natural))
    return -1;
  int k = sim_kind_from_name(kind);
  if (k < 0) return bad(r, "'kind': unknown decision kind \"%s\"", kind);
  d->index = (size_t)idx;
  d->kind = (uint16_t)k;
  return 0;
}

static int read_record(rd* r, const jv* o, sim_trace_rec* t) {
  char type[16], label[SIM_LABEL_MAX + 1];
  memset(t, 0, sizeof *t);
  if (f_u64(r, o, "t_ns", &t->time_ns) || f_str(r, o, "type", type, sizeof type) ||
      f_str(r, o, "label", label, sizeof label))
    return -1;
  if (!strcmp(type, "decision")) {
    char kind[64];
    t->type = SIM_TR_DECISION;
    if (f_str(r, o, "kind", kind, sizeof kind) || f_u32(r, o, "choice", &t->choice) ||
        f_u32(r, o, "n", &t->n))
      return -1;
    int k = sim_kind_from_name(kind);
    if (k < 0) return bad(r, "'kind': unknown decision kind \"%s\"", kind);
    t->kind = (uint16_t)k;
  } else if (!strcmp(type, "callback")) {
    t->type = SIM_TR_CALLBACK;
  } else if (!strcmp(type, "note")) {
    t->type = SIM_TR_NOTE;
  } else {
    return bad(r, "'type': unknown record type \"%s\"", type);
  }
  t->label = strdup(label);
  if (!t->label) abort();
  return 0;
}

/* The analysis: minimised schedule, decisive decisions, timeline. The trace
 * keeps the records the report has (the first 400) and, past them, empty
 * notes up to timeline_records, which only the writer's "first 400 of N"
 * reads. */
static int read_analysis(rd* r, const jv* o, const jv* min, fz_bug* b) {
  fz_analysis* a = &b->an;
  if (f_repro(r, min, "minimised", &a->min) || f_u32(r, min, "attempts", &a->attempts))
    return -1;
  a->outcome = b->outcome;
  a->outcome.hash = a->min.hash;
  a->outcome.ndecisions = (uint32_t)a->min.ndecisions;
  a->outcome.nonzero = (uint32_t)count_nonzero(&a->min);
  a->orig_len = b->repro.ndecisions;
  a->orig_nonzero = count_nonzero(&b->repro);
  const jv* dec = need(r, o, "decisive", JV_ARR);
  if (!dec) return -1;
  if (dec->n > FZ_DECISIVE_MAX) return bad(r, "more than %d decisive decisions", FZ_DECISIVE_MAX);
  for (size_t i = 0; i < dec->n; i++) {
    if (dec->kid[i].t != JV_OBJ) return bad(r, "decisive %zu: not an object", i + 1);
    if (read_decisive(r, &dec->kid[i], &a->decisive[i])) return -1;
    a->ndecisive = i + 1;
  }
  const jv* tl = need(r, o, "timeline", JV_ARR);
  uint64_t total;
  int truncated;
  if (!tl || f_u64(r, o, "timeline_records", &total) || f_bool(r, o, "timeline_truncated", &truncated))
    return -1;
  if (tl->n > READ_TIMELINE_MAX || total < tl->n || (total > tl->n) != truncated ||
      (truncated && tl->n != READ_TIMELINE_MAX) || total > SIM_DECISIONS_MAX_DEFAULT * 4ull)
    return bad(r, "'timeline' (%zu records), 'timeline_records' (%" PRIu64
               ") and 'timeline_truncated' disagree", tl->n, total);
  fz_trace* t = &a->trace;
  t->recs = calloc(total ? total : 1, sizeof *t->recs);
  if (!t->recs) abort();
  t->cap = total;
  for (size_t i = 0; i < tl->n; i++) {
    if (tl->kid[i].t != JV_OBJ) return bad(r, "timeline record %zu: not an object", i + 1);
    if (read_record(r, &tl->kid[i], &t->recs[i])) return -1;
    t->len = i + 1;
  }
  for (; t->len < total; t->len++) {
    t->recs[t->len].type = SIM_TR_NOTE;
    t->recs[t->len].label = strdup("");
    if (!t->recs[t->len].label) abort();
  }
  return 0;
}

static int read_bug(rd* r, const jv* o, fz_campaign* c, fz_bug* b) {
  char oracle[32];
  if (f_str(r, o, "signature", b->signature, sizeof b->signature) ||
      f_str(r, o, "oracle", oracle, sizeof oracle) ||
      f_str(r, o, "where", b->outcome.where, sizeof b->outcome.where) ||
      f_str(r, o, "message", b->outcome.message, sizeof b->outcome.message) ||
      f_u64(r, o, "first_run", &b->first_run) || f_u64(r, o, "hits", &b->hits) ||
      f_str(r, o, "reproducer_path", b->path, sizeof b->path))
    return -1;
  int orc = oracle_from_name(oracle);
  if (orc < 0) return bad(r, "'oracle': unknown oracle \"%s\"", oracle);
  if (b->first_run == 0) return bad(r, "'first_run': runs count from 1");
  if (b->hits == 0) return bad(r, "'hits': a bug has at least one failing run");
  b->first_run--;
  b->outcome.oracle = (sim_oracle)orc;
  b->sig_hash = fz_sig_hash(b->signature);
  const jv* found = need(r, o, "found", JV_OBJ);
  if (!found) return -1;
  if (jget(found, "text")) {
    if (f_repro(r, found, "found", &b->repro)) return -1;
  } else if (c->shard_count) {
    return bad(r, "'found': no 'text' (a shard's report carries the schedule as found)");
  } else if (f_hex64(r, found, "hash", &b->repro.hash)) {
    return -1;
  }
  b->outcome.hash = b->repro.hash;
  b->outcome.ndecisions = (uint32_t)b->repro.ndecisions;
  b->outcome.nonzero = (uint32_t)count_nonzero(&b->repro);
  const jv* min = jget(o, "minimised");
  if (!min) return bad(r, "'minimised' is missing");
  if (min->t == JV_NULL) return 0;
  if (min->t != JV_OBJ) return bad(r, "'minimised': not an object or null");
  if (read_analysis(r, o, min, b)) return -1;
  b->analysed = 1;
  return 0;
}

static int read_shard(rd* r, const jv* o, fz_campaign* c) {
  const jv* s = jget(o, "shard");
  if (!s || s->t == JV_NULL) return 0;
  if (s->t != JV_OBJ) return bad(r, "'shard': not an object");
  uint32_t index = 0;
  if (f_u32(r, s, "index", &index) || f_u32(r, s, "count", &c->shard_count) ||
      f_u64(r, s, "runs_budget", &c->runs_budget) || f_hex64(r, s, "config", &c->config))
    return -1;
  if (c->shard_count == 0 || index == 0 || index > c->shard_count)
    return bad(r, "'shard': %u/%u is not I/N with 1 <= I <= N", index, c->shard_count);
  c->shard_index = index - 1;
  return 0;
}

static int read_campaign(rd* r, const jv* o, fz_campaign* c, uvsim_scenario* sc) {
  char expect[16], strategy[16];
  if (f_strdup(r, o, "scenario", &sc->name) || f_strdup(r, o, "variant", &sc->variant) ||
      f_strdup(r, o, "description", &sc->description) ||
      f_strdup(r, o, "invariant", &sc->invariant) ||
      f_str(r, o, "expect", expect, sizeof expect) ||
      f_str(r, o, "strategy", strategy, sizeof strategy) || f_u64(r, o, "seed", &c->seed) ||
      f_u64(r, o, "runs", &c->runs) || f_u64(r, o, "failing_runs", &c->failing_runs) ||
      f_u64(r, o, "distinct_traces", &c->distinct) || f_double(r, o, "elapsed_s", &c->elapsed_s) ||
      f_u64(r, o, "worker_crashes", &c->worker_crashes))
    return -1;
  if (!strcmp(expect, "bug")) sc->expect = UVSIM_EXPECT_BUG;
  else if (!strcmp(expect, "clean")) sc->expect = UVSIM_EXPECT_CLEAN;
  else return bad(r, "'expect': \"%s\" is neither \"bug\" nor \"clean\"", expect);
  int k = sim_strategy_from_name(strategy);
  if (k < 0) return bad(r, "'strategy': unknown strategy \"%s\"", strategy);
  c->strategy = (sim_strategy_kind)k;
  c->sc = sc;
  const jv* ff = jget(o, "time_to_first_bug_runs");
  if (!ff) return bad(r, "'time_to_first_bug_runs' is missing");
  if (ff->t != JV_NULL && f_u64(r, o, "time_to_first_bug_runs", &c->first_bug_run)) return -1;
  if (jget(o, "dfs_exhausted") && f_bool(r, o, "dfs_exhausted", &c->dfs_exhausted)) return -1;
  if (read_shard(r, o, c)) return -1;
  const jv* bugs = need(r, o, "bugs", JV_ARR);
  if (!bugs) return -1;
  c->bugs = calloc(bugs->n ? bugs->n : 1, sizeof *c->bugs);
  if (!c->bugs) abort();
  c->bugs_cap = bugs->n;
  size_t wlen = strlen(r->where);
  for (size_t i = 0; i < bugs->n; i++) {
    snprintf(r->where + wlen, sizeof r->where - wlen, ", bug %zu", i + 1);
    fz_bug* b = &c->bugs[c->nbugs++];
    sim_repro_init(&b->repro);
    fz_analysis_init(&b->an);
    if (bugs->kid[i].t != JV_OBJ) return bad(r, "not an object");
    if (read_bug(r, &bugs->kid[i], c, b)) return -1;
  }
  r->where[wlen] = 0;
  return 0;
}

/* The `traces` file: "uvsim-traces 1", then per campaign "campaign NAME/VARIANT
 * COUNT" and COUNT hashes (16 hex digits, ascending), then "end". */
static int read_traces(rd* r, const char* path, report_doc* d) {
  r->path = path;
  r->where[0] = 0;
  char* text = NULL;
  size_t len = 0;
  FILE* f = fopen(path, "rb");
  if (!f) return bad(r, "cannot open: %s", strerror(errno));
  FILE* m = open_memstream(&text, &len);
  if (!m) abort();
  char buf[65536];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, got, m);
  int rerr = ferror(f);
  fclose(f);
  fclose(m);
  if (rerr) return free(text), bad(r, "cannot read");
  char* save = NULL;
  int line = 0, rc = -1;
  char* l = strtok_r(text, "\n", &save);
#define NEXT() (line++, l = strtok_r(NULL, "\n", &save))
  if (!l || strcmp(l, "uvsim-traces 1") != 0) {
    bad(r, "line 1: not a uvsim-traces 1 file");
    goto out;
  }
  NEXT();
  for (size_t i = 0; i < d->n; i++) {
    fz_campaign* c = &d->cs[i];
    char want[400];
    snprintf(want, sizeof want, "campaign %s/%s ", c->sc->name, c->sc->variant);
    uint64_t cnt;
    if (!l || strncmp(l, want, strlen(want)) != 0 || sim_parse_u64(l + strlen(want), &cnt)) {
      bad(r, "line %d: expected \"%s<count>\"", line + 1, want);
      goto out;
    }
    if (cnt != c->distinct) {
      bad(r, "line %d: %" PRIu64 " hashes for %s/%s, whose report says %" PRIu64
          " distinct traces", line + 1, cnt, c->sc->name, c->sc->variant, c->distinct);
      goto out;
    }
    c->traces = cnt ? malloc(cnt * sizeof *c->traces) : NULL;
    if (cnt && !c->traces) abort();
    for (uint64_t k = 0; k < cnt; k++) {
      NEXT();
      if (!l || parse_hex64(l, &c->traces[k]) || (k && c->traces[k] <= c->traces[k - 1])) {
        bad(r, "line %d: expected a hash (16 hex digits, ascending)", line + 1);
        goto out;
      }
    }
    NEXT();
  }
  if (!l || strcmp(l, "end") != 0) {
    bad(r, "line %d: expected \"end\"", line + 1);
    goto out;
  }
  NEXT();
  if (l) {
    bad(r, "line %d: text after \"end\"", line + 1);
    goto out;
  }
  rc = 0;
#undef NEXT
out:
  free(text);
  return rc;
}

void report_doc_free(report_doc* d) {
  for (size_t i = 0; i < d->n; i++) fz_campaign_free(&d->cs[i]);
  if (d->scs)
    for (size_t i = 0; i < d->n; i++) {
      free((char*)d->scs[i].name);
      free((char*)d->scs[i].variant);
      free((char*)d->scs[i].description);
      free((char*)d->scs[i].invariant);
    }
  free(d->cs);
  free(d->scs);
  memset(d, 0, sizeof *d);
}

static char* slurp(const char* path, size_t* len, rd* r) {
  FILE* f = fopen(path, "rb");
  if (!f) return bad(r, "cannot open: %s", strerror(errno)), NULL;
  char* text = NULL;
  FILE* m = open_memstream(&text, len);
  if (!m) abort();
  char buf[65536];
  size_t got, total = 0;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0 && total <= READ_FILE_MAX) {
    fwrite(buf, 1, got, m);
    total += got;
  }
  int rerr = ferror(f);
  fclose(f);
  fclose(m);
  if (rerr) return free(text), bad(r, "cannot read: %s", strerror(errno)), NULL;
  if (total > READ_FILE_MAX) return free(text), bad(r, "larger than %u MiB", READ_FILE_MAX >> 20), NULL;
  return text;
}

int report_read(const char* path, report_doc* d, char* err, size_t errlen) {
  memset(d, 0, sizeof *d);
  rd r = { .path = path, .err = err, .errlen = errlen };
  if (strlen(path) >= sizeof d->path) return bad(&r, "path too long");
  snprintf(d->path, sizeof d->path, "%s", path);
  size_t len = 0;
  char* text = slurp(path, &len, &r);
  if (!text) return -1;
  jv root;
  char jerr[200];
  int jrc = jparse(text, len, &root, jerr, sizeof jerr);
  free(text);
  if (jrc) return bad(&r, "not JSON: %s", jerr);
  int rc = -1;
  char schema[32];
  if (root.t != JV_OBJ) {
    bad(&r, "not a report (the top level is not an object)");
    goto out;
  }
  if (f_str(&r, &root, "schema", schema, sizeof schema)) goto out;
  if (strcmp(schema, "uvsim-report/1") != 0) {
    bad(&r, "schema \"%s\" is not uvsim-report/1", schema);
    goto out;
  }
  if (f_str(&r, &root, "uvsim_version", d->version, sizeof d->version) ||
      f_str(&r, &root, "name", d->name, sizeof d->name))
    goto out;
  const jv* cs = need(&r, &root, "campaigns", JV_ARR);
  if (!cs) goto out;
  d->cs = calloc(cs->n ? cs->n : 1, sizeof *d->cs);
  d->scs = calloc(cs->n ? cs->n : 1, sizeof *d->scs);
  if (!d->cs || !d->scs) abort();
  int sharded = 0;
  for (size_t i = 0; i < cs->n; i++) {
    snprintf(r.where, sizeof r.where, "campaign %zu", i + 1);
    d->n = i + 1;
    if (cs->kid[i].t != JV_OBJ) {
      bad(&r, "not an object");
      goto out;
    }
    if (read_campaign(&r, &cs->kid[i], &d->cs[i], &d->scs[i])) goto out;
    sharded |= d->cs[i].shard_count != 0;
  }
  r.where[0] = 0;
  if (sharded) {
    char tp[600];
    const char* slash = strrchr(path, '/');
    if (slash) snprintf(tp, sizeof tp, "%.*s/traces", (int)(slash - path), path);
    else snprintf(tp, sizeof tp, "traces");
    if (read_traces(&r, tp, d)) goto out;
  }
  rc = 0;
out:
  jv_free(&root);
  if (rc) report_doc_free(d);
  return rc;
}

/* --------------------------------------------------------------- merge */

__attribute__((format(printf, 3, 4)))
static int merr(char* err, size_t errlen, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static int by_first_run(const void* a, const void* b) {
  const fz_bug* x = a;
  const fz_bug* y = b;
  if (x->first_run != y->first_run) return x->first_run < y->first_run ? -1 : 1;
  return strcmp(x->signature, y->signature);
}

/* Moves bug *from into *to (which is free), leaving *from empty. */
static void bug_move(fz_bug* to, fz_bug* from) {
  *to = *from;
  memset(from, 0, sizeof *from);
  sim_repro_init(&from->repro);
  fz_analysis_init(&from->an);
}

static void bug_add(fz_campaign* m, fz_bug* b) {
  for (size_t i = 0; i < m->nbugs; i++) {
    fz_bug* x = &m->bugs[i];
    if (x->sig_hash != b->sig_hash || strcmp(x->signature, b->signature) != 0) continue;
    uint64_t hits = x->hits + b->hits;
    if (b->first_run < x->first_run) {
      sim_repro_free(&x->repro);
      fz_analysis_free(&x->an);
      bug_move(x, b);
    }
    x->hits = hits;
    return;
  }
  if (m->nbugs == m->bugs_cap) {
    m->bugs_cap = m->bugs_cap ? m->bugs_cap * 2 : 8;
    m->bugs = realloc(m->bugs, m->bugs_cap * sizeof *m->bugs);
    if (!m->bugs) abort();
  }
  bug_move(&m->bugs[m->nbugs++], b);
}

/* The union of two ascending hash lists. */
static uint64_t* union_sorted(const uint64_t* a, size_t na, const uint64_t* b, size_t nb,
                              size_t* n) {
  uint64_t* v = malloc((na + nb ? na + nb : 1) * sizeof *v);
  if (!v) abort();
  size_t i = 0, j = 0, k = 0;
  while (i < na || j < nb) {
    uint64_t x = j >= nb || (i < na && a[i] <= b[j]) ? a[i] : b[j];
    if (i < na && a[i] == x) i++;
    if (j < nb && b[j] == x) j++;
    v[k++] = x;
  }
  *n = k;
  return v;
}

static int same_campaign(const report_doc* d0, const fz_campaign* a, const report_doc* d,
                         const fz_campaign* b, char* err, size_t errlen) {
  const char* what = NULL;
  if (strcmp(a->sc->name, b->sc->name) || strcmp(a->sc->variant, b->sc->variant))
    what = "scenario";
  else if (a->strategy != b->strategy) what = "strategy";
  else if (a->seed != b->seed) what = "seed";
  else if (a->shard_count != b->shard_count) what = "shard count";
  else if (a->runs_budget != b->runs_budget) what = "run budget (--runs)";
  else if (a->config != b->config)
    what = "configuration (strategy parameters, --fault, --map or --no-minimize)";
  if (!what) return 0;
  return merr(err, errlen, "%s and %s are not shards of one campaign: %s/%s and %s/%s differ "
              "in %s", d0->path, d->path, a->sc->name, a->sc->variant, b->sc->name,
              b->sc->variant, what);
}

int report_merge(report_doc* docs, size_t n, report_doc* out, char* err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (n == 0) return merr(err, errlen, "merge: no report");
  const report_doc* d0 = &docs[0];
  for (size_t k = 0; k < n; k++) {
    const report_doc* d = &docs[k];
    if (strcmp(d->version, SIM_VERSION) != 0)
      return merr(err, errlen, "%s: written by uvsim %s, this is %s", d->path, d->version,
                  SIM_VERSION);
    if (d->n == 0) return merr(err, errlen, "%s: no campaign in the report", d->path);
    if (d->n != d0->n)
      return merr(err, errlen, "%s and %s are not shards of one run: %zu and %zu campaigns",
                  d0->path, d->path, d0->n, d->n);
    for (size_t i = 0; i < d->n; i++) {
      const fz_campaign* c = &d->cs[i];
      if (!c->shard_count)
        return merr(err, errlen, "%s: %s/%s is not a shard (run with --shard I/N)", d->path,
                    c->sc->name, c->sc->variant);
      if (same_campaign(d0, &d0->cs[i], d, c, err, errlen)) return -1;
      if (c->shard_index != d->cs[0].shard_index)
        return merr(err, errlen, "%s: its campaigns are different shards", d->path);
      uint64_t want = fz_shard_runs(c->runs_budget, c->shard_index, c->shard_count);
      if (c->runs != want)
        return merr(err, errlen, "%s: %s/%s: shard %u/%u ran %" PRIu64 " of its %" PRIu64
                    " runs (an interrupted shard?)", d->path, c->sc->name, c->sc->variant,
                    c->shard_index + 1, c->shard_count, c->runs, want);
    }
  }
  uint32_t N = d0->cs[0].shard_count;
  report_doc** by_index = calloc(N, sizeof *by_index);
  if (!by_index) abort();
  int rc = -1;
  for (size_t k = 0; k < n; k++) {
    uint32_t i = docs[k].cs[0].shard_index;
    if (by_index[i]) {
      merr(err, errlen, "%s and %s are both shard %u/%u (overlapping shards)",
           by_index[i]->path, docs[k].path, i + 1, N);
      goto out;
    }
    by_index[i] = &docs[k];
  }
  for (uint32_t i = 0; i < N; i++)
    if (!by_index[i]) {
      merr(err, errlen, "shard %u/%u is missing (%zu of %u shards given)", i + 1, N, n, N);
      goto out;
    }
  out->n = d0->n;
  out->cs = calloc(out->n, sizeof *out->cs);
  out->scs = calloc(out->n, sizeof *out->scs);
  if (!out->cs || !out->scs) abort();
  snprintf(out->version, sizeof out->version, "%s", d0->version);
  snprintf(out->name, sizeof out->name, "%s", d0->name);
  for (size_t i = 0; i < out->n; i++) {
    const uvsim_scenario* s0 = d0->cs[i].sc;
    uvsim_scenario* sc = &out->scs[i];
    sc->name = strdup(s0->name);
    sc->variant = strdup(s0->variant);
    sc->description = strdup(s0->description);
    sc->invariant = strdup(s0->invariant);
    if (!sc->name || !sc->variant || !sc->description || !sc->invariant) abort();
    sc->expect = s0->expect;
    fz_campaign* m = &out->cs[i];
    m->sc = sc;
    m->strategy = d0->cs[i].strategy;
    m->seed = d0->cs[i].seed;
    m->runs_budget = d0->cs[i].runs_budget;
    m->config = d0->cs[i].config;
    /* Shards in index order, whatever the order of the arguments (a run
     * is in one shard only, so two shards never tie on a first run). */
    for (uint32_t k = 0; k < N; k++) {
      fz_campaign* c = &by_index[k]->cs[i];
      m->runs += c->runs;
      m->failing_runs += c->failing_runs;
      m->worker_crashes += c->worker_crashes;
      m->elapsed_s += c->elapsed_s;
      size_t nt;
      uint64_t* u = union_sorted(m->traces, m->distinct, c->traces, c->distinct, &nt);
      free(m->traces);
      m->traces = u;
      m->distinct = nt;
      for (size_t b = 0; b < c->nbugs; b++) bug_add(m, &c->bugs[b]);
    }
    if (m->nbugs > 1) qsort(m->bugs, m->nbugs, sizeof *m->bugs, by_first_run);
    for (size_t b = 0; b < m->nbugs; b++)
      if (m->first_bug_run == 0 || m->bugs[b].first_run + 1 < m->first_bug_run)
        m->first_bug_run = m->bugs[b].first_run + 1;
  }
  rc = 0;
out:
  free(by_index);
  if (rc) report_doc_free(out);
  return rc;
}
