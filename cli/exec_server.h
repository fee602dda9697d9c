/* cli/exec_server.h — `uvsim exec`'s side of the fork server
 * (loop/forkserver.c is the program's side): the program starts once and
 * forks a fresh child per schedule at its first uv_run. exec.c starts the
 * program with the pipes, asks it for runs and waits for their status. */
#ifndef UVSIM_CLI_EXEC_SERVER_H
#define UVSIM_CLI_EXEC_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct exec_server {
  pid_t pid;                    /* the program, started once; 0: none */
  int ctl, st;                  /* our ends: requests out, status lines in */
  int their_ctl, their_st;      /* the program's ends, until it started */
  char* out_prefix;             /* what it printed before its first uv_run, */
  char* err_prefix;             /* which every run's output starts with */
  size_t out_len, err_len;
  char buf[512];                /* status bytes read, not yet a line */
  size_t have;
} exec_server;

enum { XSRV_READY = 1, XSRV_REFUSED = 0, XSRV_NONE = -1, XSRV_LATE = -2 };

/* The pipes. 0, or -errno. */
int cli_xsrv_open(exec_server* s);
/* In the started child, before exec: UVSIM_FORKSERVER names its ends. */
void cli_xsrv_child_env(const exec_server* s);
/* In exec, once the child started (pid): closes the program's ends. */
void cli_xsrv_started(exec_server* s, pid_t pid);
/* The program's first word, waited for until `deadline` (CLOCK_MONOTONIC
 * seconds): XSRV_READY, XSRV_REFUSED (`why` says why), XSRV_NONE (it
 * exited or closed the pipes without reaching uv_run), XSRV_LATE. */
int cli_xsrv_hello(exec_server* s, double deadline, char* why, size_t whylen);
/* After XSRV_READY: keeps what the program printed so far. */
void cli_xsrv_take_prefix(exec_server* s, FILE* out, FILE* err);
/* Asks the server for one run (KIND SEED PREFIX, or "strategy SEED SPEC
 * PREFIX" when spec is not NULL): 0 once the request is written, -1 when
 * the server is gone. The server forks at once and says
 * the child's pid, read by cli_xsrv_pid: not waited for here, so that
 * exec goes on (other slots' runs) while the server forks. */
int cli_xsrv_request(exec_server* s, const char* kind, uint64_t seed,
                     const char* spec, const char* prefix);
/* The pid of the child (or worker) the last request started, or -1 (the server gone). */
pid_t cli_xsrv_pid(exec_server* s);
/* The run's wait status: 1 (in *status), 0 not within timeout_ms, -1 the
 * server is gone. */
int cli_xsrv_status(exec_server* s, int timeout_ms, int* status);
/* The runs whose status a server said, and those of them that its worker
 * ran restored in place ("status W restored": snapshot mode) rather than
 * in a fresh fork. */
extern uint64_t cli_xsrv_runs, cli_xsrv_restored;
/* Ends the server (and whatever it left) and reaps it. */
void cli_xsrv_close(exec_server* s);

#endif
