/* sim/sim_util.h — the few helpers every layer shares, one strict version each:
 * allocation that cannot return NULL, parsing of unsigned numbers from
 * command lines, files and the environment, and creating a host directory
 * with its parents.
 *
 * Numbers are strict everywhere: the whole string, decimal digits only (no
 * sign, no space, no 0x), overflow refused; "010" is 10. A bad value is an
 * error the user sees, never a silent 0. */
#ifndef UVSIM_SIM_SIM_UTIL_H
#define UVSIM_SIM_SIM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------- allocation */

/* Never NULL: out of memory prints one line and aborts. A size of 0
 * allocates one byte, so the result is always a distinct pointer. */
void* sim_xmalloc(size_t n);
void* sim_xrealloc(void* p, size_t n);
/* Zeroed; nmemb * size must not overflow (checked). */
void* sim_xcalloc(size_t nmemb, size_t size);
char* sim_xstrdup(const char* s);

/* ------------------------------------------------------------- numbers */

/* Decimal, 0..UINT64_MAX. Returns 0, or -1 (out untouched). */
int sim_parse_u64(const char* s, uint64_t* out);
/* Hexadecimal digits only (either case, no 0x), 1..16 of them. Returns 0,
 * or -1 (out untouched). */
int sim_parse_hex64(const char* s, uint64_t* out);

/* The environment variable `name` as sim_parse_u64 reads it, at most `max`;
 * `dflt` when it is unset or empty. Any other value (not a number, above
 * max) ends the process with one line on stderr and exit status 2 (with
 * _exit: this runs inside other people's programs, whose atexit teardown
 * may expect a closed loop). */
uint64_t sim_env_u64(const char* name, uint64_t dflt, uint64_t max);

/* ---------------------------------------------------------- host files */

/* mkdir -p on the host's file system (the simulated one has
 * sim_fs_mkdir_p): creates `path` and its missing parents with `mode`.
 * Returns 0 (also when it exists), or -1 with errno set (ENAMETOOLONG for a
 * path of PATH_MAX bytes or more). */
int sim_mkdir_p(const char* path, unsigned mode);

#endif
