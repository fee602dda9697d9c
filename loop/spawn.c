/* loop/spawn.c — uv_spawn, uv_process_kill and the child's stdio pipes on
 * the simulated world.
 *
 * The child runs for real (sim/sim_child.c: fork/exec, real socketpairs),
 * but the program sees it only through the simulation: each UV_CREATE_PIPE
 * descriptor is a socketpair of the simulated network (sim/sim_net.h); the
 * program's uv_pipe_t holds one end (a stream like any other, loop/stream.c),
 * and this file holds the other, the "child end", where the child's output
 * is written and the program's input is read from and passed on to the real
 * child. When the child does something is decided here:
 *
 *   - a *step* looks at the real child (sim_child_step) at a virtual time:
 *     the first right after uv_spawn, the next as soon as the loop has
 *     delivered what the step saw; a step that saw nothing (the child is
 *     busy or waits) comes back after a virtual delay that doubles from
 *     1 ms, so a slow child costs little virtual time and a long-running
 *     one (killed by a timer) does not keep the program's timers waiting
 *     for ever. Virtual time stands still while a step waits in real time;
 *     the wait has no bound when nothing else could happen in the
 *     simulation, else UVS__CHILD_WAIT_NS;
 *   - each output chunk, end of output and the exit is made visible after a
 *     `child_event` decision (0, 100 us, 2 ms, 50 ms; chunks of one
 *     descriptor stay in order). So the exit may be delivered before output
 *     the child wrote before exiting, as a real kernel can deliver SIGCHLD
 *     before the parent reads the pipe (docs/world.md).
 *
 * The exit callback runs in the poll phase as an I/O event of the process
 * handle (libuv runs it from its SIGCHLD watcher), the handle stopped first.
 * A program sees a fixed pid per child (UVS__CHILD_PID_BASE + its number in
 * the run), which uv_kill accepts (loop/signal.c asks uvs__child_kill); a
 * real pid a child reported reaches that process when it descends from
 * this one (kill_descendant), recorded as an observation.
 * A simulated file given to the child (UV_INHERIT_FD of uv_fs_open's
 * number) becomes a real pipe on the child's side; what the child writes
 * into it is written to the file when a step sees it (to_file), through a
 * sim_fs_dup of the program's descriptor, so at the position a shared open
 * file would have; descriptors naming one file share one pipe. The
 * transcript holds those bytes like any output, so a replay writes the
 * same file without a child. A simulated TCP socket given to the child
 * becomes a fresh real one (inherit_socket); the program's end of another
 * child's pipe, that pipe's real end (lend_pipe).
 * Options are checked as libuv 1.44 checks them; an exec error (ENOENT...)
 * is returned by uv_spawn, the handle initialised but not started, and the
 * stdio pipes opened all the same (Node expects them). */
#include "loop/stream.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "loop/os.h"
#include "sim/sim_child.h"
#include "sim/sim_fault.h"
#include "sim/sim_fs.h"

#define UVS__CHILD_PID_BASE 20000
/* The most real time a step waits while other things could happen in the
 * simulation (a timer, a transfer, a pool job). */
#define UVS__CHILD_WAIT_NS 250000000ull

typedef struct proc_state proc_state;

/* One chunk of output (or its end) on its way to the program. */
typedef struct chunk {
  sim_event ev;
  proc_state* ps;
  int fd;
  int eof;
  uint64_t due_ns;              /* when the child_event decision shows it */
  size_t len, off;
  char* data;
  struct chunk* next;           /* the descriptor's queue                 */
} chunk;

struct proc_state {
  uv_process_t* h;              /* NULL once the handle closed            */
  sim_child* child;
  int pid;                      /* what the program sees                  */
  int exit_status, term_signal;
  int exited;                   /* exit delivered (or the handle closed)  */
  uvs__io exit_io;
  sim_event step_ev;
  sim_event exit_ev;
  uint64_t idle_ns;             /* the next delay after a step saw nothing */
  const char* cb_label;         /* "process:on_exit exit"                 */
  int nstdio;
  int child_end[SIM_CHILD_STDIO_MAX];   /* sim_net id, -1: no pipe         */
  int prog_end[SIM_CHILD_STDIO_MAX];    /* the program's end of that pipe  */
  int file_fd[SIM_CHILD_STDIO_MAX];     /* the child's simulated file (a
                                         * sim_fs_dup), -1: none            */
  int in_done[SIM_CHILD_STDIO_MAX];     /* the program ended its input     */
  uint64_t last_ns[SIM_CHILD_STDIO_MAX];/* chunks of one fd stay in order  */
  chunk* q_head[SIM_CHILD_STDIO_MAX];   /* ... and only the head is        */
  chunk* q_tail[SIM_CHILD_STDIO_MAX];   /* scheduled: one the program does */
                                        /* not read yet holds the rest     */
  sim_event fwd_ev;             /* input waiting at a child end            */
  proc_state* next;             /* every process of the run               */
};

