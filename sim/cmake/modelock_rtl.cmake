# Verilator models of rtl/ and the testbenches that drive them.
#
#   modelock_rtl_model(<name> TOP <module> SOURCES <sv files...>
#                      [VERILATOR_ARGS <args...>] [TRACE])
#     A static library V<module> (the verilated C++ model) named <name>. Each
#     model is verilated and compiled once and shared by every test that links
#     it: Verilator output is slow to compile, and make test runs on two cores.
#
#   modelock_rtl_testbench(<name> MODEL <model target> SOURCES <cpp files...>
#                          [LIBS <targets...>] [LABELS <labels...>])
#     A GoogleTest executable over one model, registered with ctest under the
#     label "rtl" (plus LABELS). Testbench code keeps the project's warnings;
#     Verilator's generated code and headers do not (they are not ours).

find_package(verilator 5.006 REQUIRED HINTS $ENV{VERILATOR_ROOT})

# The folder holding every .sv file, for Verilator's include search (`include
# of the packages) and for lint.
set(MODELOCK_RTL_DIR ${PROJECT_SOURCE_DIR}/rtl)

# Verilator's runtime (verilated.cpp, verilated_threads.cpp) compiled once for
# every model: verilate() adds it to each model it makes, and compiling it
# twenty times cost about a minute of make test on two cores. It reads none
# of the per-model VM_* switches, so one copy serves them all (a traced
# model still gets its own trace writer from verilate()).
add_library(modelock_verilated_runtime STATIC
  ${VERILATOR_ROOT}/include/verilated.cpp ${VERILATOR_ROOT}/include/verilated_threads.cpp)
target_include_directories(modelock_verilated_runtime SYSTEM PUBLIC
  ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
target_compile_options(modelock_verilated_runtime PRIVATE -O1)
find_package(Threads REQUIRED)
target_link_libraries(modelock_verilated_runtime PUBLIC Threads::Threads)

# The optimisation of the models' generated "fast" code (what runs every
# cycle). A cache variable so a build can trade compile time for speed
# without an edit; the default is measured in rtl/doc/theory_of_operation.md
# ("Verilator speed").
# -O2: measured side by side against -O1 on the engine model (2026-12-01),
# 1.3x the simulated cycles per second for the same compile time (about
# 125 s of processor time either way).
set(MODELOCK_RTL_OPT_FAST -O2 CACHE STRING "C++ optimisation of the Verilator models' per-cycle code")

function(modelock_rtl_model name)
  cmake_parse_arguments(arg "TRACE" "TOP" "SOURCES;VERILATOR_ARGS" ${ARGN})
  add_library(${name} STATIC)
  set(trace_args)
  if(arg_TRACE)
    set(trace_args TRACE_FST)
  endif()
  verilate(${name}
    PREFIX V${arg_TOP}
    TOP_MODULE ${arg_TOP}
    # The lint waivers apply to the models too: -Wall is on for both.
    SOURCES ${MODELOCK_RTL_DIR}/lint/waivers.vlt ${arg_SOURCES}
    INCLUDE_DIRS ${MODELOCK_RTL_DIR}
    # The per-cycle code at MODELOCK_RTL_OPT_FAST (above). The "slow" files
    # (construction and initial blocks, run once) at -O0: nearly half of the
    # generated code, and no run is faster for optimising it.
    OPT_FAST ${MODELOCK_RTL_OPT_FAST} OPT_SLOW -O0 OPT_GLOBAL -O1
    VERILATOR_ARGS -Wall --x-assign unique --x-initial unique ${arg_VERILATOR_ARGS}
    ${trace_args})
  get_target_property(sources ${name} SOURCES)
  list(FILTER sources EXCLUDE REGEX "/include/verilated(_threads)?\\.cpp$")
  set_property(TARGET ${name} PROPERTY SOURCES ${sources})
  target_link_libraries(${name} PUBLIC modelock_verilated_runtime)
  # Consumers see Verilator's headers and the model's as system headers, so
  # the project's -Wall -Wextra -Werror do not apply to code that is not ours.
  get_target_property(includes ${name} INTERFACE_INCLUDE_DIRECTORIES)
  set_target_properties(${name} PROPERTIES INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${includes}")
endfunction()

function(modelock_rtl_testbench name)
  cmake_parse_arguments(arg "" "MODEL" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_MODEL} ${arg_LIBS} GTest::gtest_main modelock_warnings)
  # -O1 as the test programs of tests/ (tests/CMakeLists.txt says why): the
  # time goes into the model, which has its own flags above.
  target_compile_options(${name} PRIVATE $<$<CONFIG:Release,RelWithDebInfo>:-O1>)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "rtl;${arg_LABELS}")
endfunction()
