/* loop/errors.c — error names and messages, type names and sizes, version.
 * Generated from the maps in the system's uv.h, so they match real libuv. */
#include "internal.h"

#include <string.h>

#define UVS_ERR_NAME(name, _) case UV_##name: return #name;
#define UVS_ERR_MSG(name, msg) case UV_##name: return msg;

const char* uv_err_name(int err) {
  switch (err) { UV_ERRNO_MAP(UVS_ERR_NAME) }
  return "Unknown system error";
}

const char* uv_strerror(int err) {
  switch (err) { UV_ERRNO_MAP(UVS_ERR_MSG) }
  return "Unknown system error";
}

char* uv_err_name_r(int err, char* buf, size_t buflen) {
  const char* n = uv_err_name(err);
  if (strcmp(n, "Unknown system error") == 0) snprintf(buf, buflen, "Unknown system error %d", err);
  else snprintf(buf, buflen, "%s", n);
  return buf;
}

char* uv_strerror_r(int err, char* buf, size_t buflen) {
  const char* m = uv_strerror(err);
  if (strcmp(m, "Unknown system error") == 0) snprintf(buf, buflen, "Unknown system error %d", err);
  else snprintf(buf, buflen, "%s", m);
  return buf;
}

int uv_translate_sys_error(int sys_errno) {
  return sys_errno <= 0 ? sys_errno : -sys_errno;
}

#define UVS_HT_NAME(uc, lc) case UV_##uc: return #lc;
const char* uv_handle_type_name(uv_handle_type type) {
  switch (type) {
  UV_HANDLE_TYPE_MAP(UVS_HT_NAME)
  case UV_FILE: return "file";
  default: return NULL;
  }
}

#define UVS_RT_NAME(uc, lc) case UV_##uc: return #lc;
const char* uv_req_type_name(uv_req_type type) {
  switch (type) {
  UV_REQ_TYPE_MAP(UVS_RT_NAME)
  default: return NULL;
  }
}

#define UVS_HT_SIZE(uc, lc) case UV_##uc: return sizeof(uv_##lc##_t);
size_t uv_handle_size(uv_handle_type type) {
  switch (type) {
  UV_HANDLE_TYPE_MAP(UVS_HT_SIZE)
  default: return (size_t)-1;
  }
}

#define UVS_RT_SIZE(uc, lc) case UV_##uc: return sizeof(uv_##lc##_t);
size_t uv_req_size(uv_req_type type) {
  switch (type) {
  UV_REQ_TYPE_MAP(UVS_RT_SIZE)
  default: return (size_t)-1;
  }
}

unsigned int uv_version(void) { return UV_VERSION_HEX; }

#define UVS_STR2(x) #x
#define UVS_STR(x) UVS_STR2(x)
const char* uv_version_string(void) {
  return UVS_STR(UV_VERSION_MAJOR) "." UVS_STR(UV_VERSION_MINOR) "."
      UVS_STR(UV_VERSION_PATCH);
}
