/* loop/dl.c — uv_dlopen and friends, on the real dynamic loader.
 *
 * A shared library is code of the program (Node's native addons come this
 * way), not a file of the simulated world: it is loaded from the host path,
 * as the program's own binary was, and nothing here is a decision. The
 * contract is libuv 1.44's: -1 on failure with the loader's message kept
 * in lib->errmsg (the same text for every uv_dlerror until the next call),
 * "no error" when there is none. */
#include "loop/internal.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/* Keeps the loader's last message in lib->errmsg: 0 when there was none,
 * -1 when there was (dlerror() clears it, so it is copied). */
static int keep_error(uv_lib_t* lib) {
  const char* msg = dlerror();
  free(lib->errmsg);
  lib->errmsg = msg ? strdup(msg) : NULL;
  return msg ? -1 : 0;
}

int uv_dlopen(const char* filename, uv_lib_t* lib) {
  dlerror();                    /* forget an older message */
  lib->errmsg = NULL;
  lib->handle = dlopen(filename, RTLD_LAZY);
  return lib->handle ? 0 : keep_error(lib);
}

void uv_dlclose(uv_lib_t* lib) {
  free(lib->errmsg);
  lib->errmsg = NULL;
  if (lib->handle) dlclose(lib->handle);
  lib->handle = NULL;
}

/* A symbol found leaves an older message where it was, as in libuv. */
int uv_dlsym(uv_lib_t* lib, const char* name, void** ptr) {
  dlerror();
  *ptr = dlsym(lib->handle, name);
  return *ptr ? 0 : keep_error(lib);
}

const char* uv_dlerror(const uv_lib_t* lib) {
  return lib->errmsg ? lib->errmsg : "no error";
}
