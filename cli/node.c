/* cli/node.c — `uvsim node`: an unchanged Node program on the virtual
 * loop, with V8's own promises and Node's own nextTick queue and timers.
 *
 * Debian's node 18 loads libuv.so.1 dynamically, so preloading libuvsim.so
 * puts every uv_* call of node's main thread on the simulated world (loops
 * of node's other threads run on the real libuv: loop/entry/foreign.c).
 * Each run is one process (exec.c); what node reads from the filesystem
 * through libuv (its externalised builtins, the script, node_modules) comes
 * from host directories mapped read-only into the simulated filesystem, and
 * V8's randomness is seeded from the run's seed (--random-seed, handed to
 * V8 by libuvsim-det.so: cli_node_argv).
 *
 * A failure is a non-zero exit (an uncaught exception or unhandled
 * rejection exits 1), a crash, a hang, a timeout, or other output under
 * --same-output. Each new signature (the error's first line and its top
 * JS frame) is run again to show it replays, written as a reproducer that
 * names the script and its SHA-256, minimised (decisions set back to the
 * natural order while the signature stays), and explained by the
 * decisions that could not be set back. */
#include "cli/node.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/ci.h"
#include "cli/cli.h"
#include "cli/exec_repro.h"
#include "fuzz/fuzz.h"
#include "reports/report.h"
#include "cli/sha256.h"
#include "sim/sim.h"
#include "sim/sim_util.h"

#define NODE_ARGV_MAX 256
#define NODE_DEFAULT_PREFIX "/opt/uvsim/node18/usr/bin/node"

static const char* usage_node =
  "usage: uvsim node [options] [--] [node flags] SCRIPT.js [ARGS...]\n"
  "       uvsim node [options] -e CODE\n"
  "\n"
  "Runs a Node program unchanged on uvsim's virtual loop: Debian's node 18\n"
  "with libuvsim.so preloaded, so V8's own promises and Node's own nextTick\n"
  "queue and timers run on the simulated clock, files, sockets and DNS.\n"
  "Without --runs it runs once, in the natural order (or --seed's schedule),\n"
  "and prints what the program prints.\n"
  "\n"
  "options:\n"
  "  --runs N        explore: the natural order, then N seeded schedules\n"
  "  --time S        explore for at most S wall seconds\n"
  "  --seed S        one seeded schedule; with --runs, the campaign seed\n"
  "  --jobs J        runs at once (default 1); the report is the same for any J\n"
  "  --strategy random|pct|nodefz|dfs\n"
  "                  with --runs/--time: how the seeded runs' schedules are\n"
  "                  drawn (default: each decision uniform from the seed);\n"
  "                  as `uvsim run --strategy`, run in each node process\n"
  "                  (UVSIM_STRATEGY); dfs runs one schedule at a time\n"
  "  --slow, --bias-max B, --pct-depth D, --pct-k K, --nodefz-pool DOF,PCT,\n"
  "  --nodefz-io DOF,PCT, --nodefz-timer PCT, --nodefz-other PCT,\n"
  "  --dfs-depth N, --dfs-branch N (at most 256), --dfs-nonzero N\n"
  "                  the strategy's settings, as `uvsim run`'s (pct's k:\n"
  "                  the natural run's decision count unless given)\n"
  "  --timeout S     wall seconds a run may take (default 20)\n"
  "  --same-output   a run whose stdout differs from the natural order's fails\n"
  "  --stop-at-first start no run after the first failing one (and count none\n"
  "                  after it: the same for any --jobs); with --fuzz too\n"
  "  --check-determinism\n"
  "                  run one schedule twice; fail, naming the first divergent\n"
  "                  decision, when output or trace differ\n"
  "  --fuzz          coverage-guided instead of seeded, as `uvsim exec --fuzz`:\n"
  "                  --runs tapes (default 200; byte strings of answers,\n"
  "                  UVSIM_TAPE) mutated from those that reached new ordering\n"
  "                  coverage; one run at a time; the same --seed gives the same tapes\n"
  "                  and findings\n"
  "  --no-fork-server\n"
  "                  start node for every run (default: start it once and\n"
  "                  fork each run at its first uv_run, where node waits\n"
  "                  with nothing yet decided; same runs, faster)\n"
  "  --runs-log FILE one line per run: seed, outcome, trace hash, output\n"
  "                  hashes (as `uvsim exec --runs-log`)\n"
  "  --map SIM=HOST[,ro|,snapshot]\n"
  "                  map a host directory (repeatable). The script's project\n"
  "                  (the nearest directory above it with package.json or\n"
  "                  node_modules, else its own) and /usr/share/nodejs are\n"
  "                  mapped read-only; the rest of the filesystem, /tmp\n"
  "                  included, is simulated and starts empty\n"
  "  --corpus DIR    where reproducers go (default corpus)\n"
  "  --out DIR       campaigns write DIR/node-NAME/report.{json,html}\n"
  "                  (default reports/out); with --fuzz, where each\n"
  "                  signature's tape is kept (default reports/out/node-fuzz)\n"
  "  --no-report     no report\n"
  "  --no-minimize   write each reproducer as found\n"
  "  --node PATH     the node to run (default: $UVSIM_NODE, then\n"
  "                  " NODE_DEFAULT_PREFIX " from scripts/node18,\n"
  "                  then node on PATH); it must load libuv.so.1\n"
  "  --lib PATH      libuvsim.so to preload\n"
  "  --quiet         no progress line\n"
  "  --junit FILE    with --runs/--time: also write JUnit XML, one test case\n"
  "                  for the script, a failure per signature (its reproducer)\n"
  "  --json          with --runs/--time: a JSON summary on stdout (the usual\n"
  "                  output goes to stderr)\n"
  "\n"
  "A failure: a non-zero exit (uncaught exception, unhandled rejection), a\n"
  "crash, a timeout, or other output under --same-output. Each is printed\n"
  "once per signature with its reproducer; `uvsim replay FILE` replays it.\n"
  "exit status: 0 no failure, 1 a failure, 2 bad usage.\n";

