/* tests/replay-edits/edit_timer.h — the edit: an unrelated timer started
 * before anything else, so every handle the program makes comes after it.
 * due 1 ms in: its own timer_lag decision comes before the race. */
#include <uv.h>

static uv_timer_t edit_timer;

static void edit_timer_fired(uv_timer_t* t) { uv_close((uv_handle_t*)t, NULL); }

static void scn_edit(uv_loop_t* loop) {
  uv_timer_init(loop, &edit_timer);
  uv_timer_start(&edit_timer, edit_timer_fired, 1, 0);
}
