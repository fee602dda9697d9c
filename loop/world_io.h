/* loop/world_io.h — allocations of the simulated world's loop side (stream
 * state, pool jobs of fs and dns requests) that belong to one run.
 *
 * A campaign run may stop in the middle (an invariant failed, the step
 * budget ran out) and leave handles unclosed and requests in flight; their
 * state must not leak from run to run. Everything allocated here is freed
 * by uvs__world_io_reset() at the next uvsim_world_begin. */
#ifndef UVSIM_LOOP_WORLD_IO_H
#define UVSIM_LOOP_WORLD_IO_H

#include <stddef.h>
#include <string.h>

/* Clears a request but keeps req->data: it belongs to the caller, who may
 * have set it before the call (libuv never touches it). Shared by the fs,
 * dns and stream requests. */
#define UVS__CLEAR_REQ(req)             \
  do {                                 \
    void* data_ = (req)->data;         \
    memset((req), 0, sizeof *(req));   \
    (req)->data = data_;               \
  } while (0)

/* calloc'd, tracked until uvs__wfree or the end of the run. */
/* Applies UVSIM_FS_MAP once (loop/world_io.c). */
void uvs__fs_env_maps(void);

void* uvs__wcalloc(size_t size);
void uvs__wfree(void* p);

/* Frees what the last run left and resets sim/fs, sim/net, sim/dns and the
 * fault rules (loop/world_io.c). */
void uvs__world_io_reset(void);

#endif
