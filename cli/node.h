/* cli/node.h — `uvsim node`: real Node programs on the virtual loop
 * (node.c), on top of the process-per-run machinery of exec.h. */
#ifndef UVSIM_CLI_NODE_H
#define UVSIM_CLI_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "cli/exec.h"

typedef struct node_opts {
  char node[4096];              /* the node binary (absolute) */
  char version[32];             /* what it says to --version */
  char script[4096];            /* absolute path, or "-e" */
  char sha256[65];              /* of the script's bytes (or the -e code) */
  char corpus[4096];            /* where reproducers go */
  int minimize;                 /* minimise and explain each failure */
  uint64_t replay_seed;         /* the seed V8 gets while replaying */
  size_t user_maps;             /* o->maps' first bytes: the --map options */
} node_opts;

/* `uvsim node ...` and its help text. */
int cli_cmd_node(int argc, char** argv);
const char* cli_node_usage(void);
/* JS scenarios (scenarios/js/NAME.js, variants buggy and fixed): their
 * count, and a campaign of one under node mode for `uvsim run`. */
typedef struct node_scenario {
  char name[128];               /* "js-NAME" */
  char script[4096];
  char description[256];
  uint32_t runs;                /* its "// runs: N" line, else 0 */
} node_scenario;
size_t cli_node_scenarios(const node_scenario** out);
int cli_node_scenario_run(const node_scenario* sc, const char* variant, uint64_t runs,
                          uint64_t seed, uint32_t jobs, const char* corpus, int minimize,
                          exec_summary* sum);
/* The JS scenarios as scenario entries (run == NULL), two per file, and
 * one variant's campaign told as a C campaign (fuzz.h's fz_campaign). */
struct uvsim_scenario;
struct fz_campaign;
size_t cli_node_scenario_entries(const struct uvsim_scenario** out);
int cli_node_scenario_campaign(const struct uvsim_scenario* sc, uint64_t runs,
                               uint64_t seed, uint32_t jobs, const char* corpus,
                               int minimize, struct fz_campaign* c);
/* A node campaign's summary as a fz_campaign of scenario sc. */
int cli_node_campaign_of(const struct uvsim_scenario* sc, const exec_summary* sum,
                         uint64_t seed, struct fz_campaign* c);
/* `uvsim replay FILE` for a reproducer with a 'node' line. */
int cli_node_replay(const char* file, int argc, char** argv);

/* For exec.c: a run's argv (V8's seed follows the schedule's); the thrown
 * error and top frame in a run's stderr; the signature built from them;
 * what to do with a new failure; the natural order's determinism check. */
char** cli_node_argv(const exec_opts* o, const uint64_t* seed);
/* The argv a run starts with: cli_node_argv's, with seed 0's V8 seed (the
 * run's own is set at its first uv_run: loop/det/det.c). */
char** cli_node_start_argv(const exec_opts* o, const uint64_t* seed);
void cli_node_error_of(const char* err, char* error, size_t errlen, char* frame,
                   size_t framelen);
void cli_node_signature(const exec_result* r, char* out, size_t outlen);
void cli_node_report_failure(const exec_opts* o, const char* sig, const uint64_t* seed,
                         const exec_result* r, int replays, char* path, size_t pathlen);
void cli_node_check_natural(const exec_opts* o, const exec_result* base);
/* Options as `uvsim node ARGV...` would take them (argv[0..1] = "uvsim",
 * "node"): 0, 1 for --help, -1 after a usage error. */
int cli_node_setup(int argc, char** argv, exec_opts* o, node_opts* n);
/* `uvsim node` with this run's options (the node, libuvsim, the --map
 * options, node's flags, the script and its arguments), for a replay line
 * (exec_fuzz.c: with UVSIM_TAPE=FILE before it). */
void cli_node_command_line(const exec_opts* o, char* out, size_t len);
/* The environment of a run (exec.c). */
void cli_exec_child_env(const exec_opts* o, const uint64_t* seed);

#endif