const char* cli_node_usage(void) { return usage_node; }

/* ------------------------------------------------------- the node binary */

/* Runs argv with extra environment and returns its stdout (malloc'd). */
static char* capture(char* const argv[], const char* lib_path, int trace_libs) {
  int fds[2];
  if (pipe(fds) < 0) return NULL;
  pid_t pid = fork();
  if (pid < 0) return NULL;
  if (pid == 0) {
    dup2(fds[1], 1);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 2);
    close(fds[0]);
    if (lib_path[0]) setenv("LD_LIBRARY_PATH", lib_path, 1);
    if (trace_libs) setenv("LD_TRACE_LOADED_OBJECTS", "1", 1);
    unsetenv("LD_PRELOAD");
    execv(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  size_t cap = 8192, len = 0;
  char* out = malloc(cap);
  ssize_t n;
  while (out && (n = read(fds[0], out + len, cap - len - 1)) > 0) {
    len += (size_t)n;
    if (len + 1 == cap) {
      char* grown = realloc(out, cap *= 2);
      if (!grown) free(out);
      out = grown;
    }
  }
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  if (out) out[len] = '\0';
  return out;
}

/* Debian's layout: PREFIX/usr/bin/node beside PREFIX/usr/lib/<triplet>. */
static void lib_path_of(const char* node, char* out, size_t outlen) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", node);
  char* slash = strrchr(dir, '/');
  out[0] = '\0';
  if (outlen < PATH_MAX) return;    /* realpath writes up to PATH_MAX */
  if (!slash) return;
  *slash = '\0';
  char probe[4200];
  snprintf(probe, sizeof probe, "%s/../lib/x86_64-linux-gnu/libnode.so.108", dir);
  if (access(probe, R_OK) == 0) {
    snprintf(probe, sizeof probe, "%s/../lib/x86_64-linux-gnu", dir);
    if (!realpath(probe, out)) out[0] = '\0';
  }
}

static int loads_libuv(const char* node, const char* lib_path) {
  char* argv[] = { (char*)node, NULL };
  char* out = capture(argv, lib_path, 1);
  int yes = out && strstr(out, "libuv.so.1 ") != NULL;
  free(out);
  return yes;
}

static int on_path(const char* name, char* out, size_t outlen) {
  const char* path = getenv("PATH");
  if (!path) return 0;
  char* copy = strdup(path);
  char* save = NULL;
  int found = 0;
  for (char* d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
    snprintf(out, outlen, "%s/%s", *d ? d : ".", name);
    found = access(out, X_OK) == 0;
  }
  free(copy);
  return found;
}

/* The node to run, its library path and version; a usage error when there
 * is none that uvsim can stand in for. */
static int find_node(exec_opts* o, node_opts* n, const char* given) {
  char cand[4096] = "";
  char lib[4096];
  if (!given) given = getenv("UVSIM_NODE");
  if (given && *given) {
    if (!realpath(given, cand) || access(cand, X_OK) != 0)
      return cli_usage_error("node: --node %s: not an executable", given);
    lib_path_of(cand, lib, sizeof lib);
    if (!loads_libuv(cand, lib))
      return cli_usage_error("node: %s does not load libuv.so.1 (libuv is linked into it "
                         "statically), so uvsim cannot stand in for its loop; use "
                         "Debian's node 18 (scripts/node18 installs one)", given);
  } else {
    const char* tries[2] = { NODE_DEFAULT_PREFIX, NULL };
    char path_node[4096];
    if (on_path("node", path_node, sizeof path_node)) tries[1] = path_node;
    for (int i = 0; i < 2 && !cand[0]; i++) {
      char real[4096];
      if (!tries[i] || !realpath(tries[i], real) || access(real, X_OK) != 0) continue;
      lib_path_of(real, lib, sizeof lib);
      if (loads_libuv(real, lib)) snprintf(cand, sizeof cand, "%s", real);
    }
    if (!cand[0])
      return cli_usage_error("node: no node that loads libuv.so.1 dynamically was found (the "
                         "node on PATH has libuv built in); run scripts/node18 to fetch "
                         "Debian's node 18, or pass --node PATH");
  }
  snprintf(n->node, sizeof n->node, "%s", cand);
  snprintf(o->lib_path, sizeof o->lib_path, "%s", lib);
  return 0;
}

/* What the node says to --version: asked once, when a reproducer needs it
 * (a plain run should cost one node start, not two). */
