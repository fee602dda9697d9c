/* uvsim.h — uvsim's public API. A program includes <uv.h> (the system's
 * libuv 1.44 header, unchanged) and links -luvsim instead of -luv; this header
 * adds what only a simulator can offer. One sub-header per layer. */
#ifndef UVSIM_H
#define UVSIM_H

#include <uv.h>

#include "uvsim/world.h"    /* invariants, explicit choices, trace hash     */
#include "uvsim/loop.h"     /* loop-level hooks, pool, world reset          */
#include "uvsim/engine.h"   /* nextTick, microtasks, promises, async fns    */
#include "uvsim/explore.h"  /* run a test body under many schedules         */

#endif
