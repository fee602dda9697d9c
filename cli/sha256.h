/* cli/sha256.h — SHA-256 of a file, for reproducers that name a script
 * (a replay refuses a script that changed since). */
#ifndef UVSIM_CLI_SHA256_H
#define UVSIM_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* The digest of len bytes, as 64 lowercase hex digits and a NUL. */
void cli_sha256_hex(const void* data, size_t len, char out[65]);
/* The same for a whole file; -errno when it cannot be read. */
int cli_sha256_file(const char* path, char out[65]);

#endif
