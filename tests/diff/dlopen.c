/* uv_dlopen, uv_dlsym, uv_dlerror, uv_dlclose: a library that loads (libm),
 * a symbol it has and one it lacks, a library that does not exist, and the
 * message kept until the next failure (a symbol found keeps it). */
#include "d.h"

typedef double (*fn_d_d)(double);

int main(void) {
  uv_lib_t lib;
  void* sym = NULL;
  lib.errmsg = NULL;
  lib.handle = NULL;
  SAY("fresh: %s", uv_dlerror(&lib));

  SAY("open libm: %d", uv_dlopen("libm.so.6", &lib));
  SAY("after open: %s", uv_dlerror(&lib));
  SAY("sym cos: %d", uv_dlsym(&lib, "cos", &sym));
  SAY("cos(0) = %.1f", ((fn_d_d)sym)(0.0));
  SAY("after sym: %s", uv_dlerror(&lib));
  SAY("sym missing: %d", uv_dlsym(&lib, "no_such_symbol_uvsim", &sym));
  SAY("names it: %d", strstr(uv_dlerror(&lib), "no_such_symbol_uvsim") != NULL);
  SAY("sym again: %d", uv_dlsym(&lib, "sin", &sym));
  SAY("kept: %d", strstr(uv_dlerror(&lib), "no_such_symbol_uvsim") != NULL);
  uv_dlclose(&lib);
  SAY("closed: %s handle=%d", uv_dlerror(&lib), lib.handle != NULL);

  SAY("open missing: %d", uv_dlopen("/nonexistent/libuvsim_none.so", &lib));
  const char* m1 = uv_dlerror(&lib);
  const char* m2 = uv_dlerror(&lib);
  SAY("names path: %d, same twice: %d", strstr(m1, "/nonexistent/libuvsim_none.so") != NULL,
      strcmp(m1, m2) == 0);
  uv_dlclose(&lib);
  SAY("closed: %s", uv_dlerror(&lib));
  return 0;
}
