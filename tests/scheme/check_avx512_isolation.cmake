# ctest scheme_avx512_object_defines_only_kernels (cmake -P):
#   -DOBJECTS=<objects of modelock_scheme_avx512> -DNM=<nm> -DCOMPILE_COMMANDS=<compile_commands.json>
#
# The AVX-512 kernels (and the AES-NI S-Box layer, kernels_aesni) must not
# leak their instruction sets into the rest of the
# program. Two ways they could:
#  1. per-file -m flags (-mavx512f, -mgfni, ...): every inline function the
#     file instantiates (standard-library templates included) is compiled for
#     AVX-512 and emitted as a weak definition, and the linker may keep that
#     copy for every caller, which then crashes on an older CPU;
#  2. a weak definition in the object, which is that hazard in the object.
# So: no project source is compiled with ISA flags, and the object defines
# only strong (T) global symbols, each an entry point of the kernel set.
foreach(var OBJECTS NM COMPILE_COMMANDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_avx512_isolation.cmake: -D${var}=... is required")
  endif()
endforeach()

set(failures "")

# cpu_features.cpp shares the object library; only the kernels are checked:
# kernels_avx512 and kernels_aesni, each entry point named after its set.
set(KERNEL_OBJECTS "")
foreach(object IN LISTS OBJECTS)
  if(object MATCHES "kernels_(avx512|aesni)")
    list(APPEND KERNEL_OBJECTS "${object}")
  endif()
endforeach()
list(LENGTH KERNEL_OBJECTS kernel_object_count)
if(NOT kernel_object_count EQUAL 2)
  message(FATAL_ERROR "expected the kernels_avx512 and kernels_aesni objects among: ${OBJECTS}")
endif()

file(READ "${COMPILE_COMMANDS}" commands)
string(JSON count LENGTH "${commands}")
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON file GET "${commands}" ${i} file)
  string(JSON command ERROR_VARIABLE no_command GET "${commands}" ${i} command)
  if(no_command)
    string(JSON command GET "${commands}" ${i} arguments)
  endif()
  if(command MATCHES "(^| )(-m(avx|gfni|vaes|aes|sse4|bmi|fma|arch=)[^ ]*)")
    string(APPEND failures "  ${file} is compiled with ${CMAKE_MATCH_2}: every inline function it instantiates gets that ISA\n")
  endif()
endforeach()

set(entry_point_counts "")
foreach(OBJECT IN LISTS KERNEL_OBJECTS)
  string(REGEX MATCH "kernels_(avx512|aesni)" ignored "${OBJECT}")
  set(kernel_set "${CMAKE_MATCH_1}")
  execute_process(COMMAND "${NM}" --defined-only --extern-only "${OBJECT}"
                  OUTPUT_VARIABLE symbols RESULT_VARIABLE nm_status)
  if(NOT nm_status EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${OBJECT}")
  endif()
  string(REPLACE "\n" ";" lines "${symbols}")
  set(entry_points 0)
  foreach(line IN LISTS lines)
    if(line STREQUAL "")
      continue()
    endif()
    if(NOT line MATCHES "^[0-9a-fA-F]* ([A-Za-z]) (.*)$")
      string(APPEND failures "  unexpected nm line: ${line}\n")
      continue()
    endif()
    set(type "${CMAKE_MATCH_1}")
    set(name "${CMAKE_MATCH_2}")
    # Sanitizer bookkeeping (ASan's module constructors and ODR indicators) is
    # data or runtime glue the instrumented build adds, not kernel code.
    if(name MATCHES "^_*(asan|odr_asan|ubsan|sancov)")
      continue()
    endif()
    # type_info objects and names of function types (_ZTI, _ZTS), which clang's
    # -fsanitize=function emits for its indirect-call checks: data, no code.
    if(name MATCHES "^_ZT[IS]F")
      continue()
    endif()
    if(NOT type STREQUAL "T")
      string(APPEND failures "  ${name}: symbol type ${type} (weak or unique): the linker may pick this copy for the whole program\n")
    elseif(NOT name MATCHES "${kernel_set}")
      string(APPEND failures "  ${name}: a global function that is not a ${kernel_set} kernel entry point\n")
    else()
      math(EXPR entry_points "${entry_points} + 1")
    endif()
  endforeach()
  if(entry_points EQUAL 0)
    string(APPEND failures "  ${OBJECT} defines no ${kernel_set} kernel entry point at all: is it the right object?\n")
  endif()
  string(APPEND entry_point_counts " ${entry_points} ${kernel_set}")
endforeach()

if(failures)
  message(FATAL_ERROR "ISA-specific code may leak out of the kernel objects:\n${failures}")
endif()
message(STATUS "kernel entry points:${entry_point_counts}; nothing weak; no source compiled with ISA flags")
