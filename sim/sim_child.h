/* sim/sim_child.h — child processes of the simulated program: real
 * processes (fork/exec, real socketpairs) whose doings enter the simulation
 * only as a transcript.
 *
 * A child runs for real, at its own real speed. The simulation looks at it
 * only at *steps*, which the loop layer schedules at virtual times of its
 * choosing (loop/spawn.c, decision `child_event`). A step waits, in real
 * time, for the child to do something — write to one of its pipes, close
 * one, exit — and returns what it saw as items of the transcript: output
 * bytes on descriptor k, end of output on k, exit (status, signal). Virtual
 * time does not move while a step waits, so virtual time never depends on
 * how fast the real child is.
 *
 * Every item is appended to the run's transcript log (sim_child_log), which
 * reproducer files carry (`child` lines, sim.h). A replay hands the log of
 * the recorded run back (sim_child_replay_set) and the same children are
 * then not spawned at all: each step returns the recorded items, so the
 * replay is exact even if the child would now print something else. A
 * child the record does not know (an older file, a program that now spawns
 * one more) runs for real.
 *
 * What a step collects: it waits until the child does something, then
 * keeps collecting while more follows within SIM_CHILD_SETTLE_NS. A child
 * that prints and exits (echo) is seen complete in one step, run after
 * run; one that talks over time is seen in several steps, and how its
 * output falls into steps depends on real timing: that is what the record
 * is for. With `max_wait_ns` (the loop has other things to do) a step gives
 * up after that much real time and returns nothing.
 */
#ifndef UVSIM_SIM_SIM_CHILD_H
#define UVSIM_SIM_SIM_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define SIM_CHILD_STDIO_MAX 16
#define SIM_CHILD_SETTLE_NS 10000000ull      /* 10 ms of real time */

/* How one of the child's descriptors 0..n-1 is set up. */
typedef enum sim_child_stdio_kind {
  SIM_CHILD_IGNORE,     /* /dev/null for 0-2, closed above               */
  SIM_CHILD_INHERIT,    /* a real descriptor of this process (`fd`)      */
  SIM_CHILD_PIPE,       /* a real socketpair; the program's end is here  */
  SIM_CHILD_SHARE,      /* the same pipe as descriptor `fd` (< this one):
                         * what the child writes on either arrives in one
                         * stream, in the order written, reported as `fd` */
  SIM_CHILD_SOCKET,     /* a fresh real TCP socket of family `fd`, bound to
                         * the loopback address (port 0), listening when
                         * `listen` */
  SIM_CHILD_LEND        /* the program's end of another child's pipe
                         * (`from`, its descriptor `fd`): the two children
                         * talk directly; `from`'s output on it is not read
                         * while this child runs (it reads it) */
} sim_child_stdio_kind;

typedef struct sim_child_spec {
  const char* file;
  char* const* args;
  char* const* env;             /* NULL: this process's environment */
  const char* cwd;              /* NULL: this process's */
  int detached;                 /* setsid(2) */
  int set_uid, set_gid;
  uid_t uid;
  gid_t gid;
  int nstdio;
  struct {
    sim_child_stdio_kind kind;
    int fd;                     /* INHERIT, SHARE: a descriptor; SOCKET: a family */
    int listen;                 /* SOCKET */
    struct sim_child* from;     /* LEND */
  } stdio[SIM_CHILD_STDIO_MAX];
} sim_child_spec;

/* One item of a transcript. */
typedef enum sim_child_item_type {
  SIM_CHILD_SPAWN,      /* a = 0 or the spawn's -errno                    */
  SIM_CHILD_OUT,        /* data/len written by the child on `fd`          */
  SIM_CHILD_EOF,        /* the child's end of `fd` closed                 */
  SIM_CHILD_EXIT,       /* a = exit status, b = terminating signal        */
  SIM_CHILD_STEP        /* the end of one step                            */
} sim_child_item_type;

typedef struct sim_child_item {
  int child;            /* the child's number in the run, spawn order, 1.. */
  int type;             /* sim_child_item_type */
  int fd;
  int a, b;
  size_t len;
  char* data;           /* owned by the log */
} sim_child_item;