static proc_state* procs;       /* run-owned (uvs__wcalloc), in spawn order */
static uint64_t descendant_looks;  /* uv_kill of a pid that is no child's  */

static proc_state* state_of(const uv_process_t* h) {
  return (proc_state*)h->u.reserved[0];
}

void uvs__spawn_reset(void) {
  procs = NULL;               /* their memory went with the run's */
  descendant_looks = 0;
  sim_child_reset();
}

static sim_net* net(void) { return sim_net_current(); }

/* --------------------------------------------------------- decisions */

static uint64_t event_delay(const char* label) {
  static const uint64_t delay_ns[] = { 0, 100000, 2000000, 50000000 };
  uint32_t c = sim_choose(uvs__sim(), SIM_CHILD_EVENT,
                          (uint32_t)(sizeof delay_ns / sizeof *delay_ns), label);
  return delay_ns[c];
}

static const char* plabel(const proc_state* ps) {
  return ps->h ? uvs__label((const uv_handle_t*)ps->h) : "process";
}

/* ------------------------------------------------------- output chunks */

/* The head of a descriptor's queue goes out at its due time, or now if
 * that has passed (it waited behind an earlier one). */
static void chunk_arm(sim* s, chunk* ch) {
  uint64_t now = sim_now(s);
  sim_event_schedule(s, &ch->ev, ch->due_ns > now ? ch->due_ns : now);
}

static void chunk_done(sim* s, chunk* ch) {
  proc_state* ps = ch->ps;
  ps->q_head[ch->fd] = ch->next;
  if (ch->next == NULL) ps->q_tail[ch->fd] = NULL;
  else chunk_arm(s, ch->next);
  free(ch->data);
  uvs__wfree(ch);
}

static void chunk_fire(sim* s, sim_event* ev) {
  chunk* ch = (chunk*)ev;
  proc_state* ps = ch->ps;
  int id = ps->child_end[ch->fd];
  if (ch->eof) {
    sim_net_shutdown(net(), id);
    chunk_done(s, ch);
    return;
  }
  while (ch->off < ch->len) {
    ssize_t w = sim_net_write(net(), id, ch->data + ch->off, ch->len - ch->off);
    if (w == -EAGAIN) {
      /* the program does not read: try again a millisecond later; the
       * chunks behind this one wait (a pipe keeps its order) */
      sim_event_schedule(s, &ch->ev, sim_now(s) + 1000000u);
      return;
    }
    if (w < 0) {
      /* the program closed its end: so does the real child's pipe */
      sim_child_close_fd(ps->child, ch->fd);
      break;
    }
    ch->off += (size_t)w;
  }
  chunk_done(s, ch);
}

/* What the child wrote to a simulated file lands in it now, at the
 * position the open file has then (shared with the program's descriptor,
 * as an inherited one shares it): before the exit, which comes later. */
static void to_file(proc_state* ps, const sim_child_item* it) {
  sim_fs* fs = sim_fs_current();
  int* f = &ps->file_fd[it->fd];
  if (it->type == SIM_CHILD_EOF) {
    sim_fs_close(fs, *f);      /* the child (and its children) let go */
    *f = -1;
    return;
  }
  for (size_t off = 0; off < it->len;) {
    ssize_t w = sim_fs_write(fs, *f, it->data + off, it->len - off, -1);
    if (w <= 0) break;         /* EFBIG, a read-only file: the child's loss */
    off += (size_t)w;
  }
}

