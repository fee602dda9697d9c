/* tests/engine/real_shim.c — stands in for the virtual loop's hook when the
 * engine runs on the system libuv: there is no loop to call the checkpoint
 * after raw callbacks, so registering it does nothing (the engine's own
 * timer/immediate wrappers run the checkpoint themselves). */
#include <stddef.h>

void uvsim_set_after_callback(void (*fn)(void));

void uvsim_set_after_callback(void (*fn)(void)) { (void)fn; }
