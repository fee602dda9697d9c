/* sim/sim_fault.h — fault injection for the simulated world.
 *
 * A fault set holds rules written as one-line specs (the text that
 * reproducer files carry in `fault <spec>` lines). Before each simulated
 * operation the loop layer asks sim_fault_check(); a matching rule turns the
 * operation into an error, a short transfer, or a latency spike.
 *
 * Spec syntax (keys in any order, separated by blanks):
 *
 *   OP [path=GLOB] [fd=N] [nth=K | after=N] [count=M|inf] [prob=1/N]
 *      [err=ENAME] [short=BYTES] [delay=DURATION]
 *
 *   OP      one operation (open close read write stat mkdir rmdir unlink
 *           rename fsync ftruncate scandir readdir copyfile link symlink
 *           readlink chmod utime access connect accept recv send dns) or a
 *           group: fs (every file operation), net (connect accept recv
 *           send), any.
 *   path=   fnmatch(3) glob on the operation's target: the file's path, the
 *           socket's "ip:port" or pipe path, the host name looked up.
 *   fd=     the descriptor or socket id the operation is on.
 *   nth=K   only the K-th matching call (1-based) = after=K-1 count=1.
 *   after=N the first N matching calls succeed ...
 *   count=M ... then M fail (default 1; "inf" = every one after).
 *   prob=1/N instead of counting: each matching call asks the decision
 *           stream (kind "fault", N options, choice 1 = inject); seeded
 *           runs then fault about once in N calls, and replays repeat it.
 *   err=    an errno name (ENOSPC, EIO, ECONNRESET...) or, for dns, an
 *           EAI name (EAI_AGAIN, EAI_FAIL, EAI_NONAME).
 *   short=  read/write/recv/send move at most BYTES (>= 1) this call.
 *   delay=  a latency spike: "500us", "20ms", "2s" (or "N" ns): the pool
 *           job of a file or dns operation takes that much longer (not on
 *           sockets, whose latency is a net_latency decision).
 *
 *   dgram   a UDP datagram sent, target = its destination "ip:port"; its
 *           effects are the words `loss` (never arrives) or `dup` (arrives
 *           twice, each copy with its own latency), or short=BYTES (only
 *           the first BYTES arrive: aggressive, a network does not cut a
 *           datagram). Not in the `any` group.
 *
 * At least one of err, short, delay (loss or dup for dgram).
 *
 * A `signal` rule sends the process a signal once, as if another process
 * had (graceful-shutdown bugs):
 *
 *   signal SIG at=DURATION         at that virtual time since the run began
 *   signal SIG after-callbacks=N   right after the N-th callback
 *   signal SIG prob=1/N            after each callback while the program
 *                                  watches SIG, a `fault` decision (choice
 *                                  1 = now), until it is sent
 *
 * ("at 250ms" with a blank works too). SIG is a name (SIGTERM or TERM) or
 * a number; SIGKILL, SIGSTOP and glibc's 32/33 are refused. The loop layer
 * gets it through the sim_faults_on_signal callback and counts callbacks
 * with sim_fault_signal_tick. Examples:
 *   write path=/data/?* nth=3 err=ENOSPC    the 3rd write under /data fails
 *   recv after=2 count=inf err=ECONNRESET   every recv after the 2nd resets
 *   fsync prob=1/20 err=EIO                 1 fsync in ~20 fails
 *   read short=1                            the next read returns one byte
 *
 * A rule is "aggressive" when its fault could not come from a real kernel
 * in that situation (e.g. ENOSPC from read, a short read on a regular file).
 * sim_fault_add refuses aggressive rules unless the world runs in aggressive
 * mode; sim_fault_aggressive() lets tools label them. Every fault taken is a
 * trace note (scripted) or a decision (prob=), so runs replay bit for bit.
 */
#ifndef UVSIM_SIM_SIM_FAULT_H
#define UVSIM_SIM_SIM_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

#define SIM_FAULT_RULES_MAX SIM_REPRO_FAULTS_MAX
#define SIM_FAULT_SPEC_MAX 128          /* = sim_repro.faults[] width      */

