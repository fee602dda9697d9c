/* tests/replay-edits/edit_pool.h — the edit: an extra thread-pool job
 * queued before anything else (a warm-up read, say). Adds pool decisions
 * before the race and one more job in the pool beside the program's. */
#include <uv.h>

static uv_work_t edit_work;

static void edit_work_run(uv_work_t* req) { (void)req; }
static void edit_work_done(uv_work_t* req, int status) { (void)req, (void)status; }

static void scn_edit(uv_loop_t* loop) {
  uv_queue_work(loop, &edit_work, edit_work_run, edit_work_done);
}
