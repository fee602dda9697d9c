/* sim/sim.h — the simulated world's core: virtual clock, the decision stream,
 * the event queue, the trace and reproducer files.
 *
 * This layer knows nothing of libuv. Everything that a real machine leaves
 * open (which pool job finishes first, how a stream is split, how late a timer
 * fires) is asked of sim_choose(); nothing here reads the wall clock, the real
 * PRNG, addresses or thread timing. A run is a pure function of its source
 * (seed, byte tape, or decision list).
 *
 * Sections: core · rng · decisions · event queue · trace · reproducer.
 */
#ifndef UVSIM_SIM_SIM_H
#define UVSIM_SIM_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_VERSION "0.1.0"
#define SIM_REPRO_FORMAT 1

/* ------------------------------------------------------------------ rng */

/* xoshiro256** seeded through splitmix64 (Vigna). The only PRNG uvsim uses. */
typedef struct sim_rng {
  uint64_t s[4];
} sim_rng;

void sim_rng_seed(sim_rng* rng, uint64_t seed);
uint64_t sim_rng_next(sim_rng* rng);
/* Uniform in [0, n); n > 0. Unbiased (rejection). */
uint32_t sim_rng_below(sim_rng* rng, uint32_t n);
/* A non-natural answer 1..n-1 for a duration kind: choice j has weight
 * 2^(n-1-j), each slower bucket half as likely as the one before, the
 * slowest still reached (docs/loop.md, "Latency tails"). */
uint32_t sim_rng_tail(sim_rng* rng, uint32_t n);
uint64_t sim_splitmix64(uint64_t* state);

/* ------------------------------------------------------------ decisions */

/* What a decision is about. Choice 0 is always the natural order: what real
 * libuv does on an idle machine. New kinds go at the end (names are written
 * into reproducer files, numbers are not). */
typedef enum sim_kind {
  SIM_POOL_FINISH,       /* which running pool job completes next          */
  SIM_POOL_DURATION,     /* virtual duration bucket of a pool job          */
  SIM_IO_ORDER,          /* which ready I/O event is reported next         */
  SIM_READ_SPLIT,        /* where a stream chunk is cut for one read       */
  SIM_TIMER_LAG,         /* extra loop lag before due timers run           */
  SIM_CB_COST,           /* virtual time a callback consumes               */
  SIM_NET_LATENCY,       /* delivery latency bucket on the simulated net   */
  SIM_TIMEOUT_VS_IMMEDIATE, /* node: setTimeout(0) vs setImmediate at start */
  SIM_FAULT,             /* inject a fault into an operation               */
  SIM_USER,              /* a scenario's own explicit choice point         */
  SIM_EARLY_TIMER,       /* aggressive only: a timer fires early           */
  SIM_DGRAM_LATENCY,     /* delivery latency of one UDP datagram (may reorder) */
  SIM_FS_EVENT_LATENCY,  /* how late a watcher reads an inotify event      */
  SIM_FS_EVENT_COALESCE, /* an event merged with the same unread one       */
  SIM_CHILD_EVENT,       /* when a child's output chunk, EOF or exit shows  */
  SIM_KIND_COUNT
} sim_kind;

const char* sim_kind_name(sim_kind kind);
/* How long something takes (pool_duration, timer_lag, net_latency,
 * dgram_latency): its choices are buckets of delay, slowest last. */
int sim_kind_is_duration(sim_kind kind);
/* Returns -1 when the name is unknown. */
int sim_kind_from_name(const char* name);

/* Where answers come from. */
typedef enum sim_source_type {
  SIM_SRC_SEED,   /* xoshiro256** from a 64-bit seed                     */
  SIM_SRC_TAPE,   /* fuzzer bytes; an exhausted tape answers 0          */
  SIM_SRC_LIST,   /* explicit choices (replay, dfs, minimise); past end 0 */
  SIM_SRC_CUSTOM  /* a strategy callback (sim/sim_strategy.h, replay)    */
} sim_source_type;

