/* fuzz/libfuzzer.c — a libFuzzer target: the input bytes are the decision
 * tape (SIM_SRC_TAPE: one byte per decision, wider for n > 256, 0 past the
 * end), so coverage-guided mutation explores schedules. fuzz/afl.c drives
 * the same entry point for AFL++; fuzz/build.sh builds both.
 *
 * The scenario: a per-scenario target has it compiled in
 * (-DUVSIM_FUZZ_SCENARIO="name/buggy"); UVSIM_SCENARIO naming another one is
 * refused (exit 2), never obeyed silently. The generic uvsim_libfuzzer reads
 * UVSIM_SCENARIO (default lost_update/buggy).
 *
 * Feedback: besides code coverage, the ordering coverage map
 * (sim/sim_ordcov.h: callback-label pairs, decisions and their choices) is
 * libFuzzer's extra counters, so a tape that reaches a new ordering is kept
 * even when it runs no new code. UVSIM_ORDCOV=0 turns it off.
 *
 * Defaults a user would otherwise have to know: unless given on the command
 * line, -len_control=0 (libFuzzer starts with 4-byte inputs and grows them
 * slowly; a tail bug needs a byte at decision 9 or 90) and -max_len = four
 * times the decisions of the natural schedule (bytes past the last decision are
 * never read). UVSIM_FUZZ_OPTIONS=1 prints these as a .options file.
 *
 * A failing schedule prints "uvsim-finding: <signature>" and the equivalent
 * reproducer, writes it as crash-<sha1 of the input>.uvsim — the name of the
 * artifact libFuzzer saves for it, plus .uvsim — into $UVSIM_FINDING_DIR, or
 * else next to the artifact (-artifact_prefix), then abort()s so the fuzzer
 * records the crash. A signature listed in the file $UVSIM_SKIP (one per
 * line, as printed after "uvsim-finding: "; '#' comments; a trailing '*'
 * matches any rest) is a known bug: it is counted, named once on stderr,
 * and fuzzing goes on. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "sim/sim_ordcov.h"

#ifdef UVSIM_FUZZ_SCENARIO
#define COMPILED_IN 1
#else
#define COMPILED_IN 0
#define UVSIM_FUZZ_SCENARIO "lost_update/buggy"
#endif

int LLVMFuzzerInitialize(int* argc, char*** argv);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
/* For fuzz/afl.c: the finding file's name when the driver knows better
 * (a crash file replayed from argv: <file>.uvsim). */
void fz_target_finding_name(const char* path);

static const uvsim_scenario* target;
static char target_name[160];

/* libFuzzer's extra counters: a section it scans and clears around every
 * input, like its own inline 8-bit counters. Linux only, as libFuzzer. */
__attribute__((section("__libfuzzer_extra_counters"), used))
static uint8_t ordcov_counters[SIM_ORDCOV_SIZE];

static char artifact_prefix[512] = "./";
static const char* finding_name_override;   /* fuzz/afl.c, replay of a file */
/* Inputs run by this process: a finding says at which one (bench/hard reads
 * it as the schedules to the first bug). */
static unsigned long long inputs;

/* ------------------------------------------------------------- sha1 */

/* SHA-1 of the input, as libFuzzer names its artifacts (crash-<sha1>). */
static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const uint8_t* p) {
  uint32_t w[80];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f, k;
    if (i < 20)      f = (b & c) | (~b & d), k = 0x5a827999;
    else if (i < 40) f = b ^ c ^ d, k = 0x6ed9eba1;
    else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
    else             f = b ^ c ^ d, k = 0xca62c1d6;
    uint32_t t = rol(a, 5) + f + e + k + w[i];
    e = d, d = c, c = rol(b, 30), b = a, a = t;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

static void sha1_hex(const uint8_t* data, size_t len, char out[41]) {
  uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
  size_t i = 0;
  for (; i + 64 <= len; i += 64) sha1_block(h, data + i);
  uint8_t tail[128] = { 0 };
  size_t rest = len - i;
  memcpy(tail, data + i, rest);
  tail[rest] = 0x80;
  size_t tlen = rest + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (int j = 0; j < 8; j++) tail[tlen - 1 - j] = (uint8_t)(bits >> (8 * j));
  sha1_block(h, tail);
  if (tlen == 128) sha1_block(h, tail + 64);
  for (int j = 0; j < 5; j++) snprintf(out + 8 * j, 9, "%08x", h[j]);
}

/* ------------------------------------------------------- skip list */

#define SKIP_MAX 64
static char* skip[SKIP_MAX];
static size_t nskip;
static uint32_t skip_hits[SKIP_MAX];

static void load_skip_list(void) {
  const char* path = getenv("UVSIM_SKIP");
  if (!path || !*path) return;
  FILE* f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "uvsim: cannot read the skip list '%s' (UVSIM_SKIP)\n", path);
    exit(2);
  }
  char line[SIM_REPRO_LINE_MAX];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    if (nskip == SKIP_MAX) {
      fprintf(stderr, "uvsim: %s: more than %d signatures\n", path, SKIP_MAX);
      exit(2);
    }
    skip[nskip] = strdup(line);
    if (!skip[nskip]) abort();
    nskip++;
  }
  fclose(f);
  fprintf(stderr, "uvsim: skipping %zu known signature(s) from %s\n", nskip, path);
}

