/* tests/node/exit_probe.c — a node addon (N-API, nothing exported to JS)
 * that says on stderr, from a destructor, that the process's exit handlers
 * ran: a plain node run ends through them, a `uvsim node` run that ends
 * after its loop does not (loop/det/det.c, "exit"). */
#include <string.h>
#include <unistd.h>

/* N-API's entry point (node 18 looks it up by name): exports unchanged. */
__attribute__((visibility("default"))) void* napi_register_module_v1(void* env, void* exports);
void* napi_register_module_v1(void* env, void* exports) {
  (void)env;
  return exports;
}

__attribute__((destructor)) static void said_at_exit(void) {
  static const char line[] = "exit_probe: exit handlers ran\n";
  if (write(2, line, strlen(line)) < 0) {
    /* stderr gone: nothing to say it on */
  }
}
