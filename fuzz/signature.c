/* fuzz/signature.c — bug signatures: what makes two failing runs "the same
 * bug". A signature is the oracle, where it fired and the message with every
 * number normalised away (counts, times, addresses, pids differ between
 * schedules of one bug), so a campaign reports each bug once however many
 * schedules hit it. */
#include "fuzz/fuzz.h"

#include <ctype.h>
#include <string.h>

void fz_normalise(const char* in, char* out, size_t outlen) {
  size_t o = 0;
  const unsigned char* p = (const unsigned char*)in;
  if (outlen == 0) return;
  while (*p && o + 1 < outlen) {
    if (isdigit(*p) || (*p == '-' && isdigit(p[1]) && (o == 0 || out[o - 1] == ' '))) {
      /* A number: decimal, 0x-hex, or a hex run that starts with a digit
       * (addresses, hashes); a leading minus goes with it. */
      if (*p == '-') p++;
      if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
      while (isxdigit(*p) || *p == '.') p++;
      out[o++] = 'N';
      continue;
    }
    if (isspace(*p)) {
      while (isspace(*p)) p++;
      if (o > 0 && *p) out[o++] = ' ';
      continue;
    }
    out[o++] = (char)*p++;
  }
  out[o] = 0;
}

void fz_signature(const fz_outcome* o, char* out, size_t outlen) {
  char msg[256], where[96];
  fz_normalise(o->message, msg, sizeof msg);
  fz_normalise(o->where, where, sizeof where);
  snprintf(out, outlen, "%s: %s: %s", sim_oracle_name(o->oracle),
           where[0] ? where : "-", msg);
}

uint64_t fz_sig_hash(const char* signature) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char* p = (const unsigned char*)signature; *p; p++)
    h = (h ^ *p) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

sim_oracle fz_signature_oracle(const char* signature) {
  const char* colon = strchr(signature, ':');
  if (!colon) return SIM_BUG_NONE;
  size_t len = (size_t)(colon - signature);
  for (int o = 1; o < SIM_BUG_ORACLE_COUNT; o++) {
    const char* name = sim_oracle_name((sim_oracle)o);
    if (strlen(name) == len && strncmp(name, signature, len) == 0) return (sim_oracle)o;
  }
  return SIM_BUG_NONE;
}