/* The index of the skip entry the signature matches, or -1. */
static int skipped(const char* sig) {
  for (size_t i = 0; i < nskip; i++) {
    size_t len = strlen(skip[i]);
    if (len && skip[i][len - 1] == '*') {
      if (strncmp(sig, skip[i], len - 1) == 0) return (int)i;
    } else if (strcmp(sig, skip[i]) == 0) {
      return (int)i;
    }
  }
  return -1;
}

/* ------------------------------------------------------ initialise */

static const char* flag_value(int argc, char** argv, const char* flag) {
  size_t len = strlen(flag);
  for (int i = 1; i < argc; i++)
    if (strncmp(argv[i], flag, len) == 0 && argv[i][len] == '=') return argv[i] + len + 1;
  return NULL;
}

/* The natural schedule (every answer 0): how many decisions it takes sizes
 * -max_len. Running it here also does once, before the first measured
 * input, whatever a first run does only once (lazy tables, the default
 * world), so that code coverage is the same for every input after it:
 * AFL++ counts edges that differ between runs of one input as unstable. */
/* A world begun and left empty. A world's begin clears what the run before
 * left behind (loops never closed, events still queued), so the code it
 * takes depends on that run; beginning one right after each run, here, makes
 * the next input's begin always start from this same empty world, and the
 * cleanup a function of the input that left the mess (persistent-mode
 * stability: AFL++ runs an input several times in a row). */
static void settle(void) {
  sim_config cfg = { .source = SIM_SRC_TAPE, .tape = NULL, .tape_len = 0 };
  fz_world_begin(&cfg);
  fz_world_end();
}

static size_t natural_decisions(void) {
  sim_config cfg = { .source = SIM_SRC_TAPE, .tape = NULL, .tape_len = 0 };
  if (target->flags & UVSIM_SCN_AGGRESSIVE) cfg.aggressive = 1;
  sim* s = fz_world_begin(&cfg);
  target->run();
  size_t k = s->log_len;
  fz_world_end();
  settle();
  return k;
}

/* Room for a schedule that deviates: delays and reorderings add decisions
 * (a late reply is retried), so four times the natural count, at least 32. */
static size_t default_max_len(size_t k) {
  size_t len = 4 * k;
  if (len < 32) len = 32;
  if (len > 65536) len = 65536;
  return len;
}

/* Whether argv names an input file to run (not a corpus directory):
 * libFuzzer then cuts the file to -max_len, which must not be ours. */
static int runs_files(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (argv[i][0] != '-' && stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) return 1;
  }
  return 0;
}

/* Adds the flags libFuzzer parses after this returns (it reads argv only
 * then), each only when the user did not give it. */
static void add_default_flags(int* argc, char*** argv, size_t max_len) {
  static char* args[256];
  static char max_len_flag[32];
  int given = *argc, n = *argc;
  if (n + 3 > (int)(sizeof args / sizeof args[0])) return;
  memcpy(args, *argv, (size_t)n * sizeof *args);
  if (!flag_value(given, *argv, "-len_control")) args[n++] = "-len_control=0";
  if (!flag_value(given, *argv, "-max_len") && !runs_files(given, *argv)) {
    snprintf(max_len_flag, sizeof max_len_flag, "-max_len=%zu", max_len);
    args[n++] = max_len_flag;
  }
  args[n] = NULL;
  *argc = n;
  *argv = args;
}

