/* sim/sim_fault.c — fault rules: a strict parser for the one-line specs of
 * fault.h, SQLite-style countdown matching, probabilistic rules through the
 * decision stream, and the table that says which faults a real kernel can
 * produce (sound) and which it cannot (aggressive). */
#include "sim/sim_fault.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_fs.h"
#include "sim/sim_util.h"

static const char* const op_names[SIM_FOP_COUNT] = {
  [SIM_FOP_OPEN] = "open", [SIM_FOP_CLOSE] = "close", [SIM_FOP_READ] = "read",
  [SIM_FOP_WRITE] = "write", [SIM_FOP_STAT] = "stat", [SIM_FOP_MKDIR] = "mkdir",
  [SIM_FOP_RMDIR] = "rmdir", [SIM_FOP_UNLINK] = "unlink",
  [SIM_FOP_RENAME] = "rename", [SIM_FOP_FSYNC] = "fsync",
  [SIM_FOP_FTRUNCATE] = "ftruncate", [SIM_FOP_SCANDIR] = "scandir",
  [SIM_FOP_READDIR] = "readdir", [SIM_FOP_COPYFILE] = "copyfile",
  [SIM_FOP_LINK] = "link", [SIM_FOP_SYMLINK] = "symlink",
  [SIM_FOP_READLINK] = "readlink", [SIM_FOP_CHMOD] = "chmod",
  [SIM_FOP_UTIME] = "utime", [SIM_FOP_ACCESS] = "access",
  [SIM_FOP_CONNECT] = "connect", [SIM_FOP_ACCEPT] = "accept",
  [SIM_FOP_RECV] = "recv", [SIM_FOP_SEND] = "send", [SIM_FOP_DNS] = "dns",
  [SIM_FOP_DGRAM] = "dgram",
};

const char* sim_fault_op_name(sim_fault_op op) {
  return (unsigned)op < SIM_FOP_COUNT ? op_names[op] : "?";
}

#define OPS_FS ((1u << (SIM_FOP_ACCESS + 1)) - 1u)
#define OPS_NET ((1u << SIM_FOP_CONNECT) | (1u << SIM_FOP_ACCEPT) | \
                 (1u << SIM_FOP_RECV) | (1u << SIM_FOP_SEND))
/* every operation that errors: datagrams have effects of their own */
#define OPS_ANY ((1u << SIM_FOP_DGRAM) - 1u)
#define OPS_XFER ((1u << SIM_FOP_READ) | (1u << SIM_FOP_WRITE) | \
                  (1u << SIM_FOP_RECV) | (1u << SIM_FOP_SEND) | (1u << SIM_FOP_DGRAM))

