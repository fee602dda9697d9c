/* loop/thread.c — thread primitives, forwarded to pthreads. They must
 * really work: programs (and libuv's own tests) block real threads on them.
 * uv_thread_create also counts live user threads, because while one runs an
 * otherwise idle loop may still be woken by uv_async_send — not a hang. */
#include "loop/internal.h"
#include "uvsim.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static atomic_int user_threads;

int uvs__user_threads_live(void) { return atomic_load(&user_threads); }

typedef struct thread_start {
  void (*entry)(void* arg);
  void* arg;
} thread_start;

/* Set on threads created with uv_thread_create: they live in real time. */
static _Thread_local int on_user_thread;

static void* thread_trampoline(void* p) {
  thread_start ts = *(thread_start*)p;
  free(p);
  on_user_thread = 1;
  ts.entry(ts.arg);
  atomic_fetch_sub(&user_threads, 1);
  uvs__wake();
  return NULL;
}

/* The stack a thread gets, as libuv 1.44 on Linux decides it: what was
 * asked, rounded up to a page and at least PTHREAD_STACK_MIN; nothing asked
 * (or 0) is RLIMIT_STACK rounded down to a page, or glibc's 2 MiB when the
 * limit is unlimited or too small. Programs check the size they asked for
 * (libuv's thread_stack_size_explicit), and a thread that recurses deeply
 * needs the main thread's limit, not glibc's default. */
static size_t stack_size(size_t asked) {
  size_t page = (size_t)getpagesize();
  size_t min = (size_t)PTHREAD_STACK_MIN > 8192 ? (size_t)PTHREAD_STACK_MIN : 8192;
  if (asked == 0) {
    struct rlimit lim;
    if (getrlimit(RLIMIT_STACK, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY)
      return 2u << 20;
    size_t cur = (size_t)lim.rlim_cur - (size_t)lim.rlim_cur % page;
    return cur >= min ? cur : 2u << 20;
  }
  asked = (asked + page - 1) & ~(page - 1);
  return asked < min ? min : asked;
}

/* ------------------------------------------ threads a fork left behind
 *
 * A fork server (loop/forkserver.c) may fork while other threads wait,
 * idle, at the default loop's first uv_run: node's platform workers wait on
 * a condition variable for tasks. A child forked there has only the forking
 * thread, so what a started run would ask of those threads must be seen to:
 *  - a join of one (node joins its platform threads at exit, after a
 *    broadcast that tells them to stop) returns at once: in a started run
 *    the thread would end on that broadcast;
 *  - a signal to a condition variable one of them waited on is a task for
 *    a thread that is not there (node pushes a task, then signals): it
 *    would never run, and the run would not be the started one, so the
 *    child says so and aborts rather than hang or differ quietly.
 * The tables are only read in such a child; made[] keeps the first
 * THREADS_SEEN threads uv_thread_create made, waiting[] what threads wait
 * on now (a slot per waiter). */
#define THREADS_SEEN 64
static pthread_mutex_t made_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t made[THREADS_SEEN];
static size_t nmade;
static size_t nlost;            /* made[0..nlost): left behind by a fork */
static _Atomic(uv_cond_t*) waiting[THREADS_SEEN];
static _Atomic(uv_mutex_t*) waiting_with[THREADS_SEEN];   /* its mutex */
static int forked_child;

static void made_add(pthread_t t) {
  pthread_mutex_lock(&made_mu);
  /* A thread made in a child may get a lost one's stack, and so its id. */
  for (size_t i = 0; i < nlost; i++)
    if (pthread_equal(made[i], t)) made[i] = made[--nlost];
  if (nmade < THREADS_SEEN) made[nmade++] = t;
  pthread_mutex_unlock(&made_mu);
}

static int is_lost(pthread_t t) {
  int lost = 0;
  pthread_mutex_lock(&made_mu);
  for (size_t i = 0; i < nlost && !lost; i++) lost = pthread_equal(made[i], t);
  pthread_mutex_unlock(&made_mu);
  return lost;
}

static int wait_begin(uv_cond_t* c, uv_mutex_t* m) {
  for (int i = 0; i < THREADS_SEEN; i++) {
    uv_cond_t* none = NULL;
    if (atomic_compare_exchange_strong(&waiting[i], &none, c)) {
      atomic_store(&waiting_with[i], m);
      return i;
    }
  }
  return -1;                    /* not seen: more waiters than slots */
}

static void wait_end(int slot) {
  if (slot < 0) return;
  atomic_store(&waiting_with[slot], NULL);
  atomic_store(&waiting[slot], NULL);
}

static int lost_waits_with(uv_mutex_t* m) {
  for (int i = 0; i < THREADS_SEEN; i++)
    if (atomic_load(&waiting_with[i]) == m) return 1;
  return 0;
}

void uvs__thread_forked(void) {
  /* The forking thread's own slot is free (it is not waiting); every
   * other slot and every thread made so far belongs to a thread gone. */
  pthread_mutex_init(&made_mu, NULL);
  nlost = nmade;
  forked_child = 1;
}

static int lost_waits_on(uv_cond_t* c) {
  for (int i = 0; i < THREADS_SEEN; i++)
    if (atomic_load(&waiting[i]) == c) return 1;
  return 0;
}

static void woke_lost(uv_cond_t* c) {
  if (lost_waits_on(c)) {
    static const char msg[] =
      "uvsim: fork server: this run gave a task to a thread that stayed in "
      "the server (one of node's platform threads?); a forked run cannot be "
      "the started one: run with --no-fork-server\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    abort();
  }
}

int uv_thread_create_ex(uv_thread_t* tid, const uv_thread_options_t* params,
                        uv_thread_cb entry, void* arg) {
  thread_start* ts = malloc(sizeof *ts);
  if (ts == NULL) return UV_ENOMEM;
  ts->entry = entry;
  ts->arg = arg;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  size_t sz = params && (params->flags & UV_THREAD_HAS_STACK_SIZE) ? params->stack_size : 0;
  pthread_attr_setstacksize(&attr, stack_size(sz));
  atomic_fetch_add(&user_threads, 1);
  int err = pthread_create(tid, &attr, thread_trampoline, ts);
  pthread_attr_destroy(&attr);
  if (err) {
    atomic_fetch_sub(&user_threads, 1);
    free(ts);
    return -err;
  }
  made_add(*tid);
  return 0;
}

int uv_thread_create(uv_thread_t* tid, uv_thread_cb entry, void* arg) {
  return uv_thread_create_ex(tid, NULL, entry, arg);
}

uv_thread_t uv_thread_self(void) { return pthread_self(); }
int uv_thread_join(uv_thread_t* tid) {
  uvs__pool_may_block();
  if (forked_child && is_lost(*tid)) return 0;   /* see made[] */
  return -pthread_join(*tid, NULL);
}
int uv_thread_equal(const uv_thread_t* a, const uv_thread_t* b) {
  return pthread_equal(*a, *b);
}

int uv_mutex_init(uv_mutex_t* m) { return -pthread_mutex_init(m, NULL); }
int uv_mutex_init_recursive(uv_mutex_t* m) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  int err = pthread_mutex_init(m, &a);
  pthread_mutexattr_destroy(&a);
  return -err;
}
void uv_mutex_destroy(uv_mutex_t* m) {
  /* glibc counts a condition waiter as a user of its mutex */
  if (forked_child && lost_waits_with(m)) return;
  if (pthread_mutex_destroy(m)) uvs__fatal("uv_mutex_destroy", "mutex busy");
}
void uv_mutex_lock(uv_mutex_t* m) {
  /* A work callback on the loop thread (loop/threadpool.c) must not block
   * it: when the primitive would block, the job moves to a real thread. */
  if (uvs__in_pool_work() && pthread_mutex_trylock(m) == 0) return;
  uvs__pool_may_block();
  if (pthread_mutex_lock(m)) uvs__fatal("uv_mutex_lock", "failed");
}
int uv_mutex_trylock(uv_mutex_t* m) {
  int err = pthread_mutex_trylock(m);
  if (err == EBUSY || err == EAGAIN) return UV_EBUSY;
  if (err) uvs__fatal("uv_mutex_trylock", "failed");
  return 0;
}
void uv_mutex_unlock(uv_mutex_t* m) {
  if (pthread_mutex_unlock(m)) uvs__fatal("uv_mutex_unlock", "failed");
}

