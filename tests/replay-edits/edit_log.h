/* tests/replay-edits/edit_log.h — the edit: a log line at the start of the
 * program (a note in the trace). Adds no decision. */
#include <uv.h>

#include "uvsim/world.h"

static void scn_edit(uv_loop_t* loop) {
  (void)loop;
  uvsim_note("edit: a log line added after the reproducer was written");
}