/* Error names a spec may use. */
static const struct { const char* name; int value; } err_names[] = {
  { "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EIO", EIO },
  { "EBADF", EBADF }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
  { "EACCES", EACCES }, { "EBUSY", EBUSY }, { "EEXIST", EEXIST },
  { "EXDEV", EXDEV }, { "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR },
  { "EINVAL", EINVAL }, { "ENFILE", ENFILE }, { "EMFILE", EMFILE },
  { "EFBIG", EFBIG }, { "ENOSPC", ENOSPC }, { "EROFS", EROFS },
  { "EMLINK", EMLINK }, { "EPIPE", EPIPE }, { "ENAMETOOLONG", ENAMETOOLONG },
  { "ENOTEMPTY", ENOTEMPTY }, { "ELOOP", ELOOP }, { "EDQUOT", EDQUOT },
  { "ENOBUFS", ENOBUFS }, { "ECONNABORTED", ECONNABORTED },
  { "ECONNRESET", ECONNRESET }, { "ECONNREFUSED", ECONNREFUSED },
  { "ETIMEDOUT", ETIMEDOUT }, { "EHOSTUNREACH", EHOSTUNREACH },
  { "ENETUNREACH", ENETUNREACH }, { "EADDRNOTAVAIL", EADDRNOTAVAIL },
  { "EADDRINUSE", EADDRINUSE }, { "ENOTCONN", ENOTCONN },
  { "EINTR", EINTR }, { "ECANCELED", ECANCELED },
};

static const struct { const char* name; int value; } eai_names[] = {
  { "EAI_AGAIN", EAI_AGAIN }, { "EAI_FAIL", EAI_FAIL },
  { "EAI_NONAME", EAI_NONAME }, { "EAI_NODATA", EAI_NODATA },
  { "EAI_MEMORY", EAI_MEMORY }, { "EAI_SYSTEM", EAI_SYSTEM },
};

/* Signal names a `signal` rule may use (Linux numbers), also for messages. */
static const struct { const char* name; int value; } sig_names[] = {
  { "SIGHUP", SIGHUP }, { "SIGINT", SIGINT }, { "SIGQUIT", SIGQUIT },
  { "SIGILL", SIGILL }, { "SIGTRAP", SIGTRAP }, { "SIGABRT", SIGABRT },
  { "SIGBUS", SIGBUS }, { "SIGFPE", SIGFPE }, { "SIGKILL", SIGKILL },
  { "SIGUSR1", SIGUSR1 }, { "SIGSEGV", SIGSEGV }, { "SIGUSR2", SIGUSR2 },
  { "SIGPIPE", SIGPIPE }, { "SIGALRM", SIGALRM }, { "SIGTERM", SIGTERM },
  { "SIGCHLD", SIGCHLD }, { "SIGCONT", SIGCONT }, { "SIGSTOP", SIGSTOP },
  { "SIGTSTP", SIGTSTP }, { "SIGTTIN", SIGTTIN }, { "SIGTTOU", SIGTTOU },
  { "SIGURG", SIGURG }, { "SIGXCPU", SIGXCPU }, { "SIGXFSZ", SIGXFSZ },
  { "SIGVTALRM", SIGVTALRM }, { "SIGPROF", SIGPROF },
  { "SIGWINCH", SIGWINCH }, { "SIGIO", SIGIO }, { "SIGPWR", SIGPWR },
  { "SIGSYS", SIGSYS },
};

const char* sim_signal_name(int signum) {
  for (size_t i = 0; i < sizeof sig_names / sizeof *sig_names; i++)
    if (sig_names[i].value == signum) return sig_names[i].name;
  return NULL;
}

/* "SIGTERM", "TERM" or a number; -1 when unknown. Range is checked by the
 * caller (what sigaction accepts). */
static int signal_from_name(const char* s) {
  uint64_t v;
  if (sim_parse_u64(s, &v) == 0) return v <= 64 ? (int)v : -1;
  for (size_t i = 0; i < sizeof sig_names / sizeof *sig_names; i++)
    if (strcmp(sig_names[i].name, s) == 0 || strcmp(sig_names[i].name + 3, s) == 0)
      return sig_names[i].value;
  return -1;
}

/* Errors each operation can really return on Linux in a situation a program
 * cannot rule out (a full disk, a failing device, a peer that vanishes...).
 * Anything else is aggressive. */
static const struct { sim_fault_op op; int errs[12]; } sound[] = {
  { SIM_FOP_OPEN, { ENOENT, EACCES, EMFILE, ENFILE, ENOSPC, EIO, EROFS, EDQUOT,
                    ENOMEM, EPERM, EBUSY } },
  { SIM_FOP_CLOSE, { EIO, ENOSPC, EDQUOT } },
  { SIM_FOP_READ, { EIO, ENOMEM } },
  { SIM_FOP_WRITE, { EIO, ENOSPC, EDQUOT, EFBIG, ENOMEM } },
  { SIM_FOP_STAT, { ENOENT, EACCES, EIO, ENOMEM } },
  { SIM_FOP_MKDIR, { EACCES, ENOSPC, EIO, EROFS, EDQUOT, EMLINK, ENOENT } },
  { SIM_FOP_RMDIR, { EACCES, EBUSY, EIO, EPERM, EROFS, ENOENT } },
  { SIM_FOP_UNLINK, { EACCES, EBUSY, EIO, EPERM, EROFS, ENOENT } },
  { SIM_FOP_RENAME, { EACCES, EBUSY, EIO, EPERM, EROFS, ENOSPC, EXDEV, EDQUOT,
                      EMLINK, ENOENT } },
  { SIM_FOP_FSYNC, { EIO, ENOSPC, EDQUOT } },
  { SIM_FOP_FTRUNCATE, { EIO, EFBIG, EPERM } },
  { SIM_FOP_SCANDIR, { EACCES, EMFILE, ENFILE, ENOMEM, EIO, ENOENT } },
  { SIM_FOP_READDIR, { EIO, ENOMEM } },
  { SIM_FOP_COPYFILE, { ENOENT, EACCES, EMFILE, ENOSPC, EIO, EDQUOT, EFBIG } },
  { SIM_FOP_LINK, { EACCES, EIO, ENOSPC, EMLINK, EPERM, EROFS, EDQUOT } },
  { SIM_FOP_SYMLINK, { EACCES, EIO, ENOSPC, EROFS, EDQUOT } },
  { SIM_FOP_READLINK, { EACCES, EIO, ENOMEM } },
  { SIM_FOP_CHMOD, { EACCES, EIO, EPERM, EROFS } },
  { SIM_FOP_UTIME, { EACCES, EIO, EPERM, EROFS } },
  { SIM_FOP_ACCESS, { EACCES, EIO, EROFS } },
  { SIM_FOP_CONNECT, { ECONNREFUSED, ETIMEDOUT, ENETUNREACH, EHOSTUNREACH,
                       EADDRNOTAVAIL, ECONNRESET, EACCES, ENOBUFS } },
  { SIM_FOP_ACCEPT, { EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNABORTED, EPERM } },
  { SIM_FOP_RECV, { ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENOMEM } },
  { SIM_FOP_SEND, { ECONNRESET, EPIPE, ENOBUFS, ENOMEM, ETIMEDOUT,
                    EHOSTUNREACH } },
  { SIM_FOP_DNS, { EAI_AGAIN, EAI_FAIL, EAI_NONAME, EAI_NODATA, EAI_MEMORY } },
};

typedef struct rule {
  char spec[SIM_FAULT_SPEC_MAX];
  uint32_t ops;                 /* bit mask of sim_fault_op              */
  char path[SIM_FAULT_SPEC_MAX];
  int has_path;
  int fd;                       /* -1: any                               */
  uint64_t after, count;        /* count 0 = unlimited                   */
  uint32_t prob_n;              /* 0: countdown rule                     */
  sim_fault_hit hit;
  int aggressive;
  uint64_t seen;                /* matching calls so far                 */
  /* a `signal` rule (ops == 0): the process receives signum once, at a
   * virtual time, after a number of callbacks, or at a seeded callback */
  int signum;                   /* 0: an operation rule                   */
  uint64_t at_ns;               /* UINT64_MAX: no time trigger            */
  uint64_t after_cbs;           /* 0: no callback-count trigger           */
  int fired;
  /* an `external` rule (ops == 0, signum == 0): another process changes
   * the simulated filesystem once, at at_ns */
  int ext_op;                   /* EXT_*, 0: not one                      */
  char ext_path[SIM_FAULT_SPEC_MAX];
  char ext_to[SIM_FAULT_SPEC_MAX];
  char ext_data[SIM_FAULT_SPEC_MAX];
  size_t ext_len;
  sim_event ev;                 /* the at= trigger, in the world's queue  */
  struct sim_faults* owner;
} rule;

struct sim_faults {
  sim* world;
  rule rules[SIM_FAULT_RULES_MAX];
  size_t n;
  size_t nsignal;               /* signal rules among them                */
  uint64_t callbacks;           /* callbacks seen this run (tick)         */
  sim_fault_signal_fn on_signal;
  uint64_t external_seq;        /* external changes made so far this run  */
  int in_external;              /* one is being made (sim_fault_external) */
};

enum { EXT_WRITE = 1, EXT_APPEND, EXT_TOUCH, EXT_RENAME, EXT_UNLINK };
static const char* const ext_names[] = { "", "write", "append", "touch", "rename", "unlink" };
static void external_fire(rule* r);

sim_faults* sim_faults_new(void) {
  sim_faults* f = calloc(1, sizeof *f);
  if (f == NULL) abort();
  return f;
}

static sim* fworld(const sim_faults* f) { return f->world ? f->world : sim_current(); }

/* An at= trigger is an event of the world, so a loop with nothing else to
 * do still reaches it (the clock jumps there) and the hang oracle sees
 * that something will happen. sim_reset forgets queued events (marks them
 * unqueued), so cancelling here is safe after a reset. */
static void signal_unschedule(sim_faults* f, rule* r) {
  if ((r->signum || r->ext_op) && sim_event_queued(&r->ev))
    sim_event_cancel(fworld(f), &r->ev);
}

static void signal_fire(rule* r, const char* why) {
  sim_faults* f = r->owner;
  sim* w = fworld(f);
  r->fired = 1;
  sim_trace_note(w, sim_internf(w, "fault signal %s (%s): %s",
                                sim_signal_name(r->signum) ? sim_signal_name(r->signum) : "?",
                                why, r->spec));
  if (f->on_signal) f->on_signal(r->signum);
}

static void signal_event(sim* s, sim_event* ev) {
  (void)s;
  rule* r = (rule*)((char*)ev - offsetof(rule, ev));
  if (r->ext_op && !r->fired) external_fire(r);
  else if (!r->fired) signal_fire(r, "time");
}

static void signal_schedule(sim_faults* f, rule* r) {
  sim_event_init(&r->ev, signal_event, r->ext_op ? "fault external" : "fault signal");
  r->owner = f;
  if (r->at_ns == UINT64_MAX) return;
  sim* w = fworld(f);
  sim_event_schedule(w, &r->ev, r->at_ns > sim_now(w) ? r->at_ns : sim_now(w));
}

void sim_faults_free(sim_faults* f) { sim_faults_clear(f); free(f); }

void sim_faults_clear(sim_faults* f) {
  for (size_t i = 0; i < f->n; i++) signal_unschedule(f, &f->rules[i]);
  f->n = 0;
  f->nsignal = 0;
  f->callbacks = 0;
  f->external_seq = 0;
}

void sim_faults_rewind(sim_faults* f) {
  f->callbacks = 0;
  f->external_seq = 0;
  for (size_t i = 0; i < f->n; i++) {
    rule* r = &f->rules[i];
    r->seen = 0;
    if (!r->signum && !r->ext_op) continue;
    signal_unschedule(f, r);
    r->fired = 0;
    signal_schedule(f, r);
  }
}

void sim_faults_attach(sim_faults* f, sim* s) { f->world = s; }

void sim_faults_on_signal(sim_faults* f, sim_fault_signal_fn fn) { f->on_signal = fn; }

void sim_fault_signal_tick(sim_faults* f, int (*watched)(int signum), const char* after) {
  if (f->nsignal == 0) return;
  f->callbacks++;
  for (size_t i = 0; i < f->n; i++) {
    rule* r = &f->rules[i];
    if (!r->signum || r->fired) continue;
    if (r->after_cbs && f->callbacks >= r->after_cbs) {
      signal_fire(r, "callbacks");
    } else if (r->prob_n && (watched == NULL || watched(r->signum))) {
      sim* w = fworld(f);
      /* named by the callback it follows, so that a callback added to the
       * program elsewhere does not shift which one a replay sends it after */
      const char* label = sim_internf(w, "fault signal %s after %s",
                                      sim_signal_name(r->signum) ? sim_signal_name(r->signum) : "?",
                                      after ? after : "callback");
      if (sim_choose(w, SIM_FAULT, r->prob_n, label) == 1) signal_fire(r, "seeded");
    }
  }
}

sim_faults* sim_faults_current(void) {
  static sim_faults* current;
  if (current == NULL) current = sim_faults_new();
  return current;
}

size_t sim_fault_count(const sim_faults* f) { return f->n; }
const char* sim_fault_spec(const sim_faults* f, size_t i) {
  return i < f->n ? f->rules[i].spec : NULL;
}
int sim_fault_aggressive(const sim_faults* f, size_t i) {
  return i < f->n ? f->rules[i].aggressive : 0;
}

/* ---------------------------------------------------------------- parser */

typedef struct perr {
  char* buf;
  size_t len;
  const char* spec;
} perr;

static int fail(perr* e, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(perr* e, const char* fmt, ...) {
  if (e->buf && e->len) {
    int k = snprintf(e->buf, e->len, "fault '%s': ", e->spec);
    if (k >= 0 && (size_t)k < e->len) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(e->buf + k, e->len - (size_t)k, fmt, ap);
      va_end(ap);
    }
  }
  return -1;
}

static int parse_duration(const char* s, uint64_t* ns) {
  if (!isdigit((unsigned char)*s)) return -1;
  char* end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno) return -1;
  uint64_t mul;
  if (*end == '\0' || strcmp(end, "ns") == 0) mul = 1;
  else if (strcmp(end, "us") == 0) mul = 1000ull;
  else if (strcmp(end, "ms") == 0) mul = 1000000ull;
  else if (strcmp(end, "s") == 0) mul = 1000000000ull;
  else return -1;
  if (v > UINT64_MAX / mul) return -1;
  *ns = v * mul;
  return 0;
}

