# uvsimTest.cmake — uvsim_add_test(), part of find_package(uvsim).
#
#   uvsim_add_test(NAME name COMMAND prog [args...] RUNS N
#                  [SEED S] [TIMEOUT S] [JOBS J] [SAME_OUTPUT] [JUNIT FILE])
#
# Registers a ctest test that runs `prog args` — an ordinary test binary,
# built and linked against the real libuv — under
#   uvsim exec --runs N --seed S --timeout S -- prog args
# (libuvsim.so preloaded in place of libuv, one seed per run after the
# natural order). The test fails when any schedule fails; its output has
# the failure's signature and the one line that replays it. `prog` may be
# a target name. TIMEOUT is uvsim's per-run limit (seconds, default 10);
# the ctest TIMEOUT of the test is left to set_tests_properties.
function(uvsim_add_test)
  cmake_parse_arguments(U "SAME_OUTPUT" "NAME;RUNS;SEED;TIMEOUT;JOBS;JUNIT" "COMMAND" ${ARGN})
  if(NOT U_NAME)
    message(FATAL_ERROR "uvsim_add_test: NAME is required")
  endif()
  if(NOT U_COMMAND)
    message(FATAL_ERROR "uvsim_add_test(${U_NAME}): COMMAND is required")
  endif()
  if(NOT U_RUNS)
    message(FATAL_ERROR "uvsim_add_test(${U_NAME}): RUNS is required")
  endif()
  if(U_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "uvsim_add_test(${U_NAME}): unknown arguments ${U_UNPARSED_ARGUMENTS}")
  endif()
  set(opts --runs ${U_RUNS} --quiet)
  if(DEFINED U_SEED)
    list(APPEND opts --seed ${U_SEED})
  endif()
  if(DEFINED U_TIMEOUT)
    list(APPEND opts --timeout ${U_TIMEOUT})
  endif()
  if(DEFINED U_JOBS)
    list(APPEND opts --jobs ${U_JOBS})
  endif()
  if(U_SAME_OUTPUT)
    list(APPEND opts --same-output)
  endif()
  if(DEFINED U_JUNIT)
    list(APPEND opts --junit ${U_JUNIT})
  endif()
  list(GET U_COMMAND 0 prog)
  list(REMOVE_AT U_COMMAND 0)
  if(TARGET ${prog})
    set(prog $<TARGET_FILE:${prog}>)
  endif()
  add_test(NAME ${U_NAME} COMMAND $<TARGET_FILE:uvsim::cli> exec ${opts} -- ${prog} ${U_COMMAND})
endfunction()