typedef struct sim sim;

/* A custom strategy: returns a choice in [0, n). */
typedef uint32_t (*sim_chooser)(void* ctx, sim* s, sim_kind kind, uint32_t n,
                                const char* label);

/* One recorded decision. `label` points to a string owned by the caller that
 * must stay valid for the run (string literals, or sim_intern()). */
typedef struct sim_decision {
  uint16_t kind;
  uint32_t n;
  uint32_t choice;
  const char* label;
} sim_decision;

/* Limits on everything: a run that exceeds one is a finding, not a hang. */
#define SIM_DECISIONS_MAX_DEFAULT 1000000u
#define SIM_LABEL_MAX 120

/* -------------------------------------------------------------- oracles */

/* What counts as a bug. Layers report; fuzz/ decides what to do with it.
 * The first report of a run wins (later ones are usually consequences). */
typedef enum sim_oracle {
  SIM_BUG_NONE,
  SIM_BUG_CRASH,                /* signal in the child (fork mode)          */
  SIM_BUG_ASSERT,               /* assertion failure / abort                 */
  SIM_BUG_SANITIZER,            /* ASan/UBSan report                         */
  SIM_BUG_INVARIANT,            /* a scenario's own invariant                */
  SIM_BUG_UNHANDLED_REJECTION,  /* engine: rejection with no handler         */
  SIM_BUG_UNCAUGHT,             /* engine: uncaught exception in a callback  */
  SIM_BUG_HANG,                 /* loop alive, nothing can ever happen       */
  SIM_BUG_STEP_BUDGET,          /* too many loop iterations / decisions      */
  SIM_BUG_STARVATION,           /* nextTick/microtask chain never ends, or
                                   I/O callback starved past its deadline    */
  SIM_BUG_LEAK,                 /* handles left keeping the loop alive       */
  SIM_BUG_ORACLE_COUNT
} sim_oracle;

const char* sim_oracle_name(sim_oracle o);

typedef struct sim_failure {
  sim_oracle oracle;
  uint64_t time_ns;
  char where[96];               /* callback / handle label                   */
  char message[256];
} sim_failure;

/* ----------------------------------------------------------------- core */

typedef struct sim_event sim_event;

typedef struct sim_config {
  sim_source_type source;
  uint64_t seed;                /* SIM_SRC_SEED                         */
  const uint8_t* tape;          /* SIM_SRC_TAPE (not copied)            */
  size_t tape_len;
  const uint32_t* list;         /* SIM_SRC_LIST (not copied)            */
  size_t list_len;
  sim_chooser chooser;          /* SIM_SRC_CUSTOM                       */
  void* chooser_ctx;
  int keep_trace;               /* keep records for dump (else hash only) */
  int aggressive;               /* allow unsound choices (labelled)     */
  uint32_t decisions_max;       /* 0 = SIM_DECISIONS_MAX_DEFAULT        */
  uint64_t steps_max;           /* loop iterations; 0 = SIM_STEPS_MAX_DEFAULT */
  /* Replaying what a recorded run observed (sim_observe): the answers come
   * from this list and the real world is never looked at. */
  int replay_observed;
  const struct sim_observation* observed;   /* not copied */
  size_t nobserved;
} sim_config;

#define SIM_STEPS_MAX_DEFAULT 10000000ull

struct sim {
  sim_config cfg;
  uint64_t now_ns;              /* virtual clock; only moves forward    */
  sim_rng rng;
  size_t tape_pos;
  size_t list_pos;

  /* decision log (always kept: it is the reproducer) */
  sim_decision* log;
  size_t log_len, log_cap;
  uint32_t nonzero;             /* decisions that left the natural order */
  int budget_exceeded;
  uint64_t steps;               /* loop iterations so far (loop/ counts)  */

