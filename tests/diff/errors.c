/* Every error of libuv 1.44: name and message; the reentrant variants,
 * truncation, and unknown codes. */
#include "d.h"

#define SHOW(name, msg) SAY("%s %d %s | %s", #name, UV_##name, uv_err_name(UV_##name), uv_strerror(UV_##name));

int main(void) {
  UV_ERRNO_MAP(SHOW)
  char buf[64];
  SAY("name_r: %s", uv_err_name_r(UV_EAGAIN, buf, sizeof buf));
  SAY("strerror_r: %s", uv_strerror_r(UV_EAGAIN, buf, sizeof buf));
  SAY("name_r short: %s", uv_err_name_r(UV_ECONNREFUSED, buf, 5));
  SAY("strerror_r short: %s", uv_strerror_r(UV_ECONNREFUSED, buf, 8));
  SAY("name_r unknown: %s", uv_err_name_r(-9999, buf, sizeof buf));
  SAY("strerror_r unknown: %s", uv_strerror_r(-9999, buf, sizeof buf));
  SAY("name unknown: %s", uv_err_name(-9999));
  SAY("strerror unknown: %s", uv_strerror(-9999));
  SAY("translate 0: %d", uv_translate_sys_error(0));
  return 0;
}