static int parse_ops(const char* s, uint32_t* mask) {
  if (strcmp(s, "fs") == 0) { *mask = OPS_FS; return 0; }
  if (strcmp(s, "net") == 0) { *mask = OPS_NET; return 0; }
  if (strcmp(s, "any") == 0) { *mask = OPS_ANY; return 0; }
  for (int i = 0; i < SIM_FOP_COUNT; i++)
    if (strcmp(op_names[i], s) == 0) { *mask = 1u << i; return 0; }
  return -1;
}

static int parse_err(const char* s, uint32_t ops, int* out, perr* e) {
  int dns_only = ops == (1u << SIM_FOP_DNS);
  if (strncmp(s, "EAI_", 4) == 0) {
    for (size_t i = 0; i < sizeof eai_names / sizeof *eai_names; i++)
      if (strcmp(eai_names[i].name, s) == 0) {
        if (!dns_only) return fail(e, "'%s' applies only to 'dns'", s);
        *out = eai_names[i].value;
        return 0;
      }
    return fail(e, "unknown resolver error '%s' (EAI_AGAIN, EAI_FAIL, "
                "EAI_NONAME, EAI_NODATA, EAI_MEMORY, EAI_SYSTEM)", s);
  }
  for (size_t i = 0; i < sizeof err_names / sizeof *err_names; i++)
    if (strcmp(err_names[i].name, s) == 0) {
      if (dns_only) return fail(e, "dns faults take an EAI_ name, not '%s'", s);
      *out = err_names[i].value;
      return 0;
    }
  return fail(e, "unknown error name '%s' (an errno name such as EIO, "
              "ENOSPC, ECONNRESET)", s);
}

