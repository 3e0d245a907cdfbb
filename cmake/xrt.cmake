# XRT for the `xrt` device backend and make_xclbin: imported targets
# modelock::xrt_headers (xclbin.h and the native C++ API's headers) and
# modelock::xrt (those and libxrt_coreutil), and MODELOCK_XILINX_XRT.
#
# Debian's xrt.pc says prefix=/usr//usr, so the paths pkg-config gives do not
# exist; the headers and the library are looked up here instead, where the
# Debian package (/usr/include/xrt) and AMD's packages
# (/opt/xilinx/xrt/include) put them.
find_path(XRT_INCLUDE_DIR xrt/xrt_device.h PATHS /usr/include/xrt /opt/xilinx/xrt/include NO_DEFAULT_PATH)
find_library(XRT_COREUTIL_LIBRARY xrt_coreutil PATHS /opt/xilinx/xrt/lib)
find_library(UUID_LIBRARY uuid)
if(NOT XRT_INCLUDE_DIR OR NOT XRT_COREUTIL_LIBRARY OR NOT UUID_LIBRARY)
  message(FATAL_ERROR "MODELOCK_XRT: XRT's headers (xrt/xrt_device.h), libxrt_coreutil or libuuid not found "
    "(apt-get install libxrt-dev), or configure with -DMODELOCK_XRT=OFF")
endif()

add_library(modelock_xrt_headers INTERFACE)
target_include_directories(modelock_xrt_headers SYSTEM INTERFACE ${XRT_INCLUDE_DIR})
add_library(modelock::xrt_headers ALIAS modelock_xrt_headers)
add_library(modelock_xrt INTERFACE)
target_link_libraries(modelock_xrt INTERFACE modelock_xrt_headers ${XRT_COREUTIL_LIBRARY} ${UUID_LIBRARY})
add_library(modelock::xrt ALIAS modelock_xrt)

# XRT loads its drivers (the PCIe shim, or the noop one under
# XCL_EMULATION_MODE=noop) from $XILINX_XRT/lib, and refuses to open a device
# when XILINX_XRT is not set. AMD's packages set it (/opt/xilinx/xrt/setup.sh);
# Debian's has its libraries in the multiarch folder and sets nothing. So the
# build folder gets an XRT root whose `lib` is that folder: the tests run with
# XILINX_XRT set to it, and the backend uses it when XILINX_XRT is unset.
get_filename_component(xrt_library_dir "${XRT_COREUTIL_LIBRARY}" DIRECTORY)
set(MODELOCK_XILINX_XRT "${CMAKE_BINARY_DIR}/xrt-root")
file(MAKE_DIRECTORY "${MODELOCK_XILINX_XRT}")
file(CREATE_LINK "${xrt_library_dir}" "${MODELOCK_XILINX_XRT}/lib" SYMBOLIC)
message(STATUS "XRT: ${XRT_INCLUDE_DIR}, ${XRT_COREUTIL_LIBRARY}; XILINX_XRT for tests: ${MODELOCK_XILINX_XRT}")