static void output(proc_state* ps, const sim_child_item* it) {
  int fd = it->fd;
  if (fd >= 0 && fd < ps->nstdio && ps->file_fd[fd] >= 0) {
    to_file(ps, it);
    return;
  }
  if (fd < 0 || fd >= ps->nstdio || ps->child_end[fd] < 0) return;
  sim* s = uvs__sim();
  const char* what = it->type == SIM_CHILD_EOF ? "eof" : "out";
  uint64_t t = sim_now(s) +
               event_delay(sim_internf(s, "%s fd%d %s", plabel(ps), fd, what));
  if (t < ps->last_ns[fd]) t = ps->last_ns[fd];
  ps->last_ns[fd] = t;
  chunk* ch = uvs__wcalloc(sizeof *ch);
  ch->ps = ps;
  ch->fd = fd;
  ch->eof = it->type == SIM_CHILD_EOF;
  if (it->len) {
    ch->data = malloc(it->len);
    if (ch->data == NULL) uvs__fatal("uv_spawn", "out of memory");
    memcpy(ch->data, it->data, it->len);
    ch->len = it->len;
  }
  ch->due_ns = t;
  sim_event_init(&ch->ev, chunk_fire, "child output");
  if (ps->q_tail[fd]) {
    ps->q_tail[fd]->next = ch;
  } else {
    ps->q_head[fd] = ch;
    chunk_arm(s, ch);
  }
  ps->q_tail[fd] = ch;
}

/* ------------------------------------------------------------ input */

/* What the program wrote to a child end goes to the real child. */
static void forward_input(proc_state* ps) {
  for (int i = 0; i < ps->nstdio; i++) {
    int id = ps->child_end[i];
    if (id < 0 || ps->in_done[i]) continue;
    for (;;) {
      char buf[65536];
      ssize_t r = sim_net_read(net(), id, buf, sizeof buf);
      if (r == -EAGAIN) break;
      if (r <= 0) {            /* end of input, or the program's end closed */
        ps->in_done[i] = 1;
        sim_child_input_end(ps->child, i);
        break;
      }
      sim_child_input(ps->child, i, buf, (size_t)r);
    }
  }
}

static void fwd_fire(sim* s, sim_event* ev) {
  (void)s;
  forward_input(UVS__QDATA(ev, proc_state, fwd_ev));
}

/* sim_net's notify may only record: the reading happens in an event. */
static void on_child_end(void* data, int id, unsigned events) {
  (void)id;
  proc_state* ps = data;
  sim* s = uvs__sim();
  if ((events & (SIM_NET_IN | SIM_NET_HUP | SIM_NET_ERR)) && !sim_event_queued(&ps->fwd_ev))
    sim_event_schedule(s, &ps->fwd_ev, sim_now(s));
}

/* ------------------------------------------------------------- exit */

static void exit_fire(sim* s, sim_event* ev) {
  (void)s;
  proc_state* ps = UVS__QDATA(ev, proc_state, exit_ev);
  if (ps->h && !ps->exited) uvs__io_ready(ps->h->loop, &ps->exit_io);
}

static void exit_io(uv_loop_t* loop, uvs__io* io) {
  (void)loop;
  proc_state* ps = UVS__QDATA(io, proc_state, exit_io);
  uv_process_t* h = ps->h;
  if (h == NULL || ps->exited || uvs__is_closing((uv_handle_t*)h)) return;
  ps->exited = 1;
  uvs__handle_stop((uv_handle_t*)h);
  if (h->exit_cb) {
    uvs__trace_cb(ps->cb_label);
    h->exit_cb(h, ps->exit_status, ps->term_signal);
    uvs__after_callback();
  }
}

/* -------------------------------------------------------------- steps */

/* Could anything in the simulation happen while a step waits? */
static int others_pending(const proc_state* ps) {
  sim* s = uvs__sim();
  if (sim_event_peek(s) != NULL) return 1;
  if (uvs__user_threads_live() || uvs__pool_blocked()) return 1;
  if (ps->h && (uvs__timer_min(ps->h->loop) != NULL || uvs__L(ps->h->loop)->njobs)) return 1;
  return 0;
}

