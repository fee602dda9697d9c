/* cli/exec_repro.h — reproducers of programs run unchanged (exec_repro.c):
 * what `uvsim exec` and `uvsim node` write for each new failure signature
 * (the run's decisions, what it saw outside the simulation, its children's
 * transcripts), minimised and replayed twice before it is kept, and what
 * `uvsim replay FILE` does with one. node.c and exec.c add only their own
 * header lines: node's script, exec's program. */
#ifndef UVSIM_CLI_EXEC_REPRO_H
#define UVSIM_CLI_EXEC_REPRO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/exec.h"

struct sim_repro;

/* The program's own lines of a reproducer (scenario, node or program,
 * cwd, args): 0, or -1 with `why` saying why there is no reproducer. */
typedef int (*cli_repro_fill_fn)(const exec_opts* o, struct sim_repro* rep, char* why,
                                 size_t whylen);

typedef struct cli_repro_kind {
  const char* what;             /* "node", "exec": in messages */
  cli_repro_fill_fn fill;
  const char* dir;              /* where the program's reproducers go */
  int minimize;                 /* minimise (else: written as found) */
  int output;                   /* record the run's output hashes */
} cli_repro_kind;

/* A new failure signature's reproducer: written to DIR/HASH.uvsim,
 * minimised (when `replays`: the failure replayed as a process, and
 * k->minimize), replayed twice, and the failure block's lines about it
 * ("  reproducer: ...", its decisive decisions, "  replay: uvsim replay
 * PATH"). `saved` gets the path. */
void cli_repro_report_failure(const exec_opts* o, const cli_repro_kind* k, const char* sig,
                              const uint64_t* seed, const exec_result* r, int replays,
                              char* saved, size_t savedlen);

/* `uvsim replay`: a program (`what`: "script", "program") whose SHA-256 is
 * `now`, recorded as `recorded`: a note (decisions matched by label), or
 * under --strict a usage error. 0, or EXIT_USAGE. */
int cli_repro_check_sha(const char* file, const char* what, const char* path,
                        const char* now, const char* recorded, int strict);
/* Runs o (o->replay: the file) once and tells how it matched rep:
 * "program: DESC (N decisions recorded)", the outcome, the account, the
 * verdict (cli_replay_verdict). `binary`: what could not be run, if so.
 * Exit status. */
int cli_repro_replay(exec_opts* o, const struct sim_repro* rep, int strict, const char* desc,
                     const char* binary);
/* s as one shell word. */
void cli_repro_put_word(FILE* f, const char* s);
/* `uvsim replay FILE [--strict]`'s start, node's and exec's: reads FILE
 * into rep and says whether --strict was given; 0, or -1 with the reason
 * printed (a usage error). */
int cli_repro_open(const char* file, int argc, char** argv, struct sim_repro* rep,
                   int* strict);

/* `uvsim exec`'s reproducers (exec_repro.c): written into o->corpus
 * (default corpus) under exec-PROGRAM/, and replayed. */
void cli_exec_report_repro(const exec_opts* o, const char* sig, const uint64_t* seed,
                           const exec_result* r, int replays, char* saved, size_t savedlen);
int cli_exec_replay(const char* file, int argc, char** argv);
/* What a reproducer file is: 'n' `uvsim node`'s (it names a node and a
 * script), 'e' `uvsim exec`'s (a program), 0 another (or unreadable). */
int cli_repro_program_kind(const char* file);

#endif