  /* the first failure of the run (oracle SIM_BUG_NONE when none) */
  sim_failure failure;

  /* event queue: binary min-heap of pointers, by (time, seq) */
  sim_event** heap;
  size_t heap_len, heap_cap;
  uint64_t next_seq;

  /* trace */
  uint64_t trace_hash;
  uint64_t trace_len;
  struct sim_trace_rec* recs;
  size_t recs_len, recs_cap;

  /* interned labels: one arena, reset per run */
  char* arena;
  size_t arena_len, arena_cap;
  struct sim_arena_block* arena_old;

  /* what the run observed of descriptors it does not own (sim_observe) */
  struct sim_observation* obs;
  size_t obs_len, obs_cap;
  size_t obs_pos;               /* replay: the next recorded observation */
};

/* Initialise / reset a world. sim_reset keeps allocations (fast path for
 * campaigns running many schedules in one process). */
void sim_init(sim* s, const sim_config* cfg);
void sim_reset(sim* s, const sim_config* cfg);
void sim_free(sim* s);

/* The process-wide current world. The loop layer asks it for every decision.
 * sim_current() never returns NULL: a default world (seed 0, every choice 0
 * unless UVSIM_SEED is set) is created on first use. */
sim* sim_current(void);
void sim_set_current(sim* s);

/* The one source of nondeterminism. Returns 0..n-1; n == 1 returns 0 without
 * recording anything (there is nothing to decide). n must be > 0. */
uint32_t sim_choose(sim* s, sim_kind kind, uint32_t n, const char* label);