static void step_fire(sim* s, sim_event* ev) {
  proc_state* ps = UVS__QDATA(ev, proc_state, step_ev);
  forward_input(ps);
  const sim_child_item* items;
  size_t n;
  sim_child_step(ps->child, others_pending(ps) ? UVS__CHILD_WAIT_NS : UINT64_MAX,
                 &items, &n);
  int exited = 0;
  /* output() only decides and schedules: `items` stays valid */
  for (size_t i = 0; i < n; i++) {
    const sim_child_item* it = &items[i];
    if (it->type == SIM_CHILD_OUT || it->type == SIM_CHILD_EOF) {
      output(ps, it);
    } else if (it->type == SIM_CHILD_EXIT) {
      ps->exit_status = it->a;
      ps->term_signal = it->b;
      exited = 1;
    }
  }
  if (exited && ps->h) {
    /* +1 ns: the output the child wrote before it exited is readable
     * first (the transfers of chunks with no delay happen at `now`), as
     * epoll reports the pipe before the SIGCHLD that came after it */
    uint64_t t = sim_now(s) + 1 + event_delay(sim_internf(s, "%s exit", plabel(ps)));
    sim_event_schedule(s, &ps->exit_ev, t);
  }
  if (sim_child_done(ps->child)) return;
  if (n > 0) {
    /* right after the loop delivered what this step saw */
    ps->idle_ns = 1000000u;
    sim_event_schedule(s, &ps->step_ev, sim_now(s) + 1);
  } else {
    sim_event_schedule(s, &ps->step_ev, sim_now(s) + ps->idle_ns);
    if (ps->idle_ns < (1ull << 40)) ps->idle_ns *= 2;
  }
}

/* ---------------------------------------------------------- uv_spawn */

static void process_close(uv_handle_t* hh) {
  uv_process_t* h = (uv_process_t*)hh;
  proc_state* ps = state_of(h);
  uvs__handle_stop(hh);
  if (ps == NULL) return;
  /* the child and its pipes go on; only the exit is no longer delivered */
  uvs__io_cancel(h->loop, &ps->exit_io);
  sim_event_cancel(uvs__sim(), &ps->exit_ev);
  ps->h = NULL;
  h->u.reserved[0] = NULL;
}

/* libuv's checks of the options (uv-common.c, unix/process.c). */
static int check_options(const uv_process_options_t* o) {
  UVS__ASSERT(o->file != NULL, "uv_spawn without a file");
  UVS__ASSERT(!(o->flags & ~(UV_PROCESS_DETACHED | UV_PROCESS_SETGID | UV_PROCESS_SETUID |
                             UV_PROCESS_WINDOWS_HIDE | UV_PROCESS_WINDOWS_HIDE_CONSOLE |
                             UV_PROCESS_WINDOWS_HIDE_GUI |
                             UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS)),
              "uv_spawn: unknown flags");
  if (o->stdio_count < 0 || o->stdio_count > SIM_CHILD_STDIO_MAX) return UV_EINVAL;
  return 0;
}

/* The program's end of another child's pipe handed to this child (Node's
 * `stdio: [p1.stdout, ...]`): this child gets the real end of that pipe,
 * so the two children talk directly, as they do under libuv; while this
 * one runs, the other's output on it is its to read. 1 when `id` is such
 * an end. */
static int lend_pipe(int id, sim_child_spec* spec, int i) {
  for (proc_state* ps = procs; ps; ps = ps->next)
    for (int k = 0; k < ps->nstdio; k++) {
      if (ps->prog_end[k] != id) continue;
      spec->stdio[i].kind = SIM_CHILD_LEND;
      spec->stdio[i].from = ps->child;
      spec->stdio[i].fd = k;
      return 1;
    }
  return 0;
}

/* A simulated TCP socket handed to the child: it gets a real one of the
 * same family, bound to the loopback address on a port of the kernel's
 * choosing and listening when the simulated one listens (a deliberate
 * difference, docs/loop.md: nothing of the simulation can reach a real
 * child, nor should the simulated port be taken on the real machine). A
 * connected socket or a pipe has a peer in the simulation: refused. */
static int inherit_socket(int id, sim_child_spec* spec, int i) {
  if (lend_pipe(id, spec, i)) return 0;
  sim_addr peer;
  int family = sim_net_family(net(), id);
  if ((family != AF_INET && family != AF_INET6) || sim_net_getpeername(net(), id, &peer) == 0) {
    fprintf(stderr, "uvsim: uv_spawn: a simulated pipe or connected socket cannot be a "
                    "child's stdio\n");
    return UV_ENOTSUP;
  }
  spec->stdio[i].kind = SIM_CHILD_SOCKET;
  spec->stdio[i].fd = family;
  spec->stdio[i].listen = sim_net_is_listening(net(), id);
  return 0;
}

