/* fuzz/node.h — `uvsim node`: real Node programs on the virtual loop
 * (node.c), on top of the process-per-run machinery of exec.h. */
#ifndef UVSIM_FUZZ_NODE_H
#define UVSIM_FUZZ_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "exec.h"

typedef struct node_opts {
  char node[4096];              /* the node binary (absolute) */
  char version[32];             /* what it says to --version */
  char script[4096];            /* absolute path, or "-e" */
  char sha256[65];              /* of the script's bytes (or the -e code) */
  char corpus[4096];            /* where reproducers go */
  int minimize;                 /* minimise and explain each failure */
  uint64_t replay_seed;         /* the seed V8 gets while replaying */
} node_opts;

/* `uvsim node ...` and its help text. */
int uvs_cmd_node(int argc, char** argv);
const char* uvs_node_usage(void);
/* `uvsim replay FILE` for a reproducer with a 'node' line. */
int uvs_node_replay(const char* file, int argc, char** argv);

/* For exec.c: a run's argv (V8's seed follows the schedule's); the thrown
 * error and top frame in a run's stderr; the signature built from them;
 * what to do with a new failure; the natural order's determinism check. */
char** node_argv(const exec_opts* o, const uint64_t* seed);
void node_error_of(const char* err, char* error, size_t errlen, char* frame,
                   size_t framelen);
void node_signature(const xresult* r, char* out, size_t outlen);
void node_report_failure(const exec_opts* o, const char* sig, const uint64_t* seed,
                         const xresult* r, int replays);
void node_check_natural(const exec_opts* o, const xresult* base);
/* The environment of a run (exec.c). */
void exec_child_env(const exec_opts* o, const uint64_t* seed);

#endif
