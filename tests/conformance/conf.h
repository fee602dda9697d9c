/* tests/conformance/conf.h — helpers shared by the C twins of the JS
 * conformance programs. Each twin defines `void program(void)` (renamed per
 * twin by the build), the body of its JS file's main script; driver.c runs
 * it on a loop with the engine, like node runs a main module. */
#ifndef UVSIM_CONF_H
#define UVSIM_CONF_H

#include <stdio.h>
#include <uv.h>

#include "uvsim/engine.h"

void program(void);
/* The loop the program runs on. */
uv_loop_t* conf_loop(void);

/* console.log(show(v)) as lib.js's show() renders it. */
const char* show(uvsim_value v);

/* Callbacks that print their data (a string) / a label and the value. */
void log_cb(void* msg);
uvsim_value log_value(uvsim_value v, void* label);      /* "label value"  */
uvsim_value log_and_pass(uvsim_value v, void* label);   /* logs, returns v */
uvsim_value log_rethrow(uvsim_value v, void* label);    /* logs, throws v  */

/* An "I/O" callback for the C side: a uv_queue_work round trip (in the
 * poll phase, like fs.stat's callback in the JS twin); cb runs from the
 * after-work callback, followed by the checkpoint. */
void conf_io(uvsim_cb cb, void* data);

/* The generated registry: {name, program}, ending with {NULL, NULL}. */
typedef struct conf_entry {
  const char* name;
  void (*fn)(void);
} conf_entry;
extern const conf_entry conf_programs[];

#define LOG(...) (printf(__VA_ARGS__), putchar('\n'))

#endif
