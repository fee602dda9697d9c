/* cli/cli.h — helpers shared by the uvsim commands (main.c, exec.c).
 * Bad input is one line on stderr ("uvsim: ... (see uvsim help)") and exit
 * status 2; the parsers print it themselves and return -1. */
#ifndef UVSIM_CLI_CLI_H
#define UVSIM_CLI_CLI_H

#include <stdint.h>

#define EXIT_BUG 1
#define EXIT_USAGE 2
/* An output (reproducer, report, stdout) could not be written: not the
 * same as "the bug did not reproduce". */
#define EXIT_WRITE 3

/* Prints the message and returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int cli_usage_error(const char* fmt, ...);
int cli_is_help(const char* a);
/* Strict (sim_parse_u64): the whole string, base 10 only, no sign, no
 * overflow; "010" is 10. */
int cli_parse_u64(const char* flag, const char* v, uint64_t* out);
int cli_parse_u32(const char* flag, const char* v, uint32_t* out);
/* "DOF,PCT" with PCT <= 100. */
int cli_parse_pair(const char* flag, const char* v, uint32_t* a, uint32_t* b);
/* "I/N" with 1 <= I <= N (--shard): *index gets I - 1 (0-based). */
int cli_parse_shard(const char* flag, const char* v, uint32_t* index, uint32_t* count);
/* A positive number of seconds (fractions allowed). */
int cli_parse_seconds(const char* flag, const char* v, double* out);

/* The strategy options `uvsim run`, `exec` and `node` share: --strategy
 * NAME (into *kind), --slow, and the strategies' settings (--bias-max,
 * --pct-depth, --pct-k, --nodefz-pool/io DOF,PCT, --nodefz-timer/other
 * PCT, --dfs-depth, --dfs-branch, --dfs-nonzero) into p. 0 when `a` is
 * none of them; else how many arguments it took (1 or 2); -1 after the
 * one-line error for a bad value. */
struct sim_strategy_params;
int cli_strategy_option(const char* a, const char* v, int* kind,
                        struct sim_strategy_params* p);

/* An output directory given by FLAG: refused with one line (EXIT_USAGE)
 * when empty or not writable, before any work; created when missing. */
int cli_out_dir(const char* flag, const char* dir);
/* Holds DIR/.uvsim.lock until the process ends, so that two campaigns
 * never write into one directory at once: the second waits, saying so. */
int cli_lock_dir(const char* dir);
/* Flushes stdout and reports a write error on it (a full disk, a closed
 * pipe) as one line; returns rc, or EXIT_WRITE when stdout failed. */
int cli_finish_stdout(int rc);

/* The end of a replay (`uvsim replay`, scenario or node): whether the run
 * matched the file, the trace hash, and the verdict — "reproduced exactly"
 * (same signature and hash, every decision matched), "reproduced (same
 * failure...)" (not with `strict`), or "NOT reproduced". `sig` is the run's
 * signature ("" or "pass" when it passed). Returns the exit status. */
struct sim_repro;
struct sim_replay;
int cli_replay_verdict(const struct sim_repro* r, const char* sig, uint64_t hash,
                       const struct sim_replay* acct, int strict);
/* The same for a file that recorded the run's output (`uvsim exec`'s):
 * out_same 1 or 0 says whether the replay printed the same; exact needs
 * it too (-1: nothing recorded, as cli_replay_verdict). */
int cli_replay_verdict_output(const struct sim_repro* r, const char* sig, uint64_t hash,
                              const struct sim_replay* acct, int strict, int out_same);

/* `uvsim exec` (exec.c): the command and its help text. */
int cli_cmd_exec(int argc, char** argv);
const char* cli_exec_usage(void);

#endif