static const char* node_version(const exec_opts* o, node_opts* n) {
  if (!n->version[0]) {
    char* argv[] = { n->node, "--version", NULL };
    char* v = capture(argv, o->lib_path, 0);
    snprintf(n->version, sizeof n->version, "%s", v && v[0] == 'v' ? v : "unknown");
    n->version[strcspn(n->version, "\n")] = '\0';
    free(v);
  }
  return n->version;
}

/* ---------------------------------------------------------- the maps */

static int is_dir(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* a is b or contains it */
static int path_covers(const char* a, size_t alen, const char* b) {
  return !strncmp(a, b, alen) && (b[alen] == '\0' || b[alen] == '/' || b[alen] == '=' ||
                                  (alen == 1 && a[0] == '/'));
}

/* Is dir, or a directory above or below it, mapped already (by --map)? The
 * simulated filesystem refuses overlapping maps; the user's one wins. */
static int mapped_already(const exec_opts* o, const char* dir) {
  size_t len = strlen(dir);
  for (const char* m = o->maps; *m;) {
    size_t mlen = strcspn(m, "=");
    if (path_covers(m, mlen, dir) || path_covers(dir, len, m)) return 1;
    const char* semi = strchr(m, ';');
    if (!semi) break;
    m = semi + 1;
  }
  return 0;
}

static int add_ro_map(exec_opts* o, const char* dir) {
  if (!strcmp(dir, "/") || mapped_already(o, dir)) return 0;
  char spec[8300];
  snprintf(spec, sizeof spec, "%s=%s,ro", dir, dir);
  return cli_exec_add_map(o, spec);
}

/* The script's project: the nearest directory at or above its own with a
 * package.json or node_modules (require() looks there), else its own. */
static void project_of(const char* script, char* out, size_t outlen) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", script);
  /* a package's own script (node_modules/.bin/mocha, its bin/mocha.js):
   * the project is the one whose node_modules holds it */
  char* nm = strstr(dir, "/node_modules/");
  if (nm) nm[1] = '\0';
  char* slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  snprintf(out, outlen, "%s", dir[0] ? dir : "/");
  for (;;) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/package.json", dir);
    int hit = access(probe, R_OK) == 0;
    snprintf(probe, sizeof probe, "%s/node_modules", dir);
    hit = hit || is_dir(probe);
    if (hit) {
      snprintf(out, outlen, "%s", dir[0] ? dir : "/");
      return;
    }
    slash = strrchr(dir, '/');
    if (!slash || slash == dir) return;
    *slash = '\0';
  }
}

static int default_maps(exec_opts* o, const node_opts* n) {
  if (is_dir("/usr/share/nodejs") && add_ro_map(o, "/usr/share/nodejs")) return -1;
  if (strcmp(n->script, "-e") != 0) {
    char project[4096];
    project_of(n->script, project, sizeof project);
    if (add_ro_map(o, project)) return -1;
  }
  return 0;
}

/* ------------------------------------------------------------- argv */

/* V8's seed for Math.random and its hash seed: from the schedule's seed,
 * so that a replay sees the same numbers. */
static long v8_seed(uint64_t seed) { return (long)(seed % 2147483646u) + 1; }

/* V8's flags for every run but the seed. --predictable-gc-schedule: V8's
 * heap growing, memory reducer and idle collections otherwise follow real
 * durations of collections, and so the foreground tasks and timers they
 * post do; a fork server's child, whose first collections copy the pages
 * they touch, gave 3 different trace hashes in 6 runs of one seed of
 * tests/node/programs/gc_runs.js where 5 started runs gave one (all alike,
 * forked and started, with the flag: docs/node.md). */
#define V8_FLAGS "--single-threaded --predictable-gc-schedule"

char** cli_node_argv(const exec_opts* o, const uint64_t* seed) {
  static char* argv[NODE_ARGV_MAX + 2];
  uint64_t s = o->replay ? o->node->replay_seed : seed ? *seed : 0;
  char env[96];
  snprintf(env, sizeof env, "%" PRIu64, s);
  setenv("UVSIM_RANDOM_SEED", env, 1);     /* libuvsim-det.so's stream */
  /* Both measured necessary for identical traces (docs/node.md): V8's
   * background threads post foreground tasks to the main loop at moments
   * real time decides, and pool jobs on real threads finish when the
   * machine says; --single-threaded and pool jobs on the loop thread take
   * both out. The V8 flags go through libuvsim-det.so (UVSIM_V8_FLAGS), not
   * node's command line: there process.execArgv would show them and
   * child_process.fork() would pass them on, shifting the child's
   * arguments (Node's test-child-process-reject-null-bytes). */
  snprintf(env, sizeof env, "%s --random-seed=%ld", V8_FLAGS, v8_seed(s));
  setenv("UVSIM_V8_FLAGS", env, 1);
  setenv("UVSIM_POOL_INLINE", "1", 1);
  setenv("UVSIM_START_LAG_MS", "1", 1);    /* loop/core.c: start_lag */
  setenv("UVSIM_THREADS_HANG_MS", "500", 1);  /* loop/core.c: a hang */
  size_t k = 0;
  for (char** a = o->argv; *a && k < NODE_ARGV_MAX; a++) argv[k++] = *a;
  argv[k] = NULL;
  return argv;
}