static int err_is_sound(sim_fault_op op, int err) {
  for (size_t i = 0; i < sizeof sound / sizeof *sound; i++) {
    if (sound[i].op != op) continue;
    for (size_t k = 0; k < sizeof sound[i].errs / sizeof *sound[i].errs; k++)
      if (sound[i].errs[k] == err && err != 0) return 1;
  }
  return 0;
}

/* Aggressive: any op in the mask could get a fault no kernel would give. */
static int classify(const rule* r) {
  for (int op = 0; op < SIM_FOP_COUNT; op++) {
    if (!(r->ops & (1u << op))) continue;
    if (r->hit.err && !err_is_sound((sim_fault_op)op, r->hit.err)) return 1;
    /* Regular files are never read short except at end of file; no
     * network cuts a datagram. */
    if (r->hit.short_max && (op == SIM_FOP_READ || op == SIM_FOP_DGRAM)) return 1;
  }
  return 0;
}

/* `signal SIG (at=DURATION | after-callbacks=N | prob=1/N)`; the keys may
 * also be followed by their value as the next word (`at 250ms`), the form
 * issue 14 writes. */
static int parse_signal(char* save, rule* r, perr* e) {
  char* tok = strtok_r(NULL, " \t", &save);
  if (tok == NULL) return fail(e, "signal rules name a signal (SIGTERM, SIGINT, ...)");
  int sig = signal_from_name(tok);
  if (sig < 0) return fail(e, "unknown signal '%s' (SIGTERM, SIGINT, SIGHUP, SIGUSR1, a number...)", tok);
  if (sig == 0 || sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33)
    return fail(e, "signal '%s' cannot be caught by a program (no handler can see it)", tok);
  r->signum = sig;
  r->at_ns = UINT64_MAX;
  int triggers = 0;
  while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
    char* val;
    char* eq = strchr(tok, '=');
    if (eq) {
      *eq = '\0';
      val = eq + 1;
    } else {
      val = strtok_r(NULL, " \t", &save);
      if (val == NULL) return fail(e, "'%s' needs a value", tok);
    }
    uint64_t v;
    if (strcmp(tok, "at") == 0) {
      if (parse_duration(val, &r->at_ns) < 0 || r->at_ns == UINT64_MAX)
        return fail(e, "at '%s' must be a duration like 500us, 250ms, 2s", val);
    } else if (strcmp(tok, "after-callbacks") == 0) {
      if (sim_parse_u64(val, &v) < 0 || v == 0)
        return fail(e, "after-callbacks '%s' must be a positive integer", val);
      r->after_cbs = v;
    } else if (strcmp(tok, "prob") == 0) {
      if (strncmp(val, "1/", 2) != 0 || sim_parse_u64(val + 2, &v) < 0 || v < 2 ||
          v > 1000000)
        return fail(e, "prob '%s' must be 1/N with 2 <= N <= 1000000", val);
      r->prob_n = (uint32_t)v;
    } else {
      return fail(e, "unknown key '%s' for a signal (at after-callbacks prob)", tok);
    }
    triggers++;
  }
  if (triggers != 1)
    return fail(e, "a signal rule takes exactly one of at=, after-callbacks=, prob=");
  r->count = 1;
  return 0;
}