typedef enum sim_fault_op {
  SIM_FOP_OPEN, SIM_FOP_CLOSE, SIM_FOP_READ, SIM_FOP_WRITE, SIM_FOP_STAT,
  SIM_FOP_MKDIR, SIM_FOP_RMDIR, SIM_FOP_UNLINK, SIM_FOP_RENAME,
  SIM_FOP_FSYNC, SIM_FOP_FTRUNCATE, SIM_FOP_SCANDIR, SIM_FOP_READDIR,
  SIM_FOP_COPYFILE, SIM_FOP_LINK, SIM_FOP_SYMLINK, SIM_FOP_READLINK,
  SIM_FOP_CHMOD, SIM_FOP_UTIME, SIM_FOP_ACCESS,
  SIM_FOP_CONNECT, SIM_FOP_ACCEPT, SIM_FOP_RECV, SIM_FOP_SEND,
  SIM_FOP_DNS,
  SIM_FOP_DGRAM,        /* a UDP datagram sent (sim_dgram.c): loss dup short= */
  SIM_FOP_COUNT
} sim_fault_op;

const char* sim_fault_op_name(sim_fault_op op);

/* What a rule does to one call. err: positive errno (or a negative EAI_*
 * code for dns); 0 = none. short_max: 0 = no limit. */
typedef struct sim_fault_hit {
  int err;
  size_t short_max;
  uint64_t delay_ns;
  int drop;             /* dgram: the datagram is lost                   */
  int dup;              /* dgram: it arrives twice                       */
} sim_fault_hit;

typedef struct sim_faults sim_faults;

sim_faults* sim_faults_new(void);
void sim_faults_free(sim_faults* f);
/* Removes every rule. */
void sim_faults_clear(sim_faults* f);
/* Keeps the rules, restarts their counters (a new run of the same set). */
void sim_faults_rewind(sim_faults* f);
void sim_faults_attach(sim_faults* f, sim* s);  /* NULL: sim_current() */
sim_faults* sim_faults_current(void);

/* Parses one spec. 0 on success; -1 with a one-line message naming the
 * problem in `err` (e.g. "fault 'writ err=EIO': unknown operation 'writ'").
 * Aggressive rules are refused unless `aggressive` is set. */
int sim_fault_add(sim_faults* f, const char* spec, int aggressive, char* err,
                  size_t errlen);
/* Validates a spec without adding it; *is_aggressive tells its class. */
int sim_fault_parse_check(const char* spec, int* is_aggressive, char* err,
                          size_t errlen);
size_t sim_fault_count(const sim_faults* f);
const char* sim_fault_spec(const sim_faults* f, size_t i);
int sim_fault_aggressive(const sim_faults* f, size_t i);

/* Signal rules: `fn(signum)` is called when one fires (from an event of
 * the world for at=, from sim_fault_signal_tick otherwise), once per rule
 * per run. The loop layer calls sim_fault_signal_tick after every
 * callback. sim_signal_name: "SIGTERM", or NULL for a number without one. */
typedef void (*sim_fault_signal_fn)(int signum);
void sim_faults_on_signal(sim_faults* f, sim_fault_signal_fn fn);
/* `watched(signum)` (may be NULL): whether a prob= rule may ask now;
 * `after`: the label of the callback just run (the decision's label says
 * "fault signal SIGTERM after timer:on_accept"), or NULL. */
void sim_fault_signal_tick(sim_faults* f, int (*watched)(int signum), const char* after);
const char* sim_signal_name(int signum);

/* `external` rules: another process changes the simulated filesystem
 * once, at a virtual time (the external writer of file watchers):
 *
 *   external write PATH data=TEXT at=DURATION    replace the contents
 *   external append PATH data=TEXT at=DURATION
 *   external touch PATH at=DURATION              times to now
 *   external rename FROM TO at=DURATION
 *   external unlink PATH at=DURATION
 *
 * PATH is absolute; TEXT has no blanks (\s is a space, \n a newline).
 * Always sound. While one is being made, sim_fault_external answers 1
 * and *seq numbers it (the watchers' inotify model tells one external
 * change from the next, and both from the program's own). */
int sim_fault_external(const sim_faults* f, uint64_t* seq);

/* Called by the loop layer before an operation. Returns 1 and fills `hit`
 * when a rule applies (first matching rule wins; every matching rule still
 * counts the call), else 0. target may be NULL, fd may be -1. */
int sim_fault_check(sim_faults* f, sim_fault_op op, const char* target, int fd,
                    sim_fault_hit* hit);

#endif /* UVSIM_SIM_SIM_FAULT_H */
