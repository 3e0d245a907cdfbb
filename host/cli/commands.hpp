// The `modelock` subcommands. Each returns the process exit code; failures
// are thrown as modelock::Error and mapped to exit codes by main().
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "modelock/device/device.hpp"
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

// Post-training quantization settings (lock --int8, quantize, eval --precision int8).
struct Calibration {
  std::size_t images = 1000;           // training images that calibrate activation scales
  std::filesystem::path data_dir;      // Fashion-MNIST; empty: MODELOCK_FMNIST_DIR or the Debian path
};

int keygen(const std::filesystem::path& out, bool force, const Output& output);
struct LockRequest {
  std::filesystem::path in;
  std::filesystem::path out;
  scheme::Scheme scheme = scheme::Scheme::ctr;
  std::vector<std::string> tensors;    // ONNX initializers to lock; empty: all
  std::optional<Calibration> int8;     // quantize to int8 before locking
};
int lock(const LockRequest& request, const KeySource& key, const Output& output);
int unlock(const std::filesystem::path& in, const KeySource& key, const std::filesystem::path& out,
           const Output& output);
int inspect(const std::filesystem::path& in, const Output& output);
int verify(const std::filesystem::path& in, const KeySource& key, const Output& output);
int quantize(const std::filesystem::path& in, const Calibration& calibration, const std::filesystem::path& out,
             const Output& output);

struct EvalRequest {
  std::filesystem::path model;         // .onnx (locked in memory) or .mlk (opened with the key)
  bool int8 = false;
  Calibration calibration;
  scheme::Scheme scheme = scheme::Scheme::ctr;  // for an .onnx model
  std::size_t wrong_keys = 5;
  std::size_t limit = 10000;
  // --device: run a locked int8 container (.mlk) on this backend
  // (modelock::device) and compare it with the int8 reference; wrong keys
  // must then be refused by the device. Empty: today's in-memory evaluation.
  std::string device;
  device::DeviceOptions device_options;  // --xclbin, --board (xrt)
};
int eval(const EvalRequest& request, const KeySource& key, const Output& output);

// `run`: classifies test images with a locked model, unlocked in memory only.
struct RunRequest {
  std::filesystem::path model;  // .mlk
  std::size_t first = 0;        // first test image
  std::size_t count = 10;
  std::filesystem::path data_dir;
  std::string device;  // --device: classify on this backend; empty: unlocked in memory
  device::DeviceOptions device_options;  // --xclbin, --board (xrt)
};
int run(const RunRequest& request, const KeySource& key, const Output& output);

// `attack known-plaintext`: recovers a deeplock container's key from known
// fp32 parameters given as NAME:INDEX=VALUE; writes the recovered model to
// `out` when it succeeds and `out` is set. Exit 0 recovered, 3 not recovered.
int attack_known_plaintext(const std::filesystem::path& in, const std::vector<std::string>& known,
                           const std::filesystem::path& out, const Output& output);

}  // namespace modelock::cli
