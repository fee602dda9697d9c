/* loop/world.c — the public face of the simulated world (uvsim/world.h:
 * choices, notes, invariants, faults, files and names given by a scenario)
 * and the in-process run boundary (uvsim_world_begin/end in uvsim/loop.h). */
#include "loop/internal.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "loop/os.h"        /* signals */
#include "loop/world_io.h"  /* uvs__world_io_reset */
#include "loop/fdshim.h"    /* uvs__fd_release_all */
#include "sim/sim_dns.h"
#include "sim/sim_fault.h"
#include "sim/sim_fs.h"
#include "uvsim.h"

/* What the engine (or any layer above the loop) attaches: its checkpoint,
 * run after every callback, and its reset, run at every world begin. */
static uvsim_after_callback_fn after_cb;
static uvsim_world_reset_fn world_reset_cb;

void uvsim_set_after_callback(uvsim_after_callback_fn fn) { after_cb = fn; }
void uvsim_set_world_reset(uvsim_world_reset_fn fn) { world_reset_cb = fn; }

const char* uvs__cb_label;
static int cb_cost = -1;   /* -1: read UVSIM_CB_COST once */

void uvsim_set_cb_cost(int enabled) { cb_cost = enabled ? 1 : 0; }

/* The cost model: a callback consumes virtual time, so a slow callback makes
 * timers late as it does on a real machine. Coarse buckets on purpose (few
 * options keep exploration effective); choice 0 costs nothing. Off unless
 * asked for, because it adds one decision per delivered callback. */
static void charge_cost(void) {
  static const uint64_t cost_ns[] = { 0, 100000u, 1000000u, 10000000u };
  if (cb_cost < 0) {
    const char* env = getenv("UVSIM_CB_COST");
    cb_cost = env && *env && *env != '0';
  }
  if (!cb_cost) return;
  sim* s = uvs__sim();
  uint32_t c = sim_choose(s, SIM_CB_COST, 4,
                          uvs__cb_label ? uvs__cb_label : "callback");
  if (c) sim_advance_to(s, sim_now(s) + cost_ns[c]);
}

/* -1: read UVSIM_LEAK_CHECK at the next world begin (or first use) */
static int leak_check = -1;

static int leak_check_default(void) {
  const char* env = getenv("UVSIM_LEAK_CHECK");
  return env && *env && *env != '0';
}

void uvsim_set_leak_check(int on) { leak_check = on ? 1 : 0; }

int uvs__leak_check_on(void) {
  if (leak_check < 0) leak_check = leak_check_default();
  return leak_check;
}

void uvs__after_callback(void) {
  if (after_cb) after_cb();
  uvs__signal_tick();     /* raised signals, `signal` fault rules */
  charge_cost();
  uvs__hrtime_spin_reset();
  if (uvs__pool_kick_pending) uvs__pool_kick();
}

static sim campaign_world;
static int campaign_world_ready;

void uvsim_world_begin(const struct sim_config* cfg) {
  if (!campaign_world_ready) {
    sim_init(&campaign_world, cfg);
    campaign_world_ready = 1;
  } else {
    sim_reset(&campaign_world, cfg);
  }
  sim_set_current(&campaign_world);
  if (world_reset_cb) world_reset_cb();
  uvs__loop_globals_reset();
  uvs__world_io_reset();
  uvs__fd_release_all();   /* the new world holds no number yet */
  after_cb = NULL;
  leak_check = leak_check_default();
}

void uvsim_world_end(void) {
  /* Nothing is freed: the next begin reuses every allocation. */
}

/* Outside a campaign (a program linked with libuvsim and run directly) a
 * failed invariant is fatal, like an assert; in a campaign it is a finding
 * and the loop stops at the next callback boundary. */
static int in_campaign(void) {
  return campaign_world_ready && sim_current() == &campaign_world;
}

/* A hang outside a campaign (a program run unchanged, `uvsim exec` or
 * `uvsim node`): nothing will ever happen, and a runtime would call uv_run
 * again at once (Node does while the loop is alive), so say so and end the
 * process with UVS__EXIT_HANG. In a campaign the run just stops. */
void uvs__hang_stop(sim* s) {
  if (in_campaign()) return;
  fprintf(stderr, "uvsim: hang: %s\n", s->failure.message);
  fflush(NULL);
  sim_report_now();
  _exit(UVS__EXIT_HANG);   /* no atexit: the runtime's teardown expects a closed loop */
}

