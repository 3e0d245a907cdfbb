// The `modelock` subcommands. Each returns the process exit code; failures
// are thrown as modelock::Error and mapped to exit codes by main().
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "modelock/scheme/cipher.hpp"

namespace modelock::cli {

// Where the master key comes from: a file (-k) or an environment variable.
struct KeySource {
  std::filesystem::path file;
  std::string env;
  [[nodiscard]] scheme::MasterKey load() const;
};

struct Output {
  bool json = false;
};

int keygen(const std::filesystem::path& out, bool force, const Output& output);
struct LockRequest {
  std::filesystem::path in;
  std::filesystem::path out;
  scheme::Scheme scheme = scheme::Scheme::ctr;
  std::vector<std::string> tensors;  // ONNX initializers to lock; empty: all
};
int lock(const LockRequest& request, const KeySource& key, const Output& output);
int unlock(const std::filesystem::path& in, const KeySource& key, const std::filesystem::path& out,
           const Output& output);
int inspect(const std::filesystem::path& in, const Output& output);
int verify(const std::filesystem::path& in, const KeySource& key, const Output& output);

}  // namespace modelock::cli