/* `data=`: the bytes an external write or append puts in the file; no
 * blanks in a spec, so \s is a space, \n a newline, \t a tab, \\ a
 * backslash. */
static int parse_data(const char* val, rule* r, perr* e) {
  size_t n = 0;
  for (const char* p = val; *p; p++) {
    char c = *p;
    if (c == '\\') {
      p++;
      if (*p == 's') c = ' ';
      else if (*p == 'n') c = '\n';
      else if (*p == 't') c = '\t';
      else if (*p == '\\') c = '\\';
      else return fail(e, "data: unknown escape '\\%c' (\\s \\n \\t \\\\)", *p ? *p : ' ');
    }
    r->ext_data[n++] = c;
  }
  r->ext_len = n;
  return 0;
}

/* `external OP PATH [TO] at=DURATION [data=TEXT]`: another process changes
 * a file of the simulated filesystem once, at a virtual time (file
 * watchers' external writer). OP: write (replace the contents, creating
 * the file), append, touch (times to now, creating the file), rename
 * (PATH to TO, replacing it), unlink. */
static int parse_external(char* save, rule* r, perr* e) {
  char* tok = strtok_r(NULL, " \t", &save);
  if (tok == NULL) return fail(e, "external rules name a change (write append touch rename unlink)");
  for (int i = EXT_WRITE; i <= EXT_UNLINK; i++)
    if (strcmp(tok, ext_names[i]) == 0) r->ext_op = i;
  if (r->ext_op == 0)
    return fail(e, "unknown external change '%s' (write append touch rename unlink)", tok);
  tok = strtok_r(NULL, " \t", &save);
  if (tok == NULL || strchr(tok, '=') != NULL || tok[0] != '/')
    return fail(e, "external %s needs an absolute path", ext_names[r->ext_op]);
  snprintf(r->ext_path, sizeof r->ext_path, "%s", tok);
  if (r->ext_op == EXT_RENAME) {
    tok = strtok_r(NULL, " \t", &save);
    if (tok == NULL || strchr(tok, '=') != NULL || tok[0] != '/')
      return fail(e, "external rename needs an absolute path to rename to");
    snprintf(r->ext_to, sizeof r->ext_to, "%s", tok);
  }
  r->at_ns = UINT64_MAX;
  int have_data = 0;
  while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
    char* eq = strchr(tok, '=');
    if (eq == NULL || eq == tok) return fail(e, "'%s' is not key=value", tok);
    *eq = '\0';
    const char* val = eq + 1;
    if (strcmp(tok, "at") == 0) {
      if (parse_duration(val, &r->at_ns) < 0 || r->at_ns == UINT64_MAX)
        return fail(e, "at '%s' must be a duration like 500us, 250ms, 2s", val);
    } else if (strcmp(tok, "data") == 0) {
      if (r->ext_op != EXT_WRITE && r->ext_op != EXT_APPEND)
        return fail(e, "data= applies only to external write and append");
      if (parse_data(val, r, e) < 0) return -1;
      have_data = 1;
    } else {
      return fail(e, "unknown key '%s' for an external change (at data)", tok);
    }
  }
  if (r->at_ns == UINT64_MAX) return fail(e, "an external change needs at=DURATION");
  if ((r->ext_op == EXT_WRITE || r->ext_op == EXT_APPEND) && !have_data)
    return fail(e, "external %s needs data=TEXT", ext_names[r->ext_op]);
  r->count = 1;
  return 0;
}

