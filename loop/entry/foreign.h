/* loop/entry/foreign.h — what the generated entry points (uv_entry.c) share
 * with foreign.c: which loops are foreign, and the real libuv behind them.
 *
 * The simulated world belongs to the process's main thread. A loop
 * initialised on any other thread (Node's delayed-task scheduler, a
 * worker_thread, the inspector, a C helper thread) is *foreign*: it runs on
 * the system's libuv, loaded privately, in real time with real I/O, and
 * never touches the simulated world. Every uv_* call about a foreign loop
 * (its handles and requests included) is sent there. */
#ifndef UVSIM_LOOP_ENTRY_FOREIGN_H
#define UVSIM_LOOP_ENTRY_FOREIGN_H

#include <stdatomic.h>
#include <uv.h>

#define UVS__UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Non-zero once the real libuv is loaded (the first foreign loop). Until
 * then every call is simulated and the tests below cost one load. */
extern _Atomic int uvs__real_loaded;

int uvs__is_foreign(const uv_loop_t* loop);
int uvs__on_sim_thread(void);

static inline int uvs__foreign(const uv_loop_t* loop) {
  return atomic_load_explicit(&uvs__real_loaded, memory_order_relaxed) &&
         loop != NULL && uvs__is_foreign(loop);
}

/* Calls that name no loop: off the main thread they are about the real
 * world (e.g. uv_os_* or uv_random from a worker thread). */
static inline int uvs__off_sim_thread(void) {
  return atomic_load_explicit(&uvs__real_loaded, memory_order_relaxed) &&
         !uvs__on_sim_thread();
}

/* A loop argument that may be NULL (uv_random's synchronous form). */
static inline int uvs__foreign_or_offthread(const uv_loop_t* loop) {
  return loop ? uvs__foreign(loop) : uvs__off_sim_thread();
}

void* uvs__real_sym(void* handle, const char* name);
void uvs__real_resolve(void* handle);          /* generated */
void uvs__not_simulated(const char* name);

#endif