/* The simulated process is an ordinary user (loop/os.c): its child may
 * not become another user or group (setuid(2)/setgid(2) answer EPERM to
 * it), whatever the real process that runs the simulation may do. */
static int check_identity(const uv_process_options_t* o) {
  if ((o->flags & UV_PROCESS_SETUID) && o->uid != UVS__USER_UID) return UV_EPERM;
  if ((o->flags & UV_PROCESS_SETGID) && o->gid != UVS__USER_GID) return UV_EPERM;
  return 0;
}

/* One stdio container into the spec (libuv's uv__process_init_stdio);
 * *sim_file: the simulated file it names, else -1. */
static int init_stdio(const uv_stdio_container_t* c, sim_child_spec* spec, int i,
                      int* sim_file) {
  *sim_file = -1;
  int mask = UV_IGNORE | UV_CREATE_PIPE | UV_INHERIT_FD | UV_INHERIT_STREAM;
  switch (c->flags & mask) {
  case UV_IGNORE:
    spec->stdio[i].kind = SIM_CHILD_IGNORE;
    return 0;
  case UV_CREATE_PIPE: {
    UVS__ASSERT(c->data.stream != NULL, "UV_CREATE_PIPE without a stream");
    if (c->data.stream->type != UV_NAMED_PIPE) return UV_EINVAL;
    spec->stdio[i].kind = SIM_CHILD_PIPE;
    return 0;
  }
  case UV_INHERIT_FD:
  case UV_INHERIT_STREAM: {
    int fd;
    if (c->flags & UV_INHERIT_FD) {
      fd = c->data.fd;
    } else {
      /* a tty stream, a stream on a real descriptor (realstream.c) or one
       * that adopted a real socket has that one; a simulated socket is
       * handled below */
      const uvs__stream* st = c->data.stream ? uvs__st(c->data.stream) : NULL;
      fd = !st ? -1
         : (st->flags & (UVS__S_TTY | UVS__S_REAL)) ? st->fd
         : st->real_fd >= 0 ? st->real_fd
         : st->sock;
    }
    if (fd == -1) return UV_EINVAL;
    if (sim_fs_is_open(sim_fs_current(), fd)) {
      /* a simulated file: the child writes into a pipe (loop/spawn.c's
       * to_file puts it into the file) */
      spec->stdio[i].kind = SIM_CHILD_PIPE;
      *sim_file = fd;
      return 0;
    }
    if (sim_net_family(net(), fd) != 0) return inherit_socket(fd, spec, i);
    spec->stdio[i].kind = SIM_CHILD_INHERIT;
    spec->stdio[i].fd = fd;
    return 0;
  }
  default:
    UVS__ASSERT(0, "uv_spawn: unexpected stdio flags");
  }
  return UV_EINVAL;
}

/* Descriptors that name one simulated file share one real pipe, so that
 * what the child writes on them stays in the order written (2>&1). */
static void share_files(sim_child_spec* spec, const int* sim_file) {
  for (int i = 0; i < spec->nstdio; i++) {
    if (sim_file[i] < 0) continue;
    for (int j = 0; j < i; j++)
      if (sim_file[j] == sim_file[i] && spec->stdio[j].kind == SIM_CHILD_PIPE) {
        spec->stdio[i].kind = SIM_CHILD_SHARE;
        spec->stdio[i].fd = j;
        break;
      }
  }
}

/* The child holds the open file (its position shared with the program's
 * descriptor), even after the program closes its descriptor. */
static int hold_files(proc_state* ps, const sim_child_spec* spec, const int* sim_file) {
  for (int i = 0; i < spec->nstdio; i++) {
    if (sim_file[i] < 0 || spec->stdio[i].kind != SIM_CHILD_PIPE) continue;
    int d = sim_fs_dup(sim_fs_current(), sim_file[i]);
    if (d < 0) {
      for (int j = 0; j < i; j++)
        if (ps->file_fd[j] >= 0) sim_fs_close(sim_fs_current(), ps->file_fd[j]);
      return d;
    }
    ps->file_fd[i] = d;
  }
  return 0;
}

/* The child's input from a simulated file: on its stdin, what the file
 * holds from the shared position on (read now, as if the child read it
 * all; the position moves as far); elsewhere, nothing. Then the end. */
