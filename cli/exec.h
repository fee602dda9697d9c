/* cli/exec.h — schedules of unchanged programs, one process per run:
 * `uvsim exec` (exec.c) and `uvsim node` (node.c) share this machinery. */
#ifndef UVSIM_CLI_EXEC_H
#define UVSIM_CLI_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim_strategy.h"

#define EXEC_SIG_LEN 384
#define EXEC_MAPS_LEN 8192

struct node_opts;

typedef struct exec_opts {
  uint64_t runs, seed;
  uint32_t jobs;
  double timeout_s;
  uint64_t memory_mb;           /* resident memory cap per run; 0: the default */
  double time_s;                /* 0: no time budget */
  int same_output, quiet;
  int no_fork_server;           /* --no-fork-server: a process per run */
  int no_snapshot;              /* --no-snapshot: the server forks per run */
  int fuzz;                     /* --fuzz: coverage-guided over tapes */
  int stop_at_first;            /* --stop-at-first: no run after the first
                                   failing one (benchmarks time to a bug) */
  char fuzz_out[4096];          /* --out: where findings' tapes go */
  const uint8_t* tape;          /* the next runs' tape (UVSIM_TAPE), when */
  size_t tape_len;              /* tape_on; else seeds */
  int tape_on;
  int ordcov_fd;                /* >0: a map the runs fill (UVSIM_ORDCOV_FD) */
  int strategy_on;              /* --strategy: seeded runs are its schedules
                                   (else UVSIM_SEED's uniform source) */
  sim_strategy_kind strategy;
  sim_strategy_params params;   /* its settings; params.slow: --slow */
  char spec[256];               /* the seeded runs' UVSIM_STRATEGY, made
                                   once the natural run gave pct its k;
                                   "" before and without --strategy (as
                                   long as the fork server takes one) */
  char runs_log[4096];          /* --runs-log: one line per run, or "" */
  char lib[4096];
  char preload[8192];           /* LD_PRELOAD: lib, after ASan's runtime in
                                   a sanitized build (see cli_exec_find_lib) */
  char maps[EXEC_MAPS_LEN];     /* UVSIM_FS_MAP value, ';'-joined */
  char lib_path[4096];          /* LD_LIBRARY_PATH to put first, or "" */
  char cwd[4096];               /* UVSIM_CWD: the program's simulated cwd */
  const char* replay;           /* UVSIM_REPLAY for the next run, or NULL */
  char** argv;                  /* the program and its arguments */
  const char* exe;              /* the file to run, or NULL: argv[0] (a
                                   replay runs the recorded program) */
  const char* corpus;           /* --corpus: where reproducers go (NULL:
                                   corpus; node's: node_opts) */
  int no_minimize;              /* --no-minimize: written as found */
  struct node_opts* node;       /* `uvsim node`: its extras, else NULL */
} exec_opts;

typedef enum { X_PASS, X_EXIT, X_SIGNAL, X_TIMEOUT, X_OUTPUT, X_MEMORY } xkind;

typedef struct exec_result {
  xkind kind;
  int code;                     /* exit status or signal number */
  uint64_t out_hash, err_hash;
  char line[256];               /* the stderr line that says most */
  char js_error[256];           /* node: the thrown error's first line */
  char js_frame[256];           /* node: its top stack frame */
  int traced;                   /* the program's uvsim report arrived: */
  uint64_t trace_hash;          /* the schedule it took, and how many */
  uint64_t decisions, nonzero;  /* decisions, how many off the natural */
  char* decision_lines;         /* "KIND C/N LABEL\n"..., malloc'd or NULL */
  char* world_lines;            /* what the run saw outside the simulation,
                                   as reproducer lines: "observed SEQ VALUE
                                   LABEL\n"..., then "child ...\n"... (the
                                   children's transcript); malloc'd or NULL */
  char* err_text;               /* the first 64 KiB of stderr, malloc'd */
} exec_result;

void cli_exec_result_free(exec_result* r);
/* Runs the program once: natural order (seed NULL) or a seeded schedule,
 * or o->replay's decisions. 0, or -errno when it could not start. */
int cli_exec_run_once(const exec_opts* o, const uint64_t* seed, exec_result* r);
/* The failure's signature, as exec and node group them. */
void cli_exec_signature(const exec_opts* o, const exec_result* r, char* out, size_t outlen);
/* Same exit, output and trace as the first time. */
int cli_exec_same_run(const exec_result* a, const exec_result* b);
/* LD_PRELOAD for `given` (or $UVSIM_LIB, or lib/libuvsim.so beside this
 * binary); a usage error when unreadable. */
int cli_exec_find_lib(exec_opts* o, const char* given);
/* The command line that replays a run (seed NULL: the natural order). */
void cli_exec_replay_line(const exec_opts* o, const uint64_t* seed, char* out, size_t len);
/* Checks a --map spec and appends it to o->maps. */
int cli_exec_add_map(exec_opts* o, const char* spec);
#define EXEC_SIGS_MAX 64

/* What a campaign found, for callers that report it (uvsim run). */
typedef struct exec_summary {
  uint64_t runs;                /* the natural order included */
  uint64_t failing;
  uint64_t first_fail;          /* 1-based run of the first failure; 0: none */
  size_t ntraces;               /* distinct schedules */
  double elapsed_s;
  size_t nsigs;
  char sigs[EXEC_SIGS_MAX][EXEC_SIG_LEN];
  uint64_t first_run[EXEC_SIGS_MAX];   /* 0: the natural order */
  uint64_t seed[EXEC_SIGS_MAX];
  uint64_t hits[EXEC_SIGS_MAX];
  char path[EXEC_SIGS_MAX][512];       /* node: the reproducer, or "" */
} exec_summary;

/* For --fuzz (cli/exec_fuzz.c): the natural order, through a fork
 * server where the program allows one (rc as cli_exec_run_once); one run
 * of o->tape; the end (servers stopped, strays reaped). */
int cli_exec_start(exec_opts* o, exec_result* base);
int cli_exec_run_tape(const exec_opts* o, exec_result* r);
void cli_exec_stop(void);
/* 1 while the runs go through a fork server. */
int cli_exec_served(void);
/* A failure's "replays:" line, after running it again as a process. */
int cli_exec_check_replay(const exec_opts* o, const uint64_t* seed,
                          const exec_result* r, const exec_result* base);
int cli_exec_fuzz(exec_opts* o);
/* --runs-log: opened (as FILE.tmp.PID) by cli_exec_start, one line per
 * run ("run R seed S: KIND CODE trace H stdout H stderr H"; `what` names
 * the schedule), renamed into place by cli_exec_stop. */
void cli_exec_log_run(uint64_t run, const char* what, const exec_result* r);
/* Opens --runs-log for a campaign (`uvsim node` too); 0, or a usage error. */
int cli_exec_log_open(const exec_opts* o);
/* After parsing: --strategy `kind` (-1: none given) into o, or a usage
 * error for what does not go with it. 0, or EXIT_USAGE. */
int cli_exec_strategy_check(exec_opts* o, int kind, const char* what);

/* The campaign: natural order, then o->runs seeded runs; `out` (may be
 * NULL) gets the summary. Exit status. */
int cli_exec_campaign(exec_opts* o, exec_summary* out);

#endif
