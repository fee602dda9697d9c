/* loop/os.h — what the simulated machine's files (os.c: the machine and its
 * user; random.c: uv_random; signal.c: signal handles) share with the rest
 * of loop/: the reset at the run boundary and signal delivery.
 *
 * The machine is a fixed, documented one (docs/loop.md, "The machine"):
 * nothing here reads the real host. */
#ifndef UVSIM_LOOP_OS_H
#define UVSIM_LOOP_OS_H

#include <stdint.h>

/* The simulated user (sim/sim_fs.c gives every file the same owner). Not root:
 * Linux's rules for an unprivileged process apply (uv_os_setpriority). */
#define UVS__USER_UID 1000u
#define UVS__USER_GID 1000u

/* Forgets the state of the previous run: the priorities set, the position
 * of uv_random's byte stream, the registry of started signal handles.
 * Called by uvs__loop_globals_reset at uvsim_world_begin. */
void uvs__os_reset(void);
void uvs__random_reset(void);
/* 1 once uv_random drew from this run's stream (the fork server refuses
 * to fork after that: the stream follows the seed, loop/forkserver.c). */
int uvs__random_drawn(void);
void uvs__signal_reset(void);
/* Forgets the run's inotify instances (loop/fs_event.c). */
void uvs__fs_event_reset(void);

/* Delivers `signum` to every started signal handle watching it, in every
 * loop, as libuv's signal handler does: each one's callback runs in its
 * loop's next poll phase (an I/O event, so several are ordered by
 * SIM_IO_ORDER). Call it on the loop thread, outside a signal handler.
 * Returns the number of handles notified (0: nobody watches signum; the
 * caller decides what an unwatched signal does to the process). */
int uvs__signal_deliver(int signum);

/* Scheduling points: signals the program raised itself (raise(3), kill(2))
 * since the last call are delivered (loop/core.c: uv_run's entry and the
 * poll phase). uvs__signal_tick does that and counts a callback for the
 * `signal` fault rules (after every callback, loop/world.c). */
void uvs__signal_poll(void);
/* Makes the fault rules' signals arrive here (done at every world begin
 * and whenever a program adds a rule itself). */
void uvs__signal_hook(void);
void uvs__signal_tick(void);
/* Nothing else can happen: 1 when a real signal from outside came within a
 * bounded real wait, while a handle watches one (or, in a replay, when
 * recorded observations remain). */
int uvs__signal_wait_outside(void);

/* A signal nobody handles whose default action ends the process: a crash
 * finding in a campaign, else the real default action after the exit
 * report (loop/world.c). `name` may be NULL. */
void uvs__killed_by(int signum, const char* name);

#endif