static void feed_files(proc_state* ps) {
  for (int i = 0; i < ps->nstdio; i++) {
    if (ps->file_fd[i] < 0) continue;
    char buf[65536];
    ssize_t r;
    while (i == 0 && (r = sim_fs_read(sim_fs_current(), ps->file_fd[i], buf, sizeof buf, -1)) > 0)
      sim_child_input(ps->child, i, buf, (size_t)r);
    sim_child_input_end(ps->child, i);
  }
}

/* The program's uv_pipe_t gets one end of a simulated socketpair
 * (libuv's uv__process_open_stream). */
static int open_stream(proc_state* ps, const uv_stdio_container_t* c, int i) {
  if (!(c->flags & UV_CREATE_PIPE)) return 0;
  uv_stream_t* s = c->data.stream;
  if (uvs__st(s) == NULL || uvs__st(s)->sock >= 0) return UV_EBUSY;
  int ids[2];
  int r = sim_net_socketpair(net(), ids);
  if (r < 0) return r;
  unsigned flags = 0;
  if (c->flags & UV_WRITABLE_PIPE) flags |= UVS__S_READABLE;
  if (c->flags & UV_READABLE_PIPE) flags |= UVS__S_WRITABLE;
  uvs__stream_attach(s, ids[0], flags);
  ps->child_end[i] = ids[1];
  ps->prog_end[i] = ids[0];
  sim_net_set_label(net(), ids[1], sim_internf(uvs__sim(), "%s fd%d", plabel(ps), i));
  sim_net_set_notify(net(), ids[1], on_child_end, ps);
  return 0;
}

int uv_spawn(uv_loop_t* loop, uv_process_t* process, const uv_process_options_t* options) {
  uvs__close_hook[UV_PROCESS] = process_close;
  uvs__handle_init(loop, (uv_handle_t*)process, UV_PROCESS);
  process->pid = 0;
  process->status = 0;
  process->exit_cb = NULL;
  process->u.reserved[0] = NULL;
  int err = check_options(options);
  if (err) return err;
  sim_child_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.file = options->file;
  spec.args = options->args;
  spec.env = options->env;
  spec.cwd = options->cwd;
  spec.detached = (options->flags & UV_PROCESS_DETACHED) != 0;
  /* check_identity let through only the simulated user's own ids: the
   * child becomes itself, which for the real child is the user running
   * the simulation (a real setuid(1000) by a root runner would make it a
   * stranger to the files it needs: execvp's EACCES for ENOENT). */
  spec.set_uid = 0;
  spec.set_gid = 0;
  spec.uid = options->uid;
  spec.gid = options->gid;
  spec.nstdio = options->stdio_count < 3 ? 3 : options->stdio_count;
  int sim_file[SIM_CHILD_STDIO_MAX];
  for (int i = 0; i < spec.nstdio; i++) sim_file[i] = -1;
  for (int i = 0; i < options->stdio_count; i++) {
    err = init_stdio(&options->stdio[i], &spec, i, &sim_file[i]);
    if (err) return err;
  }
  share_files(&spec, sim_file);
  char* default_args[2] = { (char*)options->file, NULL };
  if (spec.args == NULL) spec.args = default_args;

  proc_state* ps = uvs__wcalloc(sizeof *ps);
  ps->h = process;
  ps->nstdio = spec.nstdio;
  ps->idle_ns = 1000000u;
  for (int i = 0; i < SIM_CHILD_STDIO_MAX; i++)
    ps->child_end[i] = ps->prog_end[i] = ps->file_fd[i] = -1;
  err = hold_files(ps, &spec, sim_file);
  if (err) return err;
  uvs__name_handle((uv_handle_t*)process, (const void*)options->exit_cb);
  const char* label = uvs__label((uv_handle_t*)process);
  ps->cb_label = sim_internf(uvs__sim(), "%s exit", label);
  uvs__io_init(&ps->exit_io, exit_io, label);
  sim_event_init(&ps->step_ev, step_fire, "child step");
  sim_event_init(&ps->exit_ev, exit_fire, "child exit");
  sim_event_init(&ps->fwd_ev, fwd_fire, "child input");

  int exec_err = check_identity(options);
  if (exec_err == 0) exec_err = sim_child_spawn(&spec, &ps->child);
  if (exec_err == 0) feed_files(ps);
  if (exec_err == 0) {
    ps->pid = UVS__CHILD_PID_BASE + sim_child_number(ps->child);
    process->pid = ps->pid;
    process->exit_cb = options->exit_cb;
    process->u.reserved[0] = ps;
    ps->next = procs;
    procs = ps;
    uvs__handle_start((uv_handle_t*)process);
  }
  for (int i = 0; i < options->stdio_count; i++) {
    err = open_stream(ps, &options->stdio[i], i);
    if (err) return err;
  }
  if (exec_err) {
    /* the child died before exec: its ends of the pipes are closed, its
     * files let go */
    for (int i = 0; i < ps->nstdio; i++)
      if (ps->file_fd[i] >= 0) sim_fs_close(sim_fs_current(), ps->file_fd[i]);
    for (int i = 0; i < ps->nstdio; i++)
      if (ps->child_end[i] >= 0) {
        sim_net_set_notify(net(), ps->child_end[i], NULL, NULL);
        sim_net_close(net(), ps->child_end[i], 0);
        ps->child_end[i] = -1;
      }
    return exec_err;
  }
  sim* s = uvs__sim();
  sim_trace_note(s, sim_internf(s, "spawn %s %s", label, options->file));
  sim_event_schedule(s, &ps->step_ev, sim_now(s));
  return 0;
}

