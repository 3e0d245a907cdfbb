# Compile-time tests that the public API does NOT offer something.
#
# modelock_api_probe(<name> SOURCE <file> LINK <target> MISUSE <macro> EXPECT <regex>)
#
# <file> compiles as it stands (an object library in the default build, one
# per <target>, keeps it so); with -D<macro> it adds one misuse of the API.
# The ctest <name> builds that variant and passes only when the compiler refuses it with a
# message matching <regex> (GCC's and clang's wording), so it fails both when
# the misuse compiles and when the build breaks for another reason.
function(modelock_api_probe name)
  cmake_parse_arguments(PROBE "" "SOURCE;LINK;MISUSE;EXPECT" "" ${ARGN})
  # One control per library probed, however many misuses its file holds.
  if(NOT TARGET ${PROBE_LINK}_api_probe_compiles)
    add_library(${PROBE_LINK}_api_probe_compiles OBJECT ${PROBE_SOURCE})
    target_link_libraries(${PROBE_LINK}_api_probe_compiles PRIVATE ${PROBE_LINK} modelock_warnings)
  endif()
  add_library(${name} OBJECT EXCLUDE_FROM_ALL ${PROBE_SOURCE})
  target_link_libraries(${name} PRIVATE ${PROBE_LINK})
  target_compile_definitions(${name} PRIVATE ${PROBE_MISUSE})
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target ${name})
  # One build of the tree at a time: two would race on the same make state.
  # Label "source": a check of the sources, which the sanitizer pass skips.
  set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${PROBE_EXPECT}"
                                          RESOURCE_LOCK modelock_build_tree LABELS source)
endfunction()