/* A signal whose default action ends the process reached it and nothing
 * handles it (loop/signal.c). In a campaign that is a finding like a crash
 * (the run stops); a program run unchanged dies of it for real, after its
 * exit report, as it would on libuv. */
void uvs__killed_by(int signum, const char* name) {
  sim* s = uvs__sim();
  char num[16];
  if (name == NULL) {
    snprintf(num, sizeof num, "signal %d", signum);
    name = num;
  }
  sim_fail(s, SIM_BUG_CRASH, uvs__cb_label ? uvs__cb_label : "signal",
           "killed by %s: no handler watches it (default action)", name);
  if (in_campaign()) return;
  fprintf(stderr, "uvsim: killed by %s: no handler watches it\n", name);
  fflush(NULL);
  sim_report_now();
  signal(signum, SIG_DFL);
  raise(signum);
  _exit(128 + signum);
}

/* The program asks to end now with status, as exit(status) would end the
 * run: its stdio flushed and the run reported (sim_report_now, the atexit
 * handler), the rest of the exit handlers skipped. libuvsim-det.so calls
 * it once node has freed its main environment (loop/det/det.c,
 * node_freed_main_environment): what is left of node's exit is the
 * teardown of V8 and of the process's libraries, which no program sees. */
void uvsim_exit_now(int status) {
  fflush(NULL);
  sim_report_now();
  _exit(status);
}

void uvsim_invariant_failed(const char* where, const char* fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  sim* s = uvs__sim();
  sim_fail(s, SIM_BUG_INVARIANT, where, "%s", msg);
  if (!in_campaign()) {
    fprintf(stderr, "uvsim: invariant failed in %s: %s\n", where, msg);
    fflush(stderr);
    abort();
  }
}

/* In a campaign a leak is a finding like any other; a program run directly
 * is told on stderr (uv_loop_close answers UV_EBUSY either way). */
void uvs__leak_found(const char* where, const char* msg) {
  sim* s = uvs__sim();
  int first = !sim_failed(s);
  sim_fail(s, SIM_BUG_LEAK, where, "%s", msg);
  if (first && !in_campaign()) {
    fprintf(stderr, "uvsim: leak: %s\n", msg);
    fflush(stderr);
  }
}

uint32_t uvsim_choose(uint32_t n, const char* label) {
  if (n == 0) uvs__fatal("uvsim_choose", "needs at least one option");
  return sim_choose(uvs__sim(), SIM_USER, n, label);
}

void uvsim_note(const char* label) {
  sim* s = uvs__sim();
  sim_trace_note(s, sim_intern(s, label));
}

uint64_t uvsim_now_ns(void) { return sim_now(uvs__sim()); }
uint64_t uvsim_trace_hash(void) { return sim_trace_hash(uvs__sim()); }
int uvsim_failed(void) { return sim_failed(uvs__sim()); }

int uvsim_fault(const char* spec) {
  char err[256];
  sim* s = uvs__sim();
  uvs__signal_hook();     /* `signal` rules reach the loop */
  if (sim_fault_add(sim_faults_current(), spec, s->cfg.aggressive, err,
                    sizeof err) < 0) {
    fprintf(stderr, "uvsim: %s\n", err);
    return -1;
  }
  return 0;
}

int uvsim_fs_put(const char* path, const void* data, size_t len) {
  return sim_fs_put_file(sim_fs_current(), path, data, len, 0);
}

int uvsim_fs_map(const char* sim_dir, const char* real_dir, unsigned flags) {
  _Static_assert(UVSIM_FS_MAP_READONLY == SIM_FS_MAP_READONLY &&
                 UVSIM_FS_MAP_SNAPSHOT == SIM_FS_MAP_SNAPSHOT,
                 "public and sim/ mapping flags agree");
  char err[SIM_FS_PATH_MAX + 256];
  int r = sim_fs_map(sim_fs_current(), sim_dir, real_dir, flags, err,
                     sizeof err);
  if (r < 0) fprintf(stderr, "uvsim: %s\n", err);
  return r;
}

int uvsim_fs_unmap(const char* sim_dir) {
  return sim_fs_unmap(sim_fs_current(), sim_dir);
}

int uvsim_dns_add(const char* name, const char* addr) {
  return sim_dns_add(sim_dns_current(), name, addr);
}