/* Every run starts node with seed 0's V8 seed; libuvsim-det.so gives V8
 * the run's own at the default loop's first uv_run (uvsim_det_first_run,
 * with UVSIM_RANDOM_SEED, which cli_node_argv sets to the run's seed). So
 * what node does before its loop runs is the same for every seed, which is
 * what lets a fork server fork it there (loop/forkserver.c), and a forked
 * run is the started one. */
char** cli_node_start_argv(const exec_opts* o, const uint64_t* seed) {
  char** argv = cli_node_argv(o, seed);
  char env[96];
  snprintf(env, sizeof env, "%s --random-seed=%ld", V8_FLAGS, v8_seed(0));
  assert(getenv("UVSIM_V8_FLAGS"));     /* cli_node_argv passes V8's seed so */
  setenv("UVSIM_V8_FLAGS", env, 1);
  return argv;
}

/* ------------------------------------------------- errors and signatures */

static const char* next_line(const char* p) {
  const char* nl = strchr(p, '\n');
  return nl ? nl + 1 : p + strlen(p);
}

static void copy_line(const char* p, char* out, size_t outlen) {
  size_t n = strcspn(p, "\n");
  if (n >= outlen) n = outlen - 1;
  memcpy(out, p, n);
  out[n] = '\0';
}

static int is_frame(const char* p) { return !strncmp(p, "    at ", 7); }

static int is_caret(const char* p) {
  size_t n = strcspn(p, "\n");
  size_t sp = strspn(p, " ");
  return n > sp && p[sp] == '^' && sp + strspn(p + sp, "^") == n;
}

/* Node prints an uncaught error as: where it was thrown, the source line,
 * a caret line, a blank line, then the error's stack ("Error: msg" and
 * "    at f (file:line:col)" frames); a thrown non-Error prints its value
 * instead of a stack. */
void cli_node_error_of(const char* err, char* error, size_t errlen, char* frame,
                   size_t framelen) {
  error[0] = frame[0] = '\0';
  if (!err) return;
  const char* found = NULL;
  for (const char* p = err; *p; p = next_line(p)) {
    const char* nl = next_line(p);
    if ((*nl && is_frame(nl) && !is_frame(p) && *p != '\n') ||
        !strncmp(p, "[UnhandledPromiseRejection", 26)) {
      found = p;
      break;
    }
  }
  if (!found) {             /* a thrown value: the line after the caret */
    for (const char* p = err; *p && !found; p = next_line(p))
      if (is_caret(p)) {
        const char* q = next_line(p);
        while (*q == '\n') q++;
        if (*q) found = q;
      }
  }
  if (!found) return;
  copy_line(found, error, errlen);
  for (const char* p = next_line(found); *p; p = next_line(p))
    if (is_frame(p)) {
      copy_line(p + 7, frame, framelen);
      size_t fl = strlen(frame);    /* an error with own properties: "... {" */
      if (fl > 2 && !strcmp(frame + fl - 2, " {")) frame[fl - 2] = '\0';
      /* drop the column: the same frame, whatever the schedule */
      char* paren = strrchr(frame, ')');
      char* colon = NULL;
      for (char* c = frame; *c; c++)
        if (*c == ':') colon = c;
      if (colon && (!paren || colon < paren)) {
        int digits = colon[1] != '\0';
        for (char* c = colon + 1; *c && *c != ')'; c++) digits &= *c >= '0' && *c <= '9';
        if (digits) memmove(colon, paren ? paren : colon + strlen(colon),
                            strlen(paren ? paren : colon + strlen(colon)) + 1);
      }
      return;
    }
  /* no stack: the location line node printed first ("file:line") */
  if (err[0] == '/' || !strncmp(err, "node:", 5)) copy_line(err, frame, framelen);
}

void cli_node_signature(const exec_result* r, char* out, size_t outlen) {
  char msg[256];
  fz_normalise(r->js_error, msg, sizeof msg);
  /* node ends what it prints of an uncaught error with its version line; an
   * error a test runner printed itself and then exit 1 is no uncaught one */
  int uncaught = r->code == 1 && r->err_text && strstr(r->err_text, "\nNode.js v");
  const char* what = r->kind == X_SIGNAL ? "crash" : uncaught ? "uncaught" : "exit";
  char code[32] = "";
  if (r->kind == X_EXIT && !uncaught) snprintf(code, sizeof code, " %d", r->code);
  if (r->kind == X_SIGNAL) snprintf(code, sizeof code, " SIG%s", sigabbrev_np(r->code) ? sigabbrev_np(r->code) : "?");
  snprintf(out, outlen, "%s%s: %s%s%s%s", what, code, msg, r->js_frame[0] ? " (at " : "",
           r->js_frame, r->js_frame[0] ? ")" : "");
}

/* ------------------------------------------------------- reproducers */