int uv_rwlock_init(uv_rwlock_t* l) { return -pthread_rwlock_init(l, NULL); }
void uv_rwlock_destroy(uv_rwlock_t* l) { pthread_rwlock_destroy(l); }
void uv_rwlock_rdlock(uv_rwlock_t* l) {
  if (uvs__in_pool_work() && pthread_rwlock_tryrdlock(l) == 0) return;
  uvs__pool_may_block();
  pthread_rwlock_rdlock(l);
}
int uv_rwlock_tryrdlock(uv_rwlock_t* l) {
  int err = pthread_rwlock_tryrdlock(l);
  return err == EBUSY || err == EAGAIN ? UV_EBUSY : -err;
}
void uv_rwlock_rdunlock(uv_rwlock_t* l) { pthread_rwlock_unlock(l); }
void uv_rwlock_wrlock(uv_rwlock_t* l) {
  if (uvs__in_pool_work() && pthread_rwlock_trywrlock(l) == 0) return;
  uvs__pool_may_block();
  pthread_rwlock_wrlock(l);
}
int uv_rwlock_trywrlock(uv_rwlock_t* l) {
  int err = pthread_rwlock_trywrlock(l);
  return err == EBUSY || err == EAGAIN ? UV_EBUSY : -err;
}
void uv_rwlock_wrunlock(uv_rwlock_t* l) { pthread_rwlock_unlock(l); }