/* ------------------------------------------------------------- kill */

static int kill_state(proc_state* ps, int signum) {
  if (signum < 0 || signum > 64) return UV_EINVAL;
  if (ps->exited) return UV_ESRCH;       /* reaped, as libuv has by then */
  if (signum == 0) return 0;
  sim* s = uvs__sim();
  const char* name = sim_signal_name(signum);
  sim_trace_note(s, name ? sim_internf(s, "kill %s %s", plabel(ps), name)
                         : sim_internf(s, "kill %s %d", plabel(ps), signum));
  int r = sim_child_kill(ps->child, signum);
  return r < 0 ? r : 0;
}

int uv_process_kill(uv_process_t* process, int signum) {
  proc_state* ps = state_of(process);
  if (ps == NULL) {
    if (signum < 0 || signum > 64) return UV_EINVAL;
    return UV_ESRCH;
  }
  return kill_state(ps, signum);
}

/* A pid no simulated child has may still be a real descendant of this
 * process: a child printed the real pid of its own child (Node's
 * test-child-process-detached: a detached grandchild the test kills at
 * exit). Such a process is the program's own doing, so it is signalled
 * for real (sim_child_signal_descendant: its /proc ppid chain reaches this
 * process, orphans included) and what that answered is an observation
 * (label "kill"; 1: delivered, 2 + errno: refused), so a replay, which
 * runs no child, answers the same without looking. Any other process is
 * not on the simulated machine: 0, and uv_kill goes on to the simulated
 * process, its parent, or ESRCH. Pids below 1 and the simulated ones are
 * never looked up. */
static int kill_descendant(int pid, int signum, int* result) {
  if (pid <= 0 || pid == uv_os_getpid() || pid == uv_os_getppid()) return 0;
  sim* s = uvs__sim();
  uint32_t real = 0;
  if (!sim_observe_replaying(s)) {
    int r = sim_child_signal_descendant(pid, signum);
    real = r == -ESRCH ? 0 : r == 0 ? 1 : 2 + (uint32_t)-r;
  }
  uint32_t v = sim_observe(s, "kill", descendant_looks++, real);
  if (v == 0) return 0;
  const char* name = sim_signal_name(signum);
  sim_trace_note(s, name ? sim_internf(s, "kill descendant %s", name)
                         : sim_internf(s, "kill descendant %d", signum));
  *result = v == 1 ? 0 : -(int)(v - 2);
  return 1;
}

int uvs__child_kill(int pid, int signum, int* result) {
  for (proc_state* ps = procs; ps; ps = ps->next) {
    if (ps->pid != pid) continue;
    *result = kill_state(ps, signum);
    return 1;
  }
  return kill_descendant(pid, signum, result);
}

uv_pid_t uv_process_get_pid(const uv_process_t* process) { return process->pid; }

int uvsim_child_script(const char* file, const void* out, size_t len, int exit_status,
                       int term_signal) {
  return sim_child_script(file, out, len, exit_status, term_signal) < 0 ? UV_EINVAL : 0;
}
