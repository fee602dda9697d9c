/* uvsim/world.h — what a program under test may ask of the simulated world.
 * Implemented in loop/world.c (the library a program links). */
#ifndef UVSIM_WORLD_H
#define UVSIM_WORLD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A scenario's own invariant. On failure the run is a finding ("invariant"
 * oracle) with the message; the loop stops at the next callback boundary. */
void uvsim_invariant_failed(const char* where, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define UVSIM_CHECK(cond, ...)                                         \
  do {                                                                 \
    if (!(cond)) uvsim_invariant_failed(__func__, __VA_ARGS__);        \
  } while (0)

/* An explicit choice point of the program itself (kind "user"): 0..n-1,
 * 0 being what the program does when nothing is explored. */
uint32_t uvsim_choose(uint32_t n, const char* label);

/* The leak oracle ("leak"): when on, uv_loop_close that finds handles the
 * program never closed, or requests still in flight, is a finding (and
 * still answers UV_EBUSY, as libuv does). Off by default: real programs
 * may end with handles open. Per run: uvsim_world_begin sets it back to
 * UVSIM_LEAK_CHECK=0|1 from the environment (default 0), so a scenario
 * turns it on at the top of its body, a campaign with the variable. */
void uvsim_set_leak_check(int on);

/* Record a line in the trace (shown in reports and `uvsim replay --trace`). */
void uvsim_note(const char* label);

/* Virtual nanoseconds since the run began. */
uint64_t uvsim_now_ns(void);
/* The virtual wall clock, ns since 1970: 2020-01-01T00:00:00Z at virtual
 * time 0. Safe to read from any thread. */
uint64_t uvsim_wall_ns(void);
/* The same, read as a program reads a clock: on the world's own thread it
 * costs 1 us of virtual time (a busy wait on the clock ends). */
uint64_t uvsim_wall_ns_read(void);

/* The simulated world's I/O (implemented in loop/world_io.c; docs/world.md).
 * A fault rule for this run, e.g. "write path=/data/?* nth=3 err=ENOSPC";
 * returns -1 (and prints why) for a malformed or, outside aggressive mode,
 * aggressive spec. */
int uvsim_fault(const char* spec);
/* Pre-populate the simulated filesystem (parents are created) and the
 * resolver (name -> numeric address, appended). 0 or -errno. */
int uvsim_fs_put(const char* path, const void* data, size_t len);
int uvsim_dns_add(const char* name, const char* addr);
/* A scripted child process for this run (docs/world.md, "Child
 * processes"): the next uv_spawn of `file` starts no real process; the
 * child writes `out` (len bytes) on its stdout, if that is a pipe, closes
 * its pipes and exits with exit_status, or is killed by term_signal. For
 * scenarios, which run thousands of times: a real child costs a fork and
 * an exec per run. 0, or UV_EINVAL. */
int uvsim_child_script(const char* file, const void* out, size_t len, int exit_status,
                       int term_signal);

/* Map a real directory into the simulated filesystem at sim_dir (opt-in;
 * docs/world.md, "Mapping a real directory"). With no flags, operations
 * below sim_dir are done on real_dir by the real kernel (a passthrough: the
 * program sees and changes real files, and runs are only as repeatable as
 * that directory is). UVSIM_FS_MAP_READONLY refuses changes with EROFS;
 * UVSIM_FS_MAP_SNAPSHOT reads real_dir once, now, and gives every run its
 * own in-memory copy (deterministic: the one to fuzz with). A mapping
 * lasts across runs until uvsim_fs_unmap. 0, or -errno after a one-line
 * reason on stderr. */
#define UVSIM_FS_MAP_READONLY 1u
#define UVSIM_FS_MAP_SNAPSHOT 2u
int uvsim_fs_map(const char* sim_dir, const char* real_dir, unsigned flags);
int uvsim_fs_unmap(const char* sim_dir);

/* Ends the process now with status, as exit(status) would end the run:
 * stdio flushed and the run reported, no other exit handler run. */
void uvsim_exit_now(int status) __attribute__((noreturn));

/* The current run's trace hash and whether it has failed. */
uint64_t uvsim_trace_hash(void);
int uvsim_failed(void);

#ifdef __cplusplus
}
#endif
#endif