static int parse(const char* spec, rule* r, perr* e) {
  memset(r, 0, sizeof *r);
  r->fd = -1;
  r->count = 1;
  e->spec = spec;
  size_t len = strlen(spec);
  if (len == 0) return fail(e, "empty spec");
  if (len >= SIM_FAULT_SPEC_MAX)
    return fail(e, "longer than %d characters", SIM_FAULT_SPEC_MAX - 1);
  memcpy(r->spec, spec, len + 1);
  char buf[SIM_FAULT_SPEC_MAX];
  memcpy(buf, spec, len + 1);
  char* save;
  char* tok = strtok_r(buf, " \t", &save);
  if (tok == NULL) return fail(e, "empty spec");
  if (strcmp(tok, "signal") == 0) return parse_signal(save, r, e);
  if (strcmp(tok, "external") == 0) return parse_external(save, r, e);
  if (parse_ops(tok, &r->ops) < 0) {
    /* The list comes from op_names, so a new operation is listed at once. */
    char ops[SIM_FOP_COUNT * 12];
    size_t n = 0;
    ops[0] = '\0';
    for (int i = 0; i < SIM_FOP_COUNT && n < sizeof ops; i++)
      n += (size_t)snprintf(ops + n, sizeof ops - n, "%s%s", i ? " " : "",
                            op_names[i]);
    return fail(e, "unknown operation '%s' (one of %s, or fs net any, or signal, external)", tok, ops);
  }
  int have_nth = 0, have_after = 0, have_count = 0, have_err = 0;
  const char* err_text = NULL;
  int is_dgram = r->ops == (1u << SIM_FOP_DGRAM);
  while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
    if (is_dgram && strcmp(tok, "loss") == 0) {
      r->hit.drop = 1;
      continue;
    }
    if (is_dgram && strcmp(tok, "dup") == 0) {
      r->hit.dup = 1;
      continue;
    }
    char* eq = strchr(tok, '=');
    if (eq == NULL || eq == tok || eq[1] == '\0')
      return fail(e, "'%s' is not key=value", tok);
    *eq = '\0';
    const char* key = tok;
    const char* val = eq + 1;
    uint64_t v;
    if (strcmp(key, "path") == 0) {
      snprintf(r->path, sizeof r->path, "%s", val);
      r->has_path = 1;
    } else if (strcmp(key, "fd") == 0) {
      if (sim_parse_u64(val, &v) < 0 || v > 0x7fffffff)
        return fail(e, "fd '%s' is not a descriptor number", val);
      r->fd = (int)v;
    } else if (strcmp(key, "nth") == 0) {
      if (sim_parse_u64(val, &v) < 0 || v == 0)
        return fail(e, "nth '%s' must be a positive integer", val);
      r->after = v - 1;
      r->count = 1;
      have_nth = 1;
    } else if (strcmp(key, "after") == 0) {
      if (sim_parse_u64(val, &v) < 0)
        return fail(e, "after '%s' must be a non-negative integer", val);
      r->after = v;
      have_after = 1;
    } else if (strcmp(key, "count") == 0) {
      if (strcmp(val, "inf") == 0) v = 0;
      else if (sim_parse_u64(val, &v) < 0 || v == 0)
        return fail(e, "count '%s' must be a positive integer or 'inf'", val);
      r->count = v;
      have_count = 1;
    } else if (strcmp(key, "prob") == 0) {
      if (strncmp(val, "1/", 2) != 0 || sim_parse_u64(val + 2, &v) < 0 || v < 2 ||
          v > 1000000)
        return fail(e, "prob '%s' must be 1/N with 2 <= N <= 1000000", val);
      r->prob_n = (uint32_t)v;
    } else if (strcmp(key, "err") == 0) {
      err_text = val;
      have_err = 1;
      if (parse_err(val, r->ops, &r->hit.err, e) < 0) return -1;
    } else if (strcmp(key, "short") == 0) {
      if (sim_parse_u64(val, &v) < 0 || v == 0)
        return fail(e, "short '%s' must be a positive byte count", val);
      if (r->ops & ~OPS_XFER)
        return fail(e, "short= applies only to read, write, recv, send and dgram");
      r->hit.short_max = (size_t)v;
    } else if (strcmp(key, "delay") == 0) {
      if (parse_duration(val, &r->hit.delay_ns) < 0)
        return fail(e, "delay '%s' must be a duration like 500us, 20ms, 2s",
                    val);
      /* Socket latency is the net_latency decision's business. */
      if (r->ops & OPS_NET)
        return fail(e, "delay= applies to file and dns operations (sockets "
                    "get latency from net_latency decisions)");
    } else {
      return fail(e, "unknown key '%s' (path fd nth after count prob err "
                  "short delay)", key);
    }
  }
  (void)err_text;
  if (have_nth && (have_after || have_count))
    return fail(e, "nth= cannot be combined with after= or count=");
  if (r->prob_n && (have_nth || have_after || have_count))
    return fail(e, "prob= cannot be combined with nth=, after= or count=");
  if (is_dgram) {
    if (have_err || r->hit.delay_ns)
      return fail(e, "a datagram's effects are loss, dup or short= (its latency is a "
                  "dgram_latency decision)");
    if (r->hit.drop + r->hit.dup + (r->hit.short_max != 0) != 1)
      return fail(e, "give exactly one of loss, dup, short=");
  } else if (!have_err && !r->hit.short_max && !r->hit.delay_ns)
    return fail(e, "no effect: give err=, short= or delay=");
  if (have_err && r->hit.short_max)
    return fail(e, "err= and short= exclude each other");
  if (r->prob_n) r->count = 0;  /* every matching call asks the stream */
  r->aggressive = classify(r);
  return 0;
}

