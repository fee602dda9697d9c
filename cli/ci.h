/* cli/ci.h — `--junit FILE` and `--json` for uvsim run, exec and node: the
 * flags and where their output goes (reports/junit.c writes it). */
#ifndef UVSIM_CLI_CI_H
#define UVSIM_CLI_CI_H

#include "cli/exec.h"
#include "reports/junit.h"

/* In a command's option loop: 0 when `a` is neither flag, 1 when it was
 * --json, 2 when it was --junit with its value `v`, -1 after a usage error. */
int cli_ci_option(const char* a, const char* v);
/* Either flag given. */
int cli_ci_wanted(void);
/* After parsing, before any output: with --json, what the command prints
 * goes to stderr from here on, and stdout is kept for the JSON. */
void cli_ci_begin(const char* command);
/* The cases so far (NULL without either flag). */
report_suite* cli_ci_suite(void);
/* One `uvsim exec` or `uvsim node` campaign as a case. */
void cli_ci_add_exec(const exec_opts* o, const exec_summary* sum);
/* Writes the JUnit file and the JSON; returns `status`, or EXIT_USAGE when
 * the JUnit file could not be written. */
int cli_ci_finish(int status);

#endif
