// modelock: lock trained models to authorized hardware.
// Exit codes (modelock/common/error.hpp): 0 ok, 1 usage, 2 bad input file,
// 3 wrong key, 4 integrity failure, 5 the environment failed (an output or
// stdout could not be written, memory ran out, OpenSSL failed), 70 a bug.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "console.hpp"
#include "failure.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"

namespace {

using modelock::cli::Console;
using modelock::cli::count_in;
using modelock::cli::KeySource;
using modelock::cli::Output;

// Ranges of the count options. Each is the size of the data it counts, so a
// larger value can only be a mistake:
constexpr std::uint64_t kTestImages = 10000;      // Fashion-MNIST test split (--first, --count, --limit)
constexpr std::uint64_t kTrainImages = 60000;     // Fashion-MNIST training split (--calib)
// Each wrong key is one more pass over the test images, as long as the
// right-key pass (measured: about 24 s for the shipped CNN on all 10,000
// images on a loaded 2-core machine). 100 passes give a mean and deviation
// far tighter than telling chance apart needs, and bound a run to well under
// an hour; "-1" used to wrap to 2^64-1 passes.
constexpr std::uint64_t kMaxWrongKeys = 100;

void add_key_options(CLI::App& cmd, KeySource& key) {
  auto* file = cmd.add_option("-k,--key", key.file, "key file: 32 hex digits or 16 raw bytes, mode 0600");
  auto* env = cmd.add_option("--key-env", key.env, "name of an environment variable holding the key in hex");
  file->excludes(env);
}

void report(Console& console, const modelock::cli::Failure& failure, bool json) noexcept {
  if (json) {
    try {
      console.print_json({{"error", failure.message}, {"exit_code", failure.exit_code}});
    } catch (...) {
      // No memory left for the JSON document: stderr below still says why.
    }
  }
  console.error(failure.prefix, failure.message);
}

int run_command_line(int argc, char** argv, Console& console) {
  const std::span<const char* const> args(const_cast<const char* const*>(argv) + 1, argc > 0 ? argc - 1 : 0);
  for (auto& [value, label] : modelock::cli::key_arguments(args)) console.redact(std::move(value), std::move(label));
  const bool json_errors = modelock::cli::json_requested(args);

  CLI::App app{"modelock: lock trained neural-network models to authorized hardware"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "modelock 0.1.0");
  Output output;
  KeySource key;
  std::filesystem::path in, out;
  bool force = false;
  std::string scheme_name = "ctr";
  std::vector<std::string> tensors;
  bool int8 = false;
  modelock::cli::Calibration calibration;
  modelock::cli::EvalRequest eval_request;
  std::string precision = "fp32";
  std::string dataset = "fashion-mnist";

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
  lock->add_flag("--int8", int8, "quantize an .onnx model to int8 (per-channel weights) and lock the engine model");
  auto add_calibration = [&](CLI::App& cmd) {
    cmd.add_option("--calib", calibration.images, "training images that calibrate int8 activation scales")
        ->check(count_in(1, kTrainImages))
        ->capture_default_str();
    cmd.add_option("--data-dir", calibration.data_dir,
                   "Fashion-MNIST folder (default: $MODELOCK_FMNIST_DIR, else /usr/share/datasets/fashion-mnist)");
  };
  add_calibration(*lock);

  auto* quantize = app.add_subcommand("quantize", "quantize an .onnx model to int8 and write it as QDQ ONNX");
  quantize->add_option("input", in, ".onnx model")->required();
  quantize->add_option("-o,--output", out, "QDQ .onnx to write")->required();
  add_calibration(*quantize);

  auto* eval = app.add_subcommand("eval", "accuracy of a model, locked with the right key and with wrong keys");
  eval->add_option("model", eval_request.model, ".onnx (locked in memory) or .mlk (opened with -k)")->required();
  eval->add_option("--dataset", dataset, "data set")->check(CLI::IsMember({"fashion-mnist"}))->capture_default_str();
  add_key_options(*eval, key);
  eval->add_option("--wrong-keys", eval_request.wrong_keys, "random wrong keys to try")
      ->check(count_in(0, kMaxWrongKeys))
      ->capture_default_str();
  eval->add_option("--precision", precision, "fp32 or int8")->check(CLI::IsMember({"fp32", "int8"}))->capture_default_str();
  eval->add_option("--limit", eval_request.limit, "test images to use")
      ->check(count_in(1, kTestImages))
      ->capture_default_str();
  eval->add_option("--scheme", scheme_name, "scheme used to lock an .onnx model in memory")
      ->check(CLI::IsMember({"ctr", "deeplock", "none"}));
  add_calibration(*eval);
  const std::string device_help = fmt::format(
      "run a locked int8 container (lock --int8) on an engine: {} (cpu: the golden model; hls: the HLS kernel in C "
      "simulation; sim: the RTL engine under Verilator; xrt: the kernel on an Alveo board, with --xclbin); default: "
      "unlocked in memory",
      fmt::join(modelock::device::kBackends, " or "));
  // --device and what the xrt backend needs to reach a board.
  auto add_device_options = [&](CLI::App& cmd, std::string& device, modelock::device::DeviceOptions& options,
                                const std::string& help) {
    cmd.add_option("--device", device, help)
        ->check(CLI::IsMember(std::vector<std::string>(modelock::device::kBackends.begin(), modelock::device::kBackends.end())));
    cmd.add_option("--xclbin", options.xclbin, "with --device xrt: the lock_engine .xclbin to load");
    cmd.add_option("--board", options.board,
                   "with --device xrt: board index (as `xbutil examine` lists them) or PCIe BDF, or several separated "
                   "by commas (0,1): batches go round robin over every lock_engine compute unit of every board")
        ->capture_default_str();
    cmd.add_option_function<std::uint32_t>(
           "--timeout", [&options](std::uint32_t ms) { options.timeout = std::chrono::milliseconds(ms); },
           "with --device sim or xrt: milliseconds one engine command may take (sim: of device time at 300 MHz, "
           "default 1000; xrt: wall time, default 10000)")
        ->check(CLI::Range(1u, 3'600'000u));
    cmd.add_option("--trace", options.trace,
                   "with --device sim: write an FST waveform of every engine signal to this file (mode 0600: it holds "
                   "the key and the unlocked weights); needs a build with CMake MODELOCK_SIM_TRACE=ON");
  };
  add_device_options(*eval, eval_request.device, eval_request.device_options, device_help + "; needs --precision int8");

  auto* unlock = app.add_subcommand("unlock", "verify and unlock a container back into the original model file");
  unlock->add_option("input", in, ".mlk container")->required();
  add_key_options(*unlock, key);
  unlock->add_option("-o,--output", out, "model file to write")->required();

  auto* inspect = app.add_subcommand("inspect", "show a container's header (no key needed)");
  inspect->add_option("input", in, ".mlk container")->required();

  auto* verify = app.add_subcommand("verify", "check the key and every tag of a container");
  verify->add_option("input", in, ".mlk container")->required();
  add_key_options(*verify, key);

  modelock::cli::RunRequest run_request;
  auto* run = app.add_subcommand("run", "classify Fashion-MNIST test images with a locked model (unlocked in memory)");
  run->add_option("model", run_request.model, ".mlk container")->required();
  add_key_options(*run, key);
  run->add_option("--first", run_request.first, "first test image")
      ->check(count_in(0, kTestImages - 1))
      ->capture_default_str();
  run->add_option("--count", run_request.count, "how many images")->check(count_in(1, kTestImages))->capture_default_str();
  run->add_option("--data-dir", run_request.data_dir, "Fashion-MNIST folder");
  add_device_options(*run, run_request.device, run_request.device_options, device_help);

  auto* attack = app.add_subcommand("attack", "demonstrations of attacks on locked models (docs/security.md)");
  attack->require_subcommand(1);
  std::vector<std::string> known;
  auto* known_plaintext = attack->add_subcommand(
      "known-plaintext", "recover a deeplock container's key from four known consecutive fp32 parameters");
  known_plaintext->add_option("input", in, ".mlk container")->required();
  known_plaintext->add_option("--known", known, "NAME:INDEX=VALUE, four or more times")->required();
  known_plaintext->add_option("-o,--output", out, "write the recovered model here when the key is recovered");

  for (auto* cmd : {keygen, lock, unlock, inspect, verify, quantize, eval, run, known_plaintext}) {
    cmd->add_flag("--json", output.json, "machine-readable output on stdout");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0 that print to stdout.
    std::ostringstream help, ignored;
    if (app.exit(e, help, ignored) == 0) {
      console.print(help.str());
      return 0;
    }
    report(console,
           {static_cast<int>(modelock::ErrorKind::usage), "error",
            std::string(e.what()) + " (run with --help for more information)"},
           json_errors);
    return static_cast<int>(modelock::ErrorKind::usage);
  }

  if (*keygen) return modelock::cli::keygen(out, force, output);
  if (*lock) {
    std::optional<modelock::cli::Calibration> int8_calibration;
    if (int8) int8_calibration = calibration;
    return modelock::cli::lock({in, out, *modelock::scheme::parse_scheme(scheme_name), tensors, int8_calibration}, key,
                               output);
  }
  if (*unlock) return modelock::cli::unlock(in, key, out, output);
  if (*inspect) return modelock::cli::inspect(in, output);
  if (*verify) return modelock::cli::verify(in, key, output);
  if (*quantize) return modelock::cli::quantize(in, calibration, out, output);
  // Options of one device that another would silently ignore.
  for (const auto* cmd : {run, eval}) {
    const std::string& device = cmd == run ? run_request.device : eval_request.device;
    if (!*cmd) continue;
    if (device != "xrt" && (cmd->count("--xclbin") > 0 || cmd->count("--board") > 0)) {
      throw modelock::Error(modelock::ErrorKind::usage, "--xclbin and --board: expected --device xrt");
    }
    if (device != "sim" && cmd->count("--trace") > 0) {
      throw modelock::Error(modelock::ErrorKind::usage, "--trace: expected --device sim");
    }
    if (device != "sim" && device != "xrt" && cmd->count("--timeout") > 0) {
      throw modelock::Error(modelock::ErrorKind::usage, "--timeout: expected --device sim or xrt");
    }
  }
  if (*run) return modelock::cli::run(run_request, key, output);
  if (*known_plaintext) return modelock::cli::attack_known_plaintext(in, known, out, output);
  if (*eval) {
    eval_request.int8 = precision == "int8";
    eval_request.calibration = calibration;
    eval_request.scheme = *modelock::scheme::parse_scheme(scheme_name);
    return modelock::cli::eval(eval_request, key, output);
  }
  throw std::logic_error("a subcommand was parsed that main() does not dispatch");
}

}  // namespace

int main(int argc, char** argv) {
  Console& console = Console::instance();
  int code = 0;
  try {
    code = run_command_line(argc, argv, console);
  } catch (...) {
    const auto failure = modelock::cli::describe_failure(std::current_exception());
    report(console, failure, modelock::cli::json_requested({const_cast<const char* const*>(argv) + 1,
                                                             argc > 0 ? static_cast<std::size_t>(argc - 1) : 0}));
    code = failure.exit_code;
  }
  if (!console.finish_stdout()) {
    console.error("error", fmt::format("standard output: cannot write: {}", std::strerror(console.stdout_error())));
    if (code == 0) code = static_cast<int>(modelock::ErrorKind::system);
  }
  return code;
}
