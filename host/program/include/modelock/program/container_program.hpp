// What an engine run needs from a container, for the host side of a device:
// its engine program and, after verification only, its plaintext blob.
#pragma once

#include <cstdint>
#include <vector>

#include "modelock/format/container.hpp"
#include "modelock/format/container_file.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/program/reader.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::program {

// The container's `engine.program` tensor, parsed (parse_program; errors
// name the container and the tensor). Throws Error(bad_input) when there is
// none (a container locked without --int8, or before engine programs). Needs
// no key and checks no tag: run locking::verify for that.
[[nodiscard]] ParsedProgram container_program(const format::Container& container);
// The same, read from the file (only the program tensor is read).
[[nodiscard]] ParsedProgram container_program(const format::ContainerFile& container);

// The blob as an engine sees it after its unlock stage: every tensor's
// plaintext at its blob offset, zeros between, the container's blob length.
// Only after locking::unlock_model has checked the key and every tag
// (including the program's), so it never hands out unverified plaintext.
[[nodiscard]] std::vector<std::uint8_t> unlocked_blob(const format::Container& container, const scheme::MasterKey& key,
                                                      const locking::OpenOptions& options = {});

}  // namespace modelock::program