int sim_fault_parse_check(const char* spec, int* is_aggressive, char* err,
                          size_t errlen) {
  rule r;
  perr e = { err, errlen, spec };
  if (parse(spec, &r, &e) < 0) return -1;
  if (is_aggressive) *is_aggressive = r.aggressive;
  return 0;
}

int sim_fault_add(sim_faults* f, const char* spec, int aggressive, char* err,
                  size_t errlen) {
  perr e = { err, errlen, spec };
  if (f->n == SIM_FAULT_RULES_MAX)
    return fail(&e, "too many fault rules (at most %d)", SIM_FAULT_RULES_MAX);
  rule r;
  if (parse(spec, &r, &e) < 0) return -1;
  if (r.aggressive && !aggressive)
    return fail(&e, "no real kernel fails this way; it needs aggressive mode");
  f->rules[f->n] = r;
  if (r.signum) {
    f->nsignal++;
    signal_schedule(f, &f->rules[f->n]);
  }
  if (r.ext_op) signal_schedule(f, &f->rules[f->n]);
  f->n++;
  return 0;
}

/* --------------------------------------------------------------- matching */

static int matches(const rule* r, sim_fault_op op, const char* target, int fd) {
  if (!(r->ops & (1u << op))) return 0;
  if (r->fd >= 0 && r->fd != fd) return 0;
  if (r->has_path && (target == NULL || fnmatch(r->path, target, 0) != 0))
    return 0;
  return 1;
}

