/* loop/spawn.c — child processes are not simulated yet (uv_spawn answers
 * UV_ENOSYS and says so), but as in libuv a handle whose spawn failed is
 * initialised and must be closed: Node closes it when child_process fails. */
#include "loop/internal.h"

static void process_close(uv_handle_t* h) { (void)h; }

int uv_spawn(uv_loop_t* loop, uv_process_t* process, const uv_process_options_t* options) {
  (void)options;
  uvs__close_hook[UV_PROCESS] = process_close;
  uvs__handle_init(loop, (uv_handle_t*)process, UV_PROCESS);
  process->pid = 0;
  fprintf(stderr, "uvsim: uv_spawn is not simulated\n");
  return UV_ENOSYS;
}
