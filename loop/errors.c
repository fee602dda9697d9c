/* loop/errors.c — error names and messages, type names and sizes, version.
 * Generated from the maps in the system's uv.h, so they match real libuv. */
#include "loop/internal.h"

#include <string.h>

#define UVS__ERR_NAME(name, _) case UV_##name: return #name;
#define UVS__ERR_MSG(name, msg) case UV_##name: return msg;

/* An unknown code gets "Unknown system error N", as libuv says it (libuv
 * leaks a malloc'd string per call; a small per-thread ring serves here). */
static const char* unknown_err(int err) {
  static _Thread_local char ring[8][48];
  static _Thread_local unsigned next;
  char* b = ring[next++ % 8];
  snprintf(b, sizeof ring[0], "Unknown system error %d", err);
  return b;
}

static const char* known_name(int err) {
  switch (err) { UV_ERRNO_MAP(UVS__ERR_NAME) }
  return NULL;
}

static const char* known_msg(int err) {
  switch (err) { UV_ERRNO_MAP(UVS__ERR_MSG) }
  return NULL;
}

const char* uv_err_name(int err) {
  const char* n = known_name(err);
  return n ? n : unknown_err(err);
}

const char* uv_strerror(int err) {
  const char* m = known_msg(err);
  return m ? m : unknown_err(err);
}

char* uv_err_name_r(int err, char* buf, size_t buflen) {
  const char* n = known_name(err);
  if (n) snprintf(buf, buflen, "%s", n);
  else snprintf(buf, buflen, "Unknown system error %d", err);
  return buf;
}

char* uv_strerror_r(int err, char* buf, size_t buflen) {
  const char* m = known_msg(err);
  if (m) snprintf(buf, buflen, "%s", m);
  else snprintf(buf, buflen, "Unknown system error %d", err);
  return buf;
}

int uv_translate_sys_error(int sys_errno) {
  return sys_errno <= 0 ? sys_errno : -sys_errno;
}

#define UVS__HT_NAME(uc, lc) case UV_##uc: return #lc;
const char* uv_handle_type_name(uv_handle_type type) {
  switch (type) {
  UV_HANDLE_TYPE_MAP(UVS__HT_NAME)
  case UV_FILE: return "file";
  default: return NULL;
  }
}

#define UVS__RT_NAME(uc, lc) case UV_##uc: return #lc;
const char* uv_req_type_name(uv_req_type type) {
  switch (type) {
  UV_REQ_TYPE_MAP(UVS__RT_NAME)
  default: return NULL;
  }
}

#define UVS__HT_SIZE(uc, lc) case UV_##uc: return sizeof(uv_##lc##_t);
size_t uv_handle_size(uv_handle_type type) {
  switch (type) {
  UV_HANDLE_TYPE_MAP(UVS__HT_SIZE)
  default: return (size_t)-1;
  }
}

#define UVS__RT_SIZE(uc, lc) case UV_##uc: return sizeof(uv_##lc##_t);
size_t uv_req_size(uv_req_type type) {
  switch (type) {
  UV_REQ_TYPE_MAP(UVS__RT_SIZE)
  default: return (size_t)-1;
  }
}

unsigned int uv_version(void) { return UV_VERSION_HEX; }

#define UVS__STR2(x) #x
#define UVS__STR(x) UVS__STR2(x)
const char* uv_version_string(void) {
  return UVS__STR(UV_VERSION_MAJOR) "." UVS__STR(UV_VERSION_MINOR) "."
      UVS__STR(UV_VERSION_PATCH);
}
