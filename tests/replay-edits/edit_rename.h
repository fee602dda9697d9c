/* tests/replay-edits/edit_rename.h — the edit: a renamed variable (every
 * scenario's loop storage, through the preprocessor) and nothing else. */
#include <uv.h>

#define scn_loop_storage scn_loop_storage_renamed

static void scn_edit(uv_loop_t* loop) { (void)loop; }
