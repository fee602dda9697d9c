#include <math.h>

#include "conf.h"
void program(void) {
  double nums[] = {0, -0.0, 1, -7, 0.1, 0.5, 1.0 / 3, 123.456, 1e21, 1.5e-7, 9007199254740992.0, 1e-7,
                   123456789012345680000.0, -2.5e-10, NAN, INFINITY, 1e-6, 0.000001234, 5e-324, 1.7976931348623157e308, 100, 1e20, -1e21, 4.35};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) LOG("num %s", show(uvsim_double(nums[i])));
  LOG("%s %s %s %s %s", show(uvsim_undefined()), show(uvsim_null()), show(uvsim_bool(1)), show(uvsim_bool(0)),
      show(uvsim_str("str")));
  uvsim_value inner[2] = {uvsim_double(2.5), uvsim_array_new(NULL, 0)};
  uvsim_value items[5] = {uvsim_int(1), uvsim_str("a"), uvsim_null(), uvsim_undefined(), uvsim_array_new(inner, 2)};
  LOG("%s", show(uvsim_array_new(items, 5)));
  uvsim_then(uvsim_promise_from(uvsim_double(0.1 + 0.2)), log_value, NULL, "then");
}