static void note_hit(sim* w, const rule* r, sim_fault_op op, const char* target) {
  sim_trace_note(w, sim_internf(w, "fault %s %s: %s", op_names[op],
                                target ? target : "-", r->spec));
}

int sim_fault_check(sim_faults* f, sim_fault_op op, const char* target, int fd,
                    sim_fault_hit* hit) {
  if (f->n == 0) return 0;
  sim* w = f->world ? f->world : sim_current();
  int taken = 0;
  for (size_t i = 0; i < f->n; i++) {
    rule* r = &f->rules[i];
    if (!matches(r, op, target, fd)) continue;
    r->seen++;
    if (taken) continue;
    int fire;
    if (r->prob_n) {
      const char* label = sim_internf(w, "fault %s %s", op_names[op],
                                      target ? target : "-");
      fire = sim_choose(w, SIM_FAULT, r->prob_n, label) == 1;
    } else {
      fire = r->seen > r->after &&
             (r->count == 0 || r->seen <= r->after + r->count);
      if (fire) note_hit(w, r, op, target);
    }
    if (fire) {
      *hit = r->hit;
      taken = 1;
    }
  }
  return taken;
}

/* ------------------------------------------------------------ external */

int sim_fault_external(const sim_faults* f, uint64_t* seq) {
  if (seq) *seq = f->external_seq;
  return f->in_external;
}

/* Another process's change, made with the simulated filesystem's own
 * calls (so watchers hear exactly what the program's own calls would
 * make them hear), all at one instant. A change that fails (a rename of a
 * file that is not there) changes nothing and says why in the trace. */
static void external_fire(rule* r) {
  sim_faults* f = r->owner;
  sim* w = fworld(f);
  sim_fs* fs = sim_fs_current();
  r->fired = 1;
  f->external_seq++;
  f->in_external = 1;
  int res = 0;
  switch (r->ext_op) {
  case EXT_WRITE:
  case EXT_APPEND: {
    int fl = O_WRONLY | O_CREAT | (r->ext_op == EXT_WRITE ? O_TRUNC : O_APPEND);
    int fd = sim_fs_open(fs, r->ext_path, fl, 0644);
    res = fd;
    if (fd >= 0) {
      ssize_t n = r->ext_len ? sim_fs_write(fs, fd, r->ext_data, r->ext_len, -1) : 0;
      res = n < 0 ? (int)n : 0;
      sim_fs_close(fs, fd);
    }
    break;
  }
  case EXT_TOUCH: {
    int fd = sim_fs_open(fs, r->ext_path, O_WRONLY | O_CREAT, 0644);
    res = fd;
    if (fd >= 0) {
      int64_t t = (int64_t)(SIM_FS_EPOCH_NS + sim_now(w));
      res = sim_fs_futime(fs, fd, t, t);
      sim_fs_close(fs, fd);
    }
    break;
  }
  case EXT_RENAME: res = sim_fs_rename(fs, r->ext_path, r->ext_to); break;
  case EXT_UNLINK: res = sim_fs_unlink(fs, r->ext_path); break;
  }
  f->in_external = 0;
  if (res < 0)
    sim_trace_note(w, sim_internf(w, "fault external %s %s: failed (errno %d): %s",
                                  ext_names[r->ext_op], r->ext_path, -res, r->spec));
  else
    sim_trace_note(w, sim_internf(w, "fault external %s %s: %s",
                                  ext_names[r->ext_op], r->ext_path, r->spec));
}
