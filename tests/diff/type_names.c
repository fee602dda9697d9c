/* Handle and request type names and sizes, loop size, version. */
#include "d.h"

int main(void) {
  for (int t = UV_UNKNOWN_HANDLE; t <= UV_HANDLE_TYPE_MAX; t++) {
    const char* n = uv_handle_type_name((uv_handle_type)t);
    SAY("handle %d %s size=%zd", t, n ? n : "(null)", (ssize_t)uv_handle_size((uv_handle_type)t));
  }
  for (int t = UV_UNKNOWN_REQ; t <= UV_REQ_TYPE_MAX; t++) {
    const char* n = uv_req_type_name((uv_req_type)t);
    SAY("req %d %s size=%zd", t, n ? n : "(null)", (ssize_t)uv_req_size((uv_req_type)t));
  }
  SAY("loop size %zu", uv_loop_size());
  SAY("version %u %s", uv_version(), uv_version_string());
  return 0;
}