int LLVMFuzzerInitialize(int* argc, char*** argv) {
  const char* env = getenv("UVSIM_SCENARIO");
  const char* name = UVSIM_FUZZ_SCENARIO;
  if (env && *env) {
    if (COMPILED_IN && strcmp(env, UVSIM_FUZZ_SCENARIO) != 0) {
      fprintf(stderr,
              "uvsim: this target fuzzes %s (compiled in); UVSIM_SCENARIO=%s "
              "names another: unset it, or use uvsim_libfuzzer\n",
              UVSIM_FUZZ_SCENARIO, env);
      exit(2);
    }
    name = env;
  }
  target = uvsim_scenario_find(name);
  if (!target) {
    fprintf(stderr, "uvsim: unknown scenario '%s' (%s)\n", name,
            env && *env ? "UVSIM_SCENARIO" : "compiled in");
    exit(2);
  }
  snprintf(target_name, sizeof target_name, "%s/%s", target->name, target->variant);
  fz_scenario_prepare(target);
  load_skip_list();

  const char* oc = getenv("UVSIM_ORDCOV");
  if (!(oc && strcmp(oc, "0") == 0)) sim_ordcov_attach(ordcov_counters, sizeof ordcov_counters);

  size_t k = natural_decisions();
  if (getenv("UVSIM_FUZZ_OPTIONS")) {
    printf("[libfuzzer]\nlen_control = 0\nmax_len = %zu\n", default_max_len(k));
    exit(0);
  }
  if (argc && argv && *argv) {
    const char* prefix = flag_value(*argc, *argv, "-artifact_prefix");
    if (prefix) snprintf(artifact_prefix, sizeof artifact_prefix, "%s", prefix);
    add_default_flags(argc, argv, default_max_len(k));
  }
  return 0;
}

void fz_target_finding_name(const char* path) { finding_name_override = path; }

/* ---------------------------------------------------------- a run */

/* Where the finding of input `data` goes: $UVSIM_FINDING_DIR/crash-<sha1>
 * .uvsim, else <artifact_prefix>crash-<sha1>.uvsim, or the driver's name. */
static void finding_path(const uint8_t* data, size_t size, char* path, size_t len) {
  if (finding_name_override) {
    snprintf(path, len, "%s", finding_name_override);
    return;
  }
  char sha[41];
  sha1_hex(data, size, sha);
  const char* dir = getenv("UVSIM_FINDING_DIR");
  if (dir && *dir)
    snprintf(path, len, "%s/crash-%s.uvsim", dir, sha);
  else
    snprintf(path, len, "%scrash-%s.uvsim", artifact_prefix, sha);
}

static void report(const sim* s, const char* signature, const fz_outcome* out,
                   const uint8_t* data, size_t size) {
  sim_repro r;
  sim_repro_init(&r);
  sim_repro_take_log(&r, s);
  snprintf(r.scenario, sizeof r.scenario, "%s", target_name);
  snprintf(r.strategy, sizeof r.strategy, "tape");
  snprintf(r.signature, sizeof r.signature, "%s", signature);
  r.has_hash = 1;
  r.hash = out->hash;
  fz_get_maps(&r);
  fprintf(stderr, "uvsim-finding: %s\n  %s\n  at input %llu of this process\n",
          r.signature, out->message, inputs);
  sim_repro_fprint(&r, stderr);
  char path[1024], err[256];
  finding_path(data, size, path, sizeof path);
  if (sim_repro_write(&r, path, err, sizeof err) == 0)
    fprintf(stderr, "uvsim-finding written: %s\nreplay: uvsim replay %s\n", path, path);
  else
    fprintf(stderr, "uvsim: the finding was not written: %s\n", err);
  sim_repro_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!target) LLVMFuzzerInitialize(NULL, NULL);
  sim_config cfg = { .source = SIM_SRC_TAPE, .tape = data, .tape_len = size };
  if (target->flags & UVSIM_SCN_AGGRESSIVE) cfg.aggressive = 1;
  inputs++;
  sim_ordcov_reset();
  sim* s = fz_world_begin(&cfg);
  target->run();
  if (sim_failed(s) || s->budget_exceeded) {
    fz_outcome out;
    fz_outcome_from_sim(&out, s);
    char sig[256];
    fz_signature(&out, sig, sizeof sig);
    int k = skipped(sig);
    if (k < 0) {
      report(s, sig, &out, data, size);
      abort();
    }
    if (skip_hits[k]++ == 0)
      fprintf(stderr, "uvsim-known: %s (in UVSIM_SKIP; fuzzing goes on)\n", sig);
  }
  fz_world_end();
  settle();
  return 0;
}
