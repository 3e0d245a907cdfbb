// The checks open_input_file makes on a descriptor, for descriptors opened
// another way (confined_path.cpp opens below a directory descriptor).
#pragma once

#include <filesystem>

#include "modelock/common/file.hpp"

namespace modelock::detail {

// `fd` was opened read-only with O_NONBLOCK; `path` names it in messages.
// Refuses anything but a regular file (Error bad_input saying what it is),
// then clears O_NONBLOCK.
[[nodiscard]] InputFile regular_input_file(FileDescriptor fd, const std::filesystem::path& path);

}  // namespace modelock::detail
