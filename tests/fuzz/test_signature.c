/* tests/fuzz/test_signature.c — signatures normalise numbers, addresses
 * and blanks, keep words, and tell oracles and places apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fuzz/fuzz.h"

static void normalise(void** state) {
  (void)state;
  char out[256];
  fz_normalise("balance 90 != 100 at 0x7ffd3a2b", out, sizeof out);
  assert_string_equal(out, "balance N != N at N");
  fz_normalise("  t=1.5ms   x -3 id#12 ", out, sizeof out);
  assert_string_equal(out, "t=Nms x N id#N");
  fz_normalise("==4711==ERROR: AddressSanitizer: heap-use-after-free on address "
                "0x602000000010", out, sizeof out);
  assert_string_equal(out, "==N==ERROR: AddressSanitizer: heap-use-after-free on address N");
  fz_normalise("tcp#1 read", out, sizeof out);
  assert_string_equal(out, "tcp#N read");
  fz_normalise("no digits", out, 4);
  assert_string_equal(out, "no ");
}

static void signature_groups(void** state) {
  (void)state;
  fz_outcome a = { .oracle = SIM_BUG_INVARIANT }, b = a, c = a, d = a;
  snprintf(a.where, sizeof a.where, "check");
  snprintf(a.message, sizeof a.message, "balance 110 != 130");
  b = a;
  snprintf(b.message, sizeof b.message, "balance 120 != 130");
  c = a;
  snprintf(c.where, sizeof c.where, "other");
  d = a;
  d.oracle = SIM_BUG_HANG;
  char sa[256], sb[256], sc[256], sd[256];
  fz_signature(&a, sa, sizeof sa);
  fz_signature(&b, sb, sizeof sb);
  fz_signature(&c, sc, sizeof sc);
  fz_signature(&d, sd, sizeof sd);
  assert_string_equal(sa, "invariant: check: balance N != N");
  assert_string_equal(sa, sb);
  assert_string_not_equal(sa, sc);
  assert_string_not_equal(sa, sd);
  assert_true(fz_sig_hash(sa) == fz_sig_hash(sb));
  assert_true(fz_sig_hash(sa) != fz_sig_hash(sc));
  assert_int_equal(fz_signature_oracle(sa), SIM_BUG_INVARIANT);
  assert_int_equal(fz_signature_oracle(sd), SIM_BUG_HANG);
  assert_int_equal(fz_signature_oracle("unhandled-rejection: x: y"),
                   SIM_BUG_UNHANDLED_REJECTION);
  assert_int_equal(fz_signature_oracle("bogus: x"), SIM_BUG_NONE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(normalise),
    cmocka_unit_test(signature_groups),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
