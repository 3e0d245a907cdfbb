// modelock: lock trained models to authorized hardware.
// Exit codes: 0 ok, 1 usage, 2 bad input file, 3 wrong key, 4 integrity failure.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "modelock/common/error.hpp"

namespace {

using modelock::cli::KeySource;
using modelock::cli::Output;

void add_key_options(CLI::App& cmd, KeySource& key) {
  auto* file = cmd.add_option("-k,--key", key.file, "key file: 32 hex digits or 16 raw bytes, mode 0600");
  auto* env = cmd.add_option("--key-env", key.env, "name of an environment variable holding the key in hex");
  file->excludes(env);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"modelock: lock trained neural-network models to authorized hardware"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "modelock 0.1.0");
  Output output;
  KeySource key;
  std::filesystem::path in, out;
  bool force = false;
  std::string scheme_name = "ctr";
  std::vector<std::string> tensors;

  auto* keygen = app.add_subcommand("keygen", "generate a random 128-bit master key (file mode 0600)");
  keygen->add_option("-o,--output", out, "key file to write")->required();
  keygen->add_flag("--force", force, "replace an existing file");

  auto* lock = app.add_subcommand("lock", "lock a model (.onnx or .safetensors) into a .mlk container");
  lock->add_option("input", in, "model to lock")->required();
  add_key_options(*lock, key);
  lock->add_option("--scheme", scheme_name, "ctr (default, hardened), deeplock (the paper's scheme) or none")
      ->check(CLI::IsMember({"ctr", "deeplock", "none"}));
  lock->add_option("-o,--output", out, "container to write")->required();
  lock->add_option("--tensors", tensors, "ONNX initializers to lock (default: all)")->delimiter(',');

  auto* unlock = app.add_subcommand("unlock", "verify and unlock a container back into the original model file");
  unlock->add_option("input", in, ".mlk container")->required();
  add_key_options(*unlock, key);
  unlock->add_option("-o,--output", out, "model file to write")->required();

  auto* inspect = app.add_subcommand("inspect", "show a container's header (no key needed)");
  inspect->add_option("input", in, ".mlk container")->required();

  auto* verify = app.add_subcommand("verify", "check the key and every tag of a container");
  verify->add_option("input", in, ".mlk container")->required();
  add_key_options(*verify, key);

  for (auto* cmd : {keygen, lock, unlock, inspect, verify}) {
    cmd->add_flag("--json", output.json, "machine-readable output on stdout");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(modelock::ErrorKind::usage);
  }

  try {
    if (*keygen) return modelock::cli::keygen(out, force, output);
    if (*lock) {
      return modelock::cli::lock({in, out, *modelock::scheme::parse_scheme(scheme_name), tensors}, key, output);
    }
    if (*unlock) return modelock::cli::unlock(in, key, out, output);
    if (*inspect) return modelock::cli::inspect(in, output);
    if (*verify) return modelock::cli::verify(in, key, output);
  } catch (const modelock::Error& e) {
    if (output.json) {
      fmt::print("{}\n", nlohmann::json{{"error", e.what()}, {"exit_code", e.exit_code()}}.dump(2));
    }
    fmt::print(stderr, "modelock: error: {}\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "modelock: internal error: {}\n", e.what());
    return 70;
  }
  return static_cast<int>(modelock::ErrorKind::usage);
}
