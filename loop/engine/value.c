/* loop/engine/value.c — tagged JS values: constructors that copy into the
 * run's arena, a JSON.stringify-like printer for tests (numbers printed the
 * way JS prints them, so C twins match node byte for byte), and ===. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop/engine/engine_int.h"

static const char* arena_strdup(const char* s) {
  if (s == NULL) return NULL;
  size_t n = strlen(s) + 1;
  char* d = uvsim_alloc(n);
  memcpy(d, s, n);
  return d;
}

uvsim_value uvsim_strf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  assert(n >= 0);
  char* d = uvsim_alloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(d, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return uvsim_str(d);
}

uvsim_value uvsim_error_new(const char* name, const char* code,
                            const char* message) {
  uvsim_error* e = uvsim_alloc(sizeof(*e));
  e->name = arena_strdup(name ? name : "Error");
  e->code = arena_strdup(code);
  e->message = arena_strdup(message ? message : "");
  uvsim_value v = {UVSIM_T_ERROR, 0, {0}};
  v.u.err = e;
  return v;
}

uvsim_value uvsim_array_new(const uvsim_value* items, size_t n) {
  uvsim_array* a = uvsim_alloc(sizeof(*a));
  a->len = n;
  a->items = uvsim_alloc((n ? n : 1) * sizeof(uvsim_value));
  if (n) memcpy(a->items, items, n * sizeof(uvsim_value));
  uvsim_value v = {UVSIM_T_ARRAY, 0, {0}};
  v.u.arr = a;
  return v;
}

int uvsim_value_same(uvsim_value a, uvsim_value b) {
  if (a.type == UVSIM_T_INT && b.type == UVSIM_T_DOUBLE)
    return (double)a.u.i == b.u.d;
  if (a.type == UVSIM_T_DOUBLE && b.type == UVSIM_T_INT)
    return a.u.d == (double)b.u.i;
  if (a.type != b.type) return 0;
  switch (a.type) {
    case UVSIM_T_UNDEFINED:
    case UVSIM_T_NULL: return 1;
    case UVSIM_T_BOOL: return a.u.b == b.u.b;
    case UVSIM_T_INT: return a.u.i == b.u.i;
    case UVSIM_T_DOUBLE: return a.u.d == b.u.d;
    case UVSIM_T_STRING:
      return a.u.s == b.u.s || (a.u.s && b.u.s && strcmp(a.u.s, b.u.s) == 0);
    default: return a.u.ptr == b.u.ptr;
  }
}

/* A small appender that never overflows and always terminates. */
typedef struct out {
  char* buf;
  size_t len, pos;
} out;

static void put(out* o, const char* s) {
  while (*s && o->pos + 1 < o->len) o->buf[o->pos++] = *s++;
  o->buf[o->pos] = '\0';
}

/* JS Number::toString for doubles: the shortest representation that round
 * trips, in fixed notation for 1e-6 <= |d| < 1e21 like JS. */
static void put_double(out* o, double d) {
  char tmp[64];
  if (isnan(d)) { put(o, "null"); return; }  /* JSON.stringify(NaN) */
  if (isinf(d)) { put(o, "null"); return; }
  if (d == 0) { put(o, "0"); return; }
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    if (strtod(tmp, NULL) == d) break;
  }
  double ad = fabs(d);
  if (ad >= 1e-6 && ad < 1e21) {
    /* digits and exponent from the %e form, then fixed layout */
    char digits[32];
    int nd = 0, exp10;
    const char* p = tmp;
    int neg = (*p == '-');
    if (neg) p++;
    for (; *p && *p != 'e'; p++)
      if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    char res[64];
    int r = 0;
    if (neg) res[r++] = '-';
    if (exp10 >= 0) {
      for (int i = 0; i <= exp10 || i < nd; i++) {
        if (i == exp10 + 1) res[r++] = '.';
        res[r++] = i < nd ? digits[i] : '0';
      }
    } else {
      res[r++] = '0';
      res[r++] = '.';
      for (int i = 0; i < -exp10 - 1; i++) res[r++] = '0';
      for (int i = 0; i < nd; i++) res[r++] = digits[i];
    }
    res[r] = '\0';
    put(o, res);
    return;
  }
  /* exponent form: JS writes 1e+21, 1.5e-7 */
  char* e = strchr(tmp, 'e');
  *e = '\0';
  char* dot = strchr(tmp, '.');
  if (dot) {
    char* end = e - 1;
    while (end > dot && *end == '0') *end-- = '\0';
    if (end == dot) *dot = '\0';
  }
  int x = atoi(e + 1);
  char ex[16];
  snprintf(ex, sizeof ex, "e%c%d", x < 0 ? '-' : '+', abs(x));
  put(o, tmp);
  put(o, ex);
}

static void put_value(out* o, uvsim_value v, int top) {
  char tmp[48];
  switch ((uvsim_type)v.type) {
    case UVSIM_T_UNDEFINED: put(o, top ? "undefined" : "null"); break;
    case UVSIM_T_NULL: put(o, "null"); break;
    case UVSIM_T_BOOL: put(o, v.u.b ? "true" : "false"); break;
    case UVSIM_T_INT:
      snprintf(tmp, sizeof tmp, "%lld", (long long)v.u.i);
      put(o, tmp);
      break;
    case UVSIM_T_DOUBLE: put_double(o, v.u.d); break;
    case UVSIM_T_STRING:
      put(o, "\"");
      put(o, v.u.s ? v.u.s : "");
      put(o, "\"");
      break;
    case UVSIM_T_PTR: put(o, "{}"); break;
    case UVSIM_T_ERROR:
      put(o, v.u.err->name);
      put(o, ": ");
      put(o, v.u.err->message);
      break;
    case UVSIM_T_ARRAY:
      put(o, "[");
      for (size_t i = 0; i < v.u.arr->len; i++) {
        if (i) put(o, ",");
        put_value(o, v.u.arr->items[i], 0);
      }
      put(o, "]");
      break;
    case UVSIM_T_SETTLED:
      put(o, v.u.settled->rejected ? "{\"status\":\"rejected\",\"reason\":"
                                   : "{\"status\":\"fulfilled\",\"value\":");
      put_value(o, v.u.settled->value, 0);
      put(o, "}");
      break;
    case UVSIM_T_PROMISE: put(o, "{}"); break;
    case UVSIM_T_THENABLE: put(o, "{}"); break;
  }
}

char* uvsim_value_fmt(uvsim_value v, char* buf, size_t len) {
  assert(buf != NULL && len > 0);
  out o = {buf, len, 0};
  buf[0] = '\0';
  /* top-level strings print bare, as console.log(string) does */
  if (v.type == UVSIM_T_STRING) {
    put(&o, v.u.s ? v.u.s : "");
    return buf;
  }
  put_value(&o, v, 1);
  return buf;
}
