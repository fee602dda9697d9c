/* loop/io.c — delivery of I/O events made ready by the simulated world.
 *
 * The world (sim/sim_net.c through loop/tcp.c, ...) decides when something
 * becomes ready; it calls uvs__io_ready() from a sim_event. The poll phase
 * then delivers the ready events. When several are ready at once — as when
 * epoll_wait returns many fds — the order is a decision (SIM_IO_ORDER,
 * choice 0 = the order they became ready in). */
#include "loop/internal.h"

void uvs__io_init(uvs__io* io, void (*cb)(uv_loop_t*, uvs__io*),
                  const char* label) {
  UVS__ASSERT(cb != NULL, "an I/O event without a callback");
  io->cb = cb;
  io->label = label;
  io->queued = 0;
  io->q[0] = io->q[1] = NULL;
}

/* io->queued: 0 on no list, 1 on the loop's ready list (counted by
 * nio_ready), 2 on its pending list. */
void uvs__io_ready(uv_loop_t* loop, uvs__io* io) {
  UVS__ASSERT(io->queued >= 0 && io->queued <= 2, "an I/O event in an unknown state");
  if (io->queued) return;        /* already ready: level-triggered */
  uvs__loop* L = uvs__L(loop);
  uvs__q_insert_tail(&L->io_ready, &io->q);
  L->nio_ready++;
  io->queued = 1;
}

void uvs__pending_push(uv_loop_t* loop, uvs__io* io) {
  UVS__ASSERT(!io->queued, "an I/O event is queued twice");
  uvs__q_insert_tail(&uvs__L(loop)->pending, &io->q);
  io->queued = 2;
}

void uvs__io_cancel(uv_loop_t* loop, uvs__io* io) {
  if (!io->queued) return;
  UVS__ASSERT(uvs__q_linked(&io->q), "a queued I/O event is on no list");
  uvs__q_remove(&io->q);
  if (io->queued == 1) {
    UVS__ASSERT(uvs__L(loop)->nio_ready > 0, "the ready I/O count goes below 0");
    uvs__L(loop)->nio_ready--;
  }
  io->queued = 0;
}

int uvs__run_io_ready(uv_loop_t* loop) {
  uvs__loop* L = uvs__L(loop);
  sim* s = uvs__sim();
  /* Only what was ready when the phase began; events made ready by these
   * callbacks wait for the next poll, as with one epoll_wait. */
  size_t remaining = L->nio_ready;
  int ran = 0;
  while (remaining > 0 && L->nio_ready > 0 && !sim_failed(s)) {
    void* (*e)[2] = uvs__q_head(&L->io_ready);
    uvs__io* first = UVS__QDATA(e, uvs__io, q);
    uint32_t n = (uint32_t)(remaining < L->nio_ready ? remaining : L->nio_ready);
    uint32_t c = sim_choose(s, SIM_IO_ORDER, n, first->label);
    UVS__ASSERT(c < n, "a decision chose past the ready events");
    for (uint32_t i = 0; i < c; i++) e = uvs__q_next(e);
    UVS__ASSERT(e != &L->io_ready, "the ready list is shorter than its count");
    uvs__io* io = UVS__QDATA(e, uvs__io, q);
    UVS__ASSERT(io->queued == 1, "an event on the ready list is not marked ready");
    uvs__q_remove(e);
    L->nio_ready--;
    io->queued = 0;
    remaining--;
    uvs__trace_cb(io->label);
    io->cb(loop, io);
    uvs__after_callback();
    ran++;
  }
  return ran;
}