typedef struct sim_child sim_child;

/* Starts a child (or, replaying, takes its recorded start). Returns 0 and
 * the child, or the spawn's -errno (ENOENT for a missing file, as libuv
 * reports exec errors) and *out NULL. `fds` receives the program's end of
 * each SIM_CHILD_PIPE descriptor (-1 when replaying: no real pipe). */
int sim_child_spawn(const sim_child_spec* spec, sim_child** out);
/* The child's number in the run (1, 2, ...). */
int sim_child_number(const sim_child* c);
/* 1 when the child's transcript comes from a record (nothing real runs). */
int sim_child_replaying(const sim_child* c);
/* The real pid (0 when replaying). */
pid_t sim_child_real_pid(const sim_child* c);

/* One step: the items seen (appended to the log), through *items and *n,
 * valid until the next call into this module. max_wait_ns: UINT64_MAX to
 * wait as long as the child needs, else a real-time bound. */
void sim_child_step(sim_child* c, uint64_t max_wait_ns,
                    const sim_child_item** items, size_t* n);
/* 1 once the child exited and every output descriptor ended. */
int sim_child_done(const sim_child* c);

/* Bytes the program wrote to the child's descriptor `fd` (a pipe): sent to
 * the real child (dropped when replaying). end: no more input (shutdown of
 * the program's end). */
void sim_child_input(sim_child* c, int fd, const void* data, size_t len);
void sim_child_input_end(sim_child* c, int fd);
/* The program closed its end of `fd`: the real end is closed too. */
void sim_child_close_fd(sim_child* c, int fd);

/* kill(2) to the real child; 0 when replaying or when it already exited
 * (still a zombie to the program until its exit is delivered). */
int sim_child_kill(sim_child* c, int signum);
/* kill(2) to a real process that descends from this one: a child's child
 * (also one orphaned since: real_spawn makes this process their
 * subreaper), which the program learnt the real pid of from a child's
 * output. 0, the signal's -errno, or -ESRCH when `pid` is no descendant
 * (or this process itself, or gone). Signal 0 only checks. Looks at the
 * real world: the caller records what it answered (loop/spawn.c). */
int sim_child_signal_descendant(pid_t pid, int signum);
/* The program is done with the child (its handle closed): its descriptors
 * are closed; a child still running is reaped later. */
void sim_child_release(sim_child* c);

/* A scripted child for this run (scenarios: no real process per run): the
 * next spawn of `file` (compared as given) runs nothing; in its first step
 * the child writes `out` on descriptor 1 (when a pipe), every pipe ends,
 * and it exits with `status` or `signal`. Scripts are forgotten at
 * sim_child_reset. 0 or -EINVAL. */
int sim_child_script(const char* file, const void* out, size_t len, int status, int signal);

/* The run's transcript: every child's items, in the order seen. */
const sim_child_item* sim_child_log(size_t* n);
/* Replaying: the transcript a reproducer recorded (copied); NULL/0 ends
 * replay mode. Kept across sim_child_reset until changed. */
void sim_child_replay_set(const sim_child_item* items, size_t n);
/* Forgets the run's children and log (at every world begin). Real children
 * still running are left to run and reaped when they end. */
void sim_child_reset(void);

/* Reproducer lines: "child 1 spawn 0", "child 1 out 1 68690a" (hex; a
 * long chunk goes on in "child 1 more 6c6c" lines), "child 1 eof 1",
 * "child 1 exit 0 0", "child 1 step". The printer writes every item; the
 * parser takes the text after "child " and appends to (or, for "more",
 * extends) *items. Returns 0, or -1 with a reason in err. */
void sim_child_items_fprint(FILE* out, const sim_child_item* items, size_t n);
int sim_child_item_parse(const char* text, sim_child_item** items, size_t* n,
                         char* err, size_t errlen);
sim_child_item* sim_child_items_copy(const sim_child_item* items, size_t n);
void sim_child_items_free(sim_child_item* items, size_t n);

#endif /* UVSIM_SIM_SIM_CHILD_H */