/* Copy a label into the run's arena (valid until the next reset). */
const char* sim_intern(sim* s, const char* label);
const char* sim_internf(sim* s, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Report a bug. Only the first report of a run is kept; it is also traced
 * (so the hash covers it). Layers that drive callbacks stop the run promptly
 * once sim_failed() is true. */
void sim_fail(sim* s, sim_oracle oracle, const char* where, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int sim_failed(const sim* s) {
  return s->failure.oracle != SIM_BUG_NONE;
}

/* Virtual clock. */
static inline uint64_t sim_now(const sim* s) { return s->now_ns; }
void sim_advance_to(sim* s, uint64_t t_ns);  /* asserts t >= now */

/* ---------------------------------------------------------- event queue */

/* Intrusive: embed sim_event in the owner. Ordered by (time, seq); seq is the
 * insertion order, so equal times fire in the order they were scheduled. */
typedef void (*sim_event_fn)(sim* s, sim_event* ev);

struct sim_event {
  uint64_t time_ns;
  uint64_t seq;
  sim_event_fn fire;
  const char* label;
  size_t heap_index;   /* SIZE_MAX when not queued */
};

void sim_event_init(sim_event* ev, sim_event_fn fire, const char* label);
void sim_event_schedule(sim* s, sim_event* ev, uint64_t time_ns);
void sim_event_cancel(sim* s, sim_event* ev);
static inline int sim_event_queued(const sim_event* ev) {
  return ev->heap_index != (size_t)-1;
}
sim_event* sim_event_peek(const sim* s);
/* Pops the earliest event without firing it (NULL when empty). */
sim_event* sim_event_pop(sim* s);
/* Pops the earliest event due at or before `now`, advances nothing, fires it.
 * Returns 1 if one fired. */
int sim_event_fire_due(sim* s);

/* ---------------------------------------------------------------- trace */

typedef enum sim_trace_type {
  SIM_TR_DECISION,
  SIM_TR_CALLBACK,   /* a callback was delivered                 */
  SIM_TR_NOTE        /* free text from a layer (oracle, fault…)  */
} sim_trace_type;

typedef struct sim_trace_rec {
  uint8_t type;
  uint16_t kind;     /* decision kind                              */
  uint32_t n, choice;
  uint64_t time_ns;
  const char* label;
} sim_trace_rec;

/* Every decision is traced by sim_choose (sim_trace_decision); layers add
 * delivered callbacks. */
void sim_trace_decision(sim* s, sim_kind kind, uint32_t n, uint32_t choice,
                        const char* label);
void sim_trace_callback(sim* s, const char* label);
void sim_trace_note(sim* s, const char* label);
/* The hash is independent of addresses and of keep_trace. */
static inline uint64_t sim_trace_hash(const sim* s) { return s->trace_hash; }
/* One line per record: "t=<ns> D <kind> <choice>/<n> <label>" or
 * "t=<ns> C <label>". */
void sim_trace_dump(const sim* s, FILE* out);

/* The exit report of a program run unchanged (UVSIM_REPORT_FD, for `uvsim
 * exec`): written at exit or on a crash; call it before an _exit. */
void sim_report_now(void);
/* The fork server (loop/forkserver.c): a child forked at the default
 * loop's first uv_run reports to its own file (and not the server's). */
void sim_report_retarget(const char* path);
/* Where answers come from, changed before the first decision (asserted):
 * the fork server's child takes its own seed or tape. */
void sim_set_source(sim* s, const sim_config* src);
/* A tape file's bytes (malloc'd; *len may be 0). 0, or -1 with a one-line
 * reason in err. */
int sim_tape_read(const char* path, uint8_t** bytes, size_t* len, char* err,
                  size_t errlen);

/* ---------------------------------------------------------- observations
 *
 * A few things a run may touch are real and not simulated: a descriptor the
 * program made itself (a socketpair another language's event loop uses for
 * its wake-ups) and polls with uv_poll. The loop looks at it for real
 * (loop/poll.c) and what it saw is not a decision, it is a fact of that
 * run: recorded here, written to the reproducer (`observed` lines), and
 * handed back unchanged by a replay, which never looks at the real
 * descriptor. Only non-zero observations are recorded: the k-th look at a
 * label (counting the ones that saw nothing) saw `value`. Each one is a
 * trace note, so the hash covers it. */
typedef struct sim_observation {
  uint64_t seq;                 /* the k-th look at this label, from 0     */
  uint32_t value;               /* what it saw (non-zero; the caller's bits) */
  const char* label;
} sim_observation;

#define SIM_OBSERVED_MAX 1000000u

/* 1 when observations come from a recording: do not look. */
static inline int sim_observe_replaying(const sim* s) {
  return s->cfg.replay_observed;
}
/* The answer for the seq-th look at `label`: `real` (recorded when
 * non-zero), or in a replay what the recording says (0 when nothing). */
uint32_t sim_observe(sim* s, const char* label, uint64_t seq, uint32_t real);
/* Recorded observations a replay has not handed out yet. */
size_t sim_observe_left(const sim* s);
/* The run's observations as "o SEQ VALUE LABEL" lines (the exit report of
 * a program run unchanged; async-signal-safe: no stdio). */
void sim_observe_report(const sim* s, int fd);

/* ------------------------------------------------------------ reproducer */

/* A reproducer (*.uvsim): line-based, versioned text.
 *
 *   uvsim-reproducer 1
 *   version 0.1.0
 *   scenario lost_update/buggy
 *   strategy random
 *   seed 42
 *   mode sound
 *   signature invariant: balance lost an update     (optional)
 *   hash 0123456789abcdef                           (optional)
 *   fault <spec>                                    (optional, repeated)
 *   map <sim>=<host>[,ro|,snapshot]                 (optional, repeated)
 *   node /usr/bin/node v18.20.4          (optional: a real program, `uvsim node`)
 *   script /abs/app.js                   (with node: the script ...)
 *   script-sha256 <64 hex digits>        (... and what it held)
 *   program /abs/prog                    (optional: a real program, `uvsim exec` ...)
 *   program-sha256 <64 hex digits>       (... and what its file held)
 *   cwd /abs/dir                         (optional: where the program started)
 *   arg <one argument>                   (optional, repeated, in order; with
 *                                         program: argv[0] first)
 *   output <16 hex> <16 hex>             (optional: the run's stdout and stderr
 *                                         hashes, as `uvsim exec` compares runs)
 *   child 1 spawn 0                      (optional, repeated: what child
 *   child 1 out 1 68690a                  processes did, sim/sim_child.h)
 *   child 1 exit 0 0
 *   child 1 step
 *   observed 12 1 poll:on_wakeup         (optional, repeated: sim_observe)
 *   decisions 2
 *   pool_finish 1/2 fs.stat b
 *   read_split 5/12 tcp#1 read
 *   end
 *
 * '#' starts a comment line; blank lines are ignored. */
#define SIM_REPRO_FAULTS_MAX 64
#define SIM_REPRO_LINE_MAX 1024
/* Mapped host directories the run had (docs/world.md), in the same form as
 * UVSIM_FS_MAP; as many as the filesystem allows at once. */
#define SIM_REPRO_MAPS_MAX 8
#define SIM_REPRO_MAP_MAX (SIM_REPRO_LINE_MAX - 4)
#define SIM_REPRO_ARGS_MAX 32
#define SIM_REPRO_ARG_MAX 256

typedef struct sim_repro {
  char scenario[128];
  char version[32];
  char strategy[32];
  char signature[256];
  uint64_t seed;
  int aggressive;
  int has_hash;
  uint64_t hash;
  size_t nfaults;
  char faults[SIM_REPRO_FAULTS_MAX][128];
  size_t nmaps;
  char maps[SIM_REPRO_MAPS_MAX][SIM_REPRO_MAP_MAX];
  /* a real program under `uvsim node` (empty node: a scenario) */
  char node[512];
  char node_version[32];
  char script[SIM_REPRO_MAP_MAX];
  char script_sha256[65];
  /* a real program under `uvsim exec` (empty program: none); its argv,
   * argv[0] included, is in args */
  char program[SIM_REPRO_MAP_MAX];
  char program_sha256[65];
  int has_output;               /* an `output` line: */
  uint64_t out_hash, err_hash;  /* what the run printed (cli/exec.c's hashes) */
  char cwd[SIM_REPRO_MAP_MAX];
  size_t nargs;
  char args[SIM_REPRO_ARGS_MAX][SIM_REPRO_ARG_MAX];
  size_t ndecisions;
  sim_decision* decisions;   /* labels owned by the repro (strdup) */
  size_t nobserved;
  sim_observation* observed; /* labels owned by the repro (strdup) */
  /* what the run's child processes did (`child` lines, sim/sim_child.h):
   * a replay feeds it back instead of running them; none in older files */
  size_t nchild;
  struct sim_child_item* child;
} sim_repro;

void sim_repro_init(sim_repro* r);
void sim_repro_free(sim_repro* r);
/* Copies the decisions and observations of a run (labels duplicated). */
int sim_repro_take_log(sim_repro* r, const sim* s);
/* Flattens decisions to a choice list for SIM_SRC_LIST (caller frees). */
uint32_t* sim_repro_choices(const sim_repro* r);

/* Writes atomically: PATH.tmp.<pid> then rename. Returns 0 or -errno; on
 * error `err` (may be NULL) gets a one-line message. */
int sim_repro_write(const sim_repro* r, const char* path, char* err,
                    size_t errlen);
int sim_repro_fprint(const sim_repro* r, FILE* out);
/* Strict reader. On error returns -1 and `err` gets "file:line: what". */
int sim_repro_read(sim_repro* r, const char* path, char* err, size_t errlen);
int sim_repro_parse(sim_repro* r, const char* name, const char* text,
                    char* err, size_t errlen);

/* Write a file atomically (temp + rename). Shared by every artifact writer. */
int sim_write_atomic(const char* path, const void* data, size_t len,
                     char* err, size_t errlen);

#endif /* UVSIM_SIM_SIM_H */