int uv_sem_init(uv_sem_t* s, unsigned int value) {
  return sem_init(s, 0, value) ? -errno : 0;
}
void uv_sem_destroy(uv_sem_t* s) { sem_destroy(s); }
void uv_sem_post(uv_sem_t* s) { sem_post(s); }
void uv_sem_wait(uv_sem_t* s) {
  if (uvs__in_pool_work() && uv_sem_trywait(s) == 0) return;
  uvs__pool_may_block();
  while (sem_wait(s) != 0 && errno == EINTR) {}
}
int uv_sem_trywait(uv_sem_t* s) {
  while (sem_trywait(s) != 0) {
    if (errno == EINTR) continue;
    return errno == EAGAIN ? UV_EAGAIN : -errno;
  }
  return 0;
}

int uv_cond_init(uv_cond_t* c) {
  pthread_condattr_t a;
  pthread_condattr_init(&a);
  pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  int err = pthread_cond_init(c, &a);
  pthread_condattr_destroy(&a);
  return -err;
}
void uv_cond_destroy(uv_cond_t* c) {
  /* glibc's destroy waits for the waiters to leave, and a lost one never
   * will: what it waited on is left as it is (the child ends soon). */
  if (forked_child && lost_waits_on(c)) return;
  pthread_cond_destroy(c);
}
void uv_cond_signal(uv_cond_t* c) {
  if (forked_child) woke_lost(c);
  pthread_cond_signal(c);
}
/* A broadcast is not checked: node broadcasts to its workers to stop them
 * at exit (then joins them, which returns at once for lost ones). */
void uv_cond_broadcast(uv_cond_t* c) { pthread_cond_broadcast(c); }
void uv_cond_wait(uv_cond_t* c, uv_mutex_t* m) {
  uvs__pool_may_block();
  int slot = wait_begin(c, m);
  pthread_cond_wait(c, m);
  wait_end(slot);
}
static void time_passes(uint64_t ns);

int uv_cond_timedwait(uv_cond_t* c, uv_mutex_t* m, uint64_t timeout) {
  /* A real wait with a real timeout: this primitive synchronises real
   * threads. A wait that times out has also taken its timeout of virtual
   * time (as uv_sleep does), so a program that measures it with uv_hrtime
   * sees it last (libuv's condvar_5); one that is signalled took no virtual
   * time, because how long the real signaller took is not repeatable. */
  uvs__pool_may_block();
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + timeout;
  ts.tv_sec = (time_t)(ns / 1000000000u);
  ts.tv_nsec = (long)(ns % 1000000000u);
  int slot = wait_begin(c, m);
  int err = pthread_cond_timedwait(c, m, &ts);
  wait_end(slot);
  if (err == ETIMEDOUT) {
    time_passes(timeout);
    return UV_ETIMEDOUT;
  }
  return -err;
}

int uv_barrier_init(uv_barrier_t* b, unsigned int count) {
  return -pthread_barrier_init(b, NULL, count);
}
void uv_barrier_destroy(uv_barrier_t* b) { pthread_barrier_destroy(b); }
int uv_barrier_wait(uv_barrier_t* b) {
  uvs__pool_may_block();
  int r = pthread_barrier_wait(b);
  return r == PTHREAD_BARRIER_SERIAL_THREAD;
}

void uv_once(uv_once_t* guard, void (*callback)(void)) {
  pthread_once(guard, callback);
}

int uv_key_create(uv_key_t* key) { return -pthread_key_create(key, NULL); }
void uv_key_delete(uv_key_t* key) { pthread_key_delete(*key); }
void* uv_key_get(uv_key_t* key) { return pthread_getspecific(*key); }
void uv_key_set(uv_key_t* key, void* value) { pthread_setspecific(*key, value); }

/* Virtual time that a blocking call of the calling thread took: on the
 * loop thread the clock moves, so timers become late exactly as they would;
 * in a work callback the job takes longer; a user thread lives in real time
 * and must not touch the loop's clock from its thread. */
static void time_passes(uint64_t ns) {
  if (uvs__in_pool_work()) {
    uvsim_pool_cost_ns(ns);
    return;
  }
  if (on_user_thread) return;
  sim* s = uvs__sim();
  sim_advance_to(s, sim_now(s) + ns);
}

/* uv_sleep on the loop thread is a callback that takes time (time_passes).
 * It also sleeps really while user threads live: the program is giving
 * them time to get something done (libuv's semaphore_1 sleeps 100 ms for a
 * thread to post), and they live in real time. */
void uv_sleep(unsigned int msec) {
  int real = on_user_thread || (!uvs__in_pool_work() && uvs__user_threads_live() > 0);
  time_passes((uint64_t)msec * 1000000u);
  if (real) {
    struct timespec ts = { (time_t)(msec / 1000), (long)(msec % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
  }
}

/* The simulated world's threads: the process's main thread, a pool job's
 * and a peer process's. Here rather than in loop/entry/foreign.c because
 * loop/fdshim.c and fdreserve.c ask it too, and fuzz/build.sh links loop/
 * without the entry layer. */
static __thread int sim_thread = -1;    /* -1: not asked yet */

int uvs__on_sim_thread(void) {
  if (__builtin_expect(sim_thread < 0, 0))
    sim_thread = (pid_t)syscall(SYS_gettid) == getpid();
  return sim_thread || uvs__in_pool_work() || uvs__peer_current();
}
