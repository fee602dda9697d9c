/* fuzz/afl.c — AFL++ driver for the libFuzzer entry point: persistent mode
 * (__AFL_LOOP, shared-memory test cases) when built with afl-clang-fast,
 * otherwise one input from stdin or from the file named in argv[1], so the
 * same binary replays a crash AFL++ saved. */
#include <stdio.h>
#include <stdlib.h>

#include <stdint.h>
#include <unistd.h>   /* read(), used by the __AFL_FUZZ_TESTCASE_LEN macro */

int LLVMFuzzerInitialize(int* argc, char*** argv);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define AFL_INPUT_MAX (1u << 20)

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

int main(int argc, char** argv) {
  LLVMFuzzerInitialize(&argc, &argv);
#ifdef __AFL_FUZZ_TESTCASE_LEN
  __AFL_INIT();
  unsigned char* buf = __AFL_FUZZ_TESTCASE_BUF;
  while (__AFL_LOOP(100000)) {
    size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
    LLVMFuzzerTestOneInput(buf, len);
  }
  return 0;
#else
  static unsigned char buf[AFL_INPUT_MAX];
  FILE* in = argc > 1 ? fopen(argv[1], "rb") : stdin;
  if (!in) {
    perror(argv[1]);
    return 2;
  }
  size_t len = fread(buf, 1, sizeof buf, in);
  if (in != stdin) fclose(in);
  LLVMFuzzerTestOneInput(buf, len);
  return 0;
#endif
}