/* Copies s into dst, cut to fit. */
static void put(char* dst, size_t cap, const char* s) {
  size_t n = strlen(s);
  if (n >= cap) n = cap - 1;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

/* node's lines of a reproducer (the rest: exec_repro.c). */
static int node_fill(const exec_opts* o, sim_repro* rep, char* why, size_t whylen) {
  (void)why, (void)whylen;
  const node_opts* n = o->node;
  const char* base = strrchr(n->script, '/');
  snprintf(rep->scenario, sizeof rep->scenario, "node:%.100s", base ? base + 1 : n->script);
  put(rep->node, sizeof rep->node, n->node);
  snprintf(rep->node_version, sizeof rep->node_version, "%s", node_version(o, o->node));
  put(rep->script, sizeof rep->script, n->script);
  snprintf(rep->script_sha256, sizeof rep->script_sha256, "%s", n->sha256);
  put(rep->cwd, sizeof rep->cwd, o->cwd);
  rep->nargs = 0;
  for (char** a = o->argv + 1; *a && rep->nargs < SIM_REPRO_ARGS_MAX; a++)
    snprintf(rep->args[rep->nargs++], SIM_REPRO_ARG_MAX, "%s", *a);
  return 0;
}

void cli_node_report_failure(const exec_opts* o, const char* sig, const uint64_t* seed,
                         const exec_result* r, int replays, char* saved, size_t savedlen) {
  node_opts* n = o->node;
  char dir[4200];
  const char* base = strrchr(n->script, '/');
  snprintf(dir, sizeof dir, "%.2048s/node-%.1024s", n->corpus, base ? base + 1 : "eval");
  char* dot = strrchr(dir, '.');
  if (dot && dot > strrchr(dir, '/')) *dot = '\0';
  cli_repro_kind k = { "node", node_fill, dir, n->minimize, 0 };
  cli_repro_report_failure(o, &k, sig, seed, r, replays, saved, savedlen);
}

/* The first decision where two runs of one schedule went apart. */
static void print_divergence(const exec_result* a, const exec_result* b) {
  const char* p = a->decision_lines ? a->decision_lines : "";
  const char* q = b->decision_lines ? b->decision_lines : "";
  for (size_t i = 1; *p || *q; i++) {
    size_t lp = strcspn(p, "\n"), lq = strcspn(q, "\n");
    if (lp != lq || strncmp(p, q, lp)) {
      printf("  first divergent decision: #%zu: %.*s | %.*s\n", i, (int)lp,
             *p ? p : "(none)", (int)lq, *q ? q : "(none)");
      return;
    }
    p = next_line(p);
    q = next_line(q);
  }
  printf("  the decisions agree; the difference is in what the program did with them "
         "(output of real time, real randomness or real threads)\n");
}

void cli_node_check_natural(const exec_opts* o, const exec_result* base) {
  exec_result again = {0};
  if (cli_exec_run_once(o, NULL, &again) != 0) return;
  if (!cli_exec_same_run(base, &again)) {
    printf("warning: nondeterminism leak: the natural order, run twice, gave different "
           "%s\n", base->trace_hash != again.trace_hash ? "schedules" : "output");
    print_divergence(base, &again);
  }
  cli_exec_result_free(&again);
}

static int check_determinism(exec_opts* o, const uint64_t* seed) {
  exec_result a = {0}, b = {0};
  int rc = cli_exec_run_once(o, seed, &a);
  if (rc == 0) rc = cli_exec_run_once(o, seed, &b);
  if (rc < 0) return cli_usage_error("node: cannot run '%s': %s", o->argv[0], strerror(-rc));
  if (!a.traced) {
    cli_exec_result_free(&a);
    cli_exec_result_free(&b);
    return cli_usage_error("node: the program never started uvsim's simulated world");
  }
  int same = cli_exec_same_run(&a, &b);
  printf("%s: %s, run twice: %s (trace hash %016" PRIx64 " / %016" PRIx64 ", %" PRIu64
         " decisions)\n", same ? "deterministic" : "NOT deterministic",
         seed ? "this seed" : "the natural order",
         same ? "same exit, output and trace" : "they differ", a.trace_hash, b.trace_hash,
         a.decisions);
  if (!same) print_divergence(&a, &b);
  cli_exec_result_free(&a);
  cli_exec_result_free(&b);
  return same ? 0 : EXIT_BUG;
}

/* libuvsim-det.so, beside libuvsim.so: the wall clock and randomness
 * outside libuv (loop/det/det.c). */
static int add_det_lib(exec_opts* o) {
  char det[4200];
  snprintf(det, sizeof det, "%s", o->lib);
  char* slash = strrchr(det, '/');
  snprintf(slash ? slash + 1 : det, sizeof det - (size_t)(slash ? slash + 1 - det : 0),
           "libuvsim-det.so");
  if (access(det, R_OK) != 0)
    return cli_usage_error("node: cannot read %s (built with libuvsim.so): %s", det,
                       strerror(errno));
  size_t len = strlen(o->preload);
  if (len + strlen(det) + 2 > sizeof o->preload) return cli_usage_error("node: preload list too long");
  snprintf(o->preload + len, sizeof o->preload - len, ":%s", det);
  return 0;
}

/* ----------------------------------------------------------- command */

typedef struct node_cli {
  const char* node;
  const char* lib;
  const char* eval;
  const char* out;              /* report folder; NULL: no report */
  int have_runs, have_seed, check, timeout, out_given;
  int strategy;                 /* --strategy, or -1 */
} node_cli;

/* Node flags that take the next argument as their value. */
static int takes_value(const char* a) {
  return !strcmp(a, "-r") || !strcmp(a, "--require") || !strcmp(a, "--import") ||
         !strcmp(a, "--loader") || !strcmp(a, "--conditions") || !strcmp(a, "-C");
}

static int parse_uvsim_opts(int argc, char** argv, int* i, exec_opts* o, node_opts* n,
                            node_cli* c) {
  int k;
  for (; *i < argc; (*i)++) {
    const char* a = argv[*i];
    const char* v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--")) { (*i)++; break; }
    if (cli_is_help(a)) return fputs(usage_node, stdout), 1;
    if (!strcmp(a, "--runs")) { if (cli_parse_u64(a, v, &o->runs)) return -1; c->have_runs = 1; }
    else if (!strcmp(a, "--seed")) { if (cli_parse_u64(a, v, &o->seed)) return -1; c->have_seed = 1; }
    else if (!strcmp(a, "--jobs")) {
      if (cli_parse_u32(a, v, &o->jobs)) return -1;
      if (o->jobs < 1 || o->jobs > 64) return cli_usage_error("--jobs: %u is not in 1..64", o->jobs), -1;
    }
    else if (!strcmp(a, "--time")) { if (cli_parse_seconds(a, v, &o->time_s)) return -1; c->have_runs = 1; }
    else if (!strcmp(a, "--timeout")) { if (cli_parse_seconds(a, v, &o->timeout_s)) return -1; c->timeout = 1; }
    else if ((k = cli_strategy_option(a, v, &c->strategy, &o->params)) != 0) {
      if (k < 0) return -1;
      if (k == 1) continue;
    }
    else if (!strcmp(a, "--map")) { if (cli_exec_add_map(o, v)) return -1; }
    else if (!strcmp(a, "--corpus")) {
      if (!v || !*v) return cli_usage_error("--corpus needs a directory"), -1;
      snprintf(n->corpus, sizeof n->corpus, "%s", v);
    }
    else if (!strcmp(a, "--node")) { if (!v) return cli_usage_error("--node needs a path"), -1; c->node = v; }
    else if (!strcmp(a, "--out")) {
      if (!v || !*v) return cli_usage_error("--out needs a directory"), -1;
      c->out = v;
      c->out_given = 1;
    }
    else if (!strcmp(a, "--no-report")) { c->out = NULL; continue; }
    else if (!strcmp(a, "--lib")) { if (!v) return cli_usage_error("--lib needs a path"), -1; c->lib = v; }
    else if (!strcmp(a, "-e") || !strcmp(a, "--eval")) {
      if (!v) return cli_usage_error("%s needs code", a), -1;
      c->eval = v;
    }
    else if (!strcmp(a, "--same-output")) { o->same_output = 1; continue; }
    else if (!strcmp(a, "--quiet")) { o->quiet = 1; continue; }
    else if (!strcmp(a, "--no-minimize") || !strcmp(a, "--no-minimise")) { n->minimize = 0; continue; }
    else if (!strcmp(a, "--check-determinism")) { c->check = 1; continue; }
    else if (!strcmp(a, "--fuzz")) { o->fuzz = 1; continue; }
    else if (!strcmp(a, "--stop-at-first")) { o->stop_at_first = 1; continue; }
    else if (!strcmp(a, "--no-fork-server")) { o->no_fork_server = 1; continue; }
    else if (!strcmp(a, "--runs-log")) {
      if (!v || !*v || *v == '-') return cli_usage_error("--runs-log needs a file"), -1;
      snprintf(o->runs_log, sizeof o->runs_log, "%s", v);
    }
    else if ((k = cli_ci_option(a, v)) != 0) { if (k < 0) return -1; if (k == 1) continue; }
    else break;                 /* node's own flags, or the script */
    (*i)++;                     /* the option's value */
  }
  return 0;
}

/* argv for node: its flags, then the script (absolute) and its arguments. */
static int build_program(int argc, char** argv, int i, exec_opts* o, node_opts* n,
                         const node_cli* c) {
  static char* prog[NODE_ARGV_MAX + 4];
  size_t k = 0;
  prog[k++] = n->node;
  int script_at = -1;
  for (int j = i; j < argc && k < NODE_ARGV_MAX; j++) {
    const char* a = argv[j];
    if (script_at < 0 && !c->eval && a[0] != '-') {
      char abs[4096];
      if (!realpath(a, abs) || access(abs, R_OK) != 0)
        return cli_usage_error("node: cannot read script '%s': %s", a, strerror(errno));
      if (is_dir(abs)) return cli_usage_error("node: '%s' is a directory, not a script", a);
      snprintf(n->script, sizeof n->script, "%s", abs);
      prog[k++] = strdup(abs);
      script_at = j;
      continue;
    }
    if (script_at < 0 && !strcmp(a, "-e"))
      return cli_usage_error("node: put -e before the node flags ('uvsim node -e CODE')");
    prog[k++] = (char*)a;
    if (script_at < 0 && takes_value(a) && j + 1 < argc) prog[k++] = argv[++j];
  }
  if (c->eval) {
    prog[k++] = "-e";
    prog[k++] = (char*)c->eval;
    snprintf(n->script, sizeof n->script, "-e");
    cli_sha256_hex(c->eval, strlen(c->eval), n->sha256);
  } else if (script_at < 0) {
    return cli_usage_error("node: name a script to run (or -e CODE)");
  } else {
    int r = cli_sha256_file(n->script, n->sha256);
    if (r < 0) return cli_usage_error("node: cannot read %s: %s", n->script, strerror(-r));
  }
  prog[k] = NULL;
  o->argv = prog;
  return 0;
}

static int setup_cli(int argc, char** argv, exec_opts* o, node_opts* n, node_cli* c) {
  o->runs = 0;
  o->seed = 1;
  o->jobs = 1;
  o->timeout_s = 20;
  n->minimize = 1;
  snprintf(n->corpus, sizeof n->corpus, "corpus");
  sim_strategy_defaults(&o->params);
  c->strategy = -1;
  int i = 2;
  int p = parse_uvsim_opts(argc, argv, &i, o, n, c);
  if (p) return p;
  if (c->strategy >= 0 && (c->check || !c->have_runs) && !o->fuzz)
    return cli_usage_error("node: --strategy goes with a campaign (--runs or --time)"), -1;
  if (cli_exec_strategy_check(o, c->strategy, "node")) return -1;
  if (cli_exec_find_lib(o, c->lib) || add_det_lib(o)) return -1;
  if (find_node(o, n, c->node)) return -1;
  if (build_program(argc, argv, i, o, n, c)) return -1;
  if (!getcwd(o->cwd, sizeof o->cwd)) o->cwd[0] = '\0';
  n->user_maps = strlen(o->maps);
  if (default_maps(o, n)) return -1;
  o->node = n;
  if (c->have_runs && o->runs == 0 && o->time_s > 0) o->runs = UINT64_MAX;
  return 0;
}

/* A plain run with --timeout: the program in the foreground, killed (with
 * its process group) when it outlives the limit. Its exit status, or 124
 * as timeout(1) says, or 128+N for a signal. */
static int run_with_timeout(char** args, double timeout_s) {
  pid_t pid = fork();
  if (pid < 0) return cli_usage_error("node: cannot fork: %s", strerror(errno));
  if (pid == 0) {
    setpgid(0, 0);
    execv(args[0], args);
    fprintf(stderr, "uvsim: node: cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);
  struct timespec nap = { 0, 5000000 };
  for (double waited = 0;; waited += 0.005) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (waited >= timeout_s) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      fprintf(stderr, "uvsim: node: still running after %g s (--timeout); killed\n",
              timeout_s);
      return 124;
    }
    nanosleep(&nap, NULL);
  }
}

/* A campaign, then its report (reports/out/node-NAME), as `uvsim run`
 * writes one for scenarios. */
static int campaign_with_report(exec_opts* o, node_opts* n, const char* out_dir) {
  static exec_summary sum;
  int rc = cli_exec_campaign(o, &sum);
  if (rc != EXIT_USAGE) cli_ci_add_exec(o, &sum);
  if (rc == EXIT_USAGE || !out_dir) return rc;
  const char* base = strrchr(n->script, '/');
  char name[160];
  snprintf(name, sizeof name, "node-%.140s", base ? base + 1 : "eval");
  char* dot = strrchr(name, '.');
  if (dot && dot > name + 5) *dot = '\0';
  uvsim_scenario sc = { .name = name, .variant = "run", .description = n->script,
                        .invariant = "the Node program exits 0: no uncaught exception, "
                                     "no unhandled rejection, no crash, no hang",
                        .expect = UVSIM_EXPECT_CLEAN };
  fz_campaign c;
  if (cli_node_campaign_of(&sc, &sum, o->seed, &c) != 0) return rc;
  if (o->strategy_on) c.strategy = o->strategy;
  char err[512], path[600];
  if (report_write(out_dir, name, &c, 1, path, sizeof path, err, sizeof err) != 0)
    fprintf(stderr, "uvsim: report: %s\n", err);
  else
    printf("report: %s\n", path);
  fz_campaign_free(&c);
  return rc;
}

int cli_node_setup(int argc, char** argv, exec_opts* o, node_opts* n) {
  node_cli c = {0};
  return setup_cli(argc, argv, o, n, &c);
}

int cli_cmd_node(int argc, char** argv) {
  static exec_opts o;
  static node_opts n;
  node_cli c = { .out = "reports/out" };
  memset(&o, 0, sizeof o);
  memset(&n, 0, sizeof n);
  int p = setup_cli(argc, argv, &o, &n, &c);
  if (p) return p > 0 ? 0 : EXIT_USAGE;
  if (cli_ci_wanted() && (c.check || !c.have_runs))
    return cli_usage_error("node: --junit and --json go with a campaign (--runs or --time)");
  if (o.runs_log[0] && (c.check || !(c.have_runs || o.fuzz)))
    return cli_usage_error("node: --runs-log goes with a campaign (--runs, --time or --fuzz)");
  if (cli_exec_log_open(&o)) return EXIT_USAGE;
  if (o.fuzz) {
    if (c.check) return cli_usage_error("node: --check-determinism runs one schedule (no --fuzz)");
    if (o.jobs > 1) return cli_usage_error("node: --fuzz runs one schedule at a time (no --jobs)");
    if (cli_ci_wanted()) return cli_usage_error("node: --fuzz writes no --junit or --json summary");
    if (!c.have_runs) o.runs = 200;
    snprintf(o.fuzz_out, sizeof o.fuzz_out, "%s",
             c.out_given && c.out ? c.out : "reports/out/node-fuzz");
    return cli_finish_stdout(cli_exec_fuzz(&o));
  }
  if (c.check) return check_determinism(&o, c.have_seed ? &o.seed : NULL);
  if (c.have_runs) {
    cli_ci_begin("node");
    return cli_ci_finish(campaign_with_report(&o, &n, c.out));
  }
  /* One run, in the foreground: exactly what the program prints. */
  fflush(NULL);
  cli_exec_child_env(&o, c.have_seed ? &o.seed : NULL);
  char** args = cli_node_start_argv(&o, c.have_seed ? &o.seed : NULL);
  if (c.timeout) return run_with_timeout(args, o.timeout_s);
  execv(args[0], args);
  return cli_usage_error("node: cannot run %s: %s", args[0], strerror(errno));
}

/* ------------------------------------------------------------ replay */

void cli_node_command_line(const exec_opts* o, char* out, size_t len) {
  const node_opts* n = o->node;
  FILE* f = fmemopen(out, len, "w");
  if (!f) { if (len) out[0] = '\0'; return; }
  char self[4096];
  ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
  self[k > 0 ? k : 0] = '\0';
  cli_repro_put_word(f, k > 0 ? self : "uvsim");
  fputs(" node --node ", f);
  cli_repro_put_word(f, n->node);
  fputs(" --lib ", f);
  cli_repro_put_word(f, o->lib);
  for (size_t at = 0; at < n->user_maps;) {   /* the --map options */
    size_t m = strcspn(o->maps + at, ";");
    if (m > n->user_maps - at) m = n->user_maps - at;
    char spec[EXEC_MAPS_LEN];
    snprintf(spec, sizeof spec, "%.*s", (int)m, o->maps + at);
    fputs(" --map ", f);
    cli_repro_put_word(f, spec);
    at += m + 1;
  }
  int eval = !strcmp(n->script, "-e");
  size_t argc = 0;
  while (o->argv[argc]) argc++;
  if (eval && argc >= 3) {        /* node's flags, then -e CODE */
    fputs(" -e ", f);
    cli_repro_put_word(f, o->argv[argc - 1]);
    argc -= 2;
  }
  fputs(" --", f);
  for (size_t i = 1; i < argc; i++) {
    fputc(' ', f);
    cli_repro_put_word(f, o->argv[i]);
  }
  fputc('\0', f);
  fclose(f);
  if (len) out[len - 1] = '\0';
}

int cli_node_replay(const char* file, int argc, char** argv) {
  int strict;
  sim_repro rep;
  if (cli_repro_open(file, argc, argv, &rep, &strict) != 0) return EXIT_USAGE;
  static exec_opts o;
  static node_opts n;
  memset(&o, 0, sizeof o);
  memset(&n, 0, sizeof n);
  int rc = EXIT_USAGE;
  char sha[65] = "";
  if (strcmp(rep.script, "-e") == 0) {
    if (rep.nargs == 0) { cli_usage_error("%s: -e without code", file); goto out; }
    cli_sha256_hex(rep.args[rep.nargs - 1], strlen(rep.args[rep.nargs - 1]), sha);
  } else if (cli_sha256_file(rep.script, sha) < 0) {
    cli_usage_error("replay: %s: the script %s cannot be read: %s", file, rep.script, strerror(errno));
    goto out;
  }
  if (cli_repro_check_sha(file, "script", rep.script, sha, rep.script_sha256, strict)) goto out;
  if (cli_exec_find_lib(&o, NULL) || add_det_lib(&o) || find_node(&o, &n, rep.node)) goto out;
  if (strcmp(node_version(&o, &n), rep.node_version) != 0)
    printf("warning: reproducer recorded with node %s, this is %s\n", rep.node_version, n.version);
  for (size_t i = 0; i < rep.nmaps; i++)
    if (cli_exec_add_map(&o, rep.maps[i])) goto out;
  snprintf(o.cwd, sizeof o.cwd, "%s", rep.cwd);
  snprintf(n.script, sizeof n.script, "%s", rep.script);
  snprintf(n.sha256, sizeof n.sha256, "%s", rep.script_sha256);
  static char* prog[SIM_REPRO_ARGS_MAX + 2];
  size_t k = 0;
  prog[k++] = n.node;
  for (size_t i = 0; i < rep.nargs; i++) prog[k++] = rep.args[i];
  prog[k] = NULL;
  o.argv = prog;
  o.timeout_s = 60;
  o.node = &n;
  n.replay_seed = rep.seed;
  o.replay = file;
  char desc[SIM_REPRO_MAP_MAX + 8];
  snprintf(desc, sizeof desc, "node %s", rep.script);
  rc = cli_repro_replay(&o, &rep, strict, desc, n.node);
out:
  sim_repro_free(&rep);
  return rc;
}
