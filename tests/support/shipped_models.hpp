// Where the shipped models are: models/, which CMake passes to a test target
// as MODELOCK_MODELS_DIR. Tests read them and never write them.
#pragma once

#include <filesystem>

#ifndef MODELOCK_MODELS_DIR
#error "a test that reads the shipped models needs MODELOCK_MODELS_DIR (target_compile_definitions)"
#endif

namespace modelock::testing {

inline const std::filesystem::path kModelsDir = MODELOCK_MODELS_DIR;

}  // namespace modelock::testing
