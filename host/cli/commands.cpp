#include "commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "model_io.hpp"
#include "modelock/onnx/onnx_model.hpp"

#include <unistd.h>
#include "modelock/attack/known_plaintext.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/format/container.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/evaluation/evaluation.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"

namespace modelock::cli {

namespace {

void print_json(const nlohmann::json& j) { fmt::print("{}\n", j.dump(2)); }

// Header strings are unverified input: show control characters as \xNN
// rather than letting them reach the terminal.
std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Quantizes an imported fp32 ONNX model to the int8 engine model.
format::Model to_int8(const format::Model& fp32, const Calibration& calibration, const std::string& origin) {
  const auto net = runtime::Network::from_model(fp32, origin);
  const auto train = data::load_fashion_mnist(data::Split::train, calibration.data_dir);
  const std::size_t n = std::min(calibration.images, train.count);
  if (n == 0) throw Error(ErrorKind::usage, "--calib: expected at least one calibration image");
  const runtime::FloatTensor images({static_cast<std::int64_t>(n), 1, static_cast<std::int64_t>(train.rows),
                                     static_cast<std::int64_t>(train.cols)},
                                    data::to_float_nchw(train, 0, n));
  return quant::QuantizedNetwork::quantize(net, images).to_model();
}

bool is_int8(const format::Model& model) {
  return format::format_name(model.graph) == quant::kInt8GraphFormat;
}

// A progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() {
    if (drawn_) fmt::print(stderr, "\n");
  }
  void operator()(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    const std::size_t percent = done * 100 / total;
    if (percent == last_) return;
    last_ = percent;
    drawn_ = true;
    const std::size_t filled = percent * 40 / 100;
    fmt::print(stderr, "\r  [{}{}] {:3}%", std::string(filled, '#'), std::string(40 - filled, '.'), percent);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::size_t last_ = 101;
};

std::uint64_t total_bytes(const format::Model& model) {
  std::uint64_t n = 0;
  for (const auto& t : model.tensors) n += t.data.size();
  return n;
}

}  // namespace

scheme::MasterKey KeySource::load() const {
  if (!file.empty()) return scheme::MasterKey::from_file(file);
  if (!env.empty()) return scheme::MasterKey::from_env(env);
  throw Error(ErrorKind::usage, "no key given: pass -k KEYFILE or --key-env VARIABLE");
}

int keygen(const std::filesystem::path& out, bool force, const Output& output) {
  if (!force && std::filesystem::exists(out)) {
    throw Error(ErrorKind::usage, fmt::format("{}: already exists; pass --force to replace it", out.string()));
  }
  scheme::MasterKey::generate().save(out);
  if (output.json) {
    print_json({{"key_file", out.string()}, {"mode", "0600"}});
  } else {
    fmt::print("wrote a new 128-bit key to {} (mode 0600)\n", out.string());
  }
  return 0;
}

int lock(const LockRequest& request, const KeySource& key, const Output& output) {
  const auto& [in, out, scheme_id, tensors, int8] = request;
  format::Model model = read_model(in, tensors);
  if (int8) {
    if (!tensors.empty()) throw Error(ErrorKind::usage, "--tensors and --int8 exclude each other: an int8 container locks every tensor");
    if (!onnxio::has_onnx_graph(model)) throw Error(ErrorKind::usage, fmt::format("{}: --int8 needs an .onnx model", in.string()));
    model = to_int8(model, *int8, in.string());
  }
  const scheme::MasterKey master = key.load();
  const auto bytes = locking::lock_model(model, master, {scheme_id});
  write_file_atomic(out, bytes);
  std::size_t locked = 0;
  for (const auto& t : model.tensors) locked += t.locked;
  if (output.json) {
    print_json({{"input", in.string()},
                {"output", out.string()},
                {"scheme", scheme::scheme_name(scheme_id)},
                {"tensors", model.tensors.size()},
                {"locked_tensors", locked},
                {"tensor_bytes", total_bytes(model)},
                {"file_bytes", bytes.size()}});
  } else {
    fmt::print("locked {} of {} tensors ({} bytes) from {} with scheme {} into {} ({} bytes)\n", locked,
               model.tensors.size(), total_bytes(model), in.string(), scheme::scheme_name(scheme_id),
               out.string(), bytes.size());
  }
  return 0;
}

int unlock(const std::filesystem::path& in, const KeySource& key, const std::filesystem::path& out,
           const Output& output) {
  const auto container = format::Container::read(in);
  const format::Model model = locking::unlock_model(container, key.load());
  auto bytes = write_model(model, in);
  // Plaintext weights are what the container protects: owner-only, like a key.
  write_file_atomic(out, bytes, 0600);
  if (output.json) {
    print_json({{"input", in.string()}, {"output", out.string()}, {"tensors", model.tensors.size()},
                {"file_bytes", bytes.size()}});
  } else {
    fmt::print("verified and unlocked {} tensors from {} into {}\n", model.tensors.size(), in.string(),
               out.string());
  }
  return 0;
}

int inspect(const std::filesystem::path& in, const Output& output) {
  const auto container = format::Container::read(in);
  const auto& h = container.header();
  if (output.json) {
    nlohmann::json j = format::header_to_json(h);
    j["file"] = in.string();
    j["file_bytes"] = container.file_size();
    j["blob_offset"] = container.blob_offset();
    j["stream_bytes"] = container.stream_length();
    j["header_tag"] = to_hex(container.header_tag());
    print_json(j);
    return 0;
  }
  fmt::print("{}: modelock container v{}, {} bytes\n", in.string(), format::kContainerVersion, container.file_size());
  fmt::print("  scheme  {}\n  nonce   {}\n  kcv     {}\n  stream  {} locked bytes\n", scheme::scheme_name(h.scheme),
             to_hex(h.nonce), to_hex(h.kcv), container.stream_length());
  if (h.source.is_object()) fmt::print("  source  {}\n", printable(format::format_name(h.source)));
  fmt::print("  {:<32} {:<5} {:<18} {:>12} {:>12} {}\n", "tensor", "dtype", "shape", "offset", "bytes", "locked");
  for (const auto& t : h.tensors) {
    fmt::print("  {:<32} {:<5} {:<18} {:>12} {:>12} {}\n", printable(t.name), format::dtype_name(t.dtype),
               fmt::format("[{}]", fmt::join(t.shape, ",")), t.offset, t.length, t.locked ? "yes" : "no");
  }
  return 0;
}

int verify(const std::filesystem::path& in, const KeySource& key, const Output& output) {
  const auto container = format::Container::read(in);
  locking::verify(container, key.load());
  if (output.json) {
    print_json({{"file", in.string()}, {"key", "ok"}, {"header_tag", "ok"},
                {"tensors_verified", container.header().tensors.size()}});
  } else {
    fmt::print("{}: key matches; header and {} tensor tags verify\n", in.string(), container.header().tensors.size());
  }
  return 0;
}

int quantize(const std::filesystem::path& in, const Calibration& calibration, const std::filesystem::path& out,
             const Output& output) {
  const format::Model fp32 = read_model(in);
  if (!onnxio::has_onnx_graph(fp32)) throw Error(ErrorKind::usage, fmt::format("{}: quantize needs an .onnx model", in.string()));
  const format::Model int8 = to_int8(fp32, calibration, in.string());
  write_file_atomic(out, quant::export_qdq_onnx(int8, in.string()), 0600);
  if (output.json) {
    print_json({{"input", in.string()}, {"output", out.string()}, {"calibration_images", calibration.images},
                {"layers", int8.graph.at("layers")}});
  } else {
    fmt::print("quantized {} to int8 (QDQ ONNX) with {} calibration images into {}\n", in.string(),
               calibration.images, out.string());
  }
  return 0;
}

int eval(const EvalRequest& request, const KeySource& key_source, const Output& output) {
  const bool locked_input = request.model.extension() == ".mlk";
  format::Model model;
  std::optional<scheme::MasterKey> key;
  scheme::Scheme scheme_id = request.scheme;
  if (locked_input) {
    // The container opened with the given key stands in for the original.
    key = key_source.load();
    const auto container = format::Container::read(request.model);
    scheme_id = container.header().scheme;
    model = locking::unlock_model(container, *key);
  } else {
    model = read_model(request.model);
    key = key_source.file.empty() && key_source.env.empty() ? scheme::MasterKey::generate() : key_source.load();
  }
  if (request.int8 && !is_int8(model)) model = to_int8(model, request.calibration, request.model.string());
  if (!request.int8 && is_int8(model)) {
    throw Error(ErrorKind::usage, fmt::format("{}: holds an int8 model; pass --precision int8", request.model.string()));
  }
  const auto test = data::load_fashion_mnist(data::Split::test, request.calibration.data_dir);
  ProgressBar bar(!output.json);
  const evaluation::Report r = evaluation::evaluate_locking(
      model, *key, test, {scheme_id, request.wrong_keys, request.limit, 1},
      [&](std::size_t done, std::size_t total) { bar(done, total); });
  const char* precision = request.int8 ? "int8" : "fp32";
  if (output.json) {
    print_json({{"model", request.model.string()},
                {"dataset", "fashion-mnist"},
                {"precision", precision},
                {"scheme", scheme::scheme_name(scheme_id)},
                {"images", r.images},
                {"original_accuracy", r.original},
                {"right_key_accuracy", r.right_key},
                {"right_key_identical_predictions", r.identical_predictions},
                {"right_key_identical_logits", r.identical_logits},
                {"wrong_key_accuracies", r.wrong_keys},
                {"wrong_key_mean", r.wrong_mean()},
                {"wrong_key_stddev", r.wrong_stddev()}});
  } else {
    fmt::print("{} on Fashion-MNIST test ({} images), {} precision, scheme {}\n", request.model.string(), r.images,
               precision, scheme::scheme_name(scheme_id));
    fmt::print("  original model        {:6.2f} %\n", 100 * r.original);
    fmt::print("  locked, right key     {:6.2f} %   predictions {}, logits {}\n", 100 * r.right_key,
               r.identical_predictions ? "identical" : "DIFFER", r.identical_logits ? "bit-identical" : "DIFFER");
    fmt::print("  locked, {} wrong keys {:6.2f} % mean, {:.2f} % std. dev. (chance: 10 %)\n", r.wrong_keys.size(),
               100 * r.wrong_mean(), 100 * r.wrong_stddev());
  }
  return r.identical_predictions && r.identical_logits ? 0 : static_cast<int>(ErrorKind::integrity);
}

int run(const RunRequest& request, const KeySource& key, const Output& output) {
  const auto container = format::Container::read(request.model);
  // Unlocked in memory; the plaintext model is never written anywhere.
  const auto classifier = evaluation::Classifier::build(locking::unlock_model(container, key.load()), request.model.string());
  const auto test = data::load_fashion_mnist(data::Split::test, request.data_dir);
  if (request.first >= test.count) {
    throw Error(ErrorKind::usage, fmt::format("--first: expected an image index below {}", test.count));
  }
  const std::size_t n = std::min(request.count, test.count - request.first);
  const runtime::FloatTensor images({static_cast<std::int64_t>(n), 1, static_cast<std::int64_t>(test.rows),
                                     static_cast<std::int64_t>(test.cols)},
                                    data::to_float_nchw(test, request.first, n));
  const auto predicted = runtime::argmax_rows(classifier.logits(images));
  nlohmann::json rows = nlohmann::json::array();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int label = test.labels[request.first + i];
    correct += predicted[i] == label;
    rows.push_back({{"image", request.first + i},
                    {"predicted", predicted[i]},
                    {"predicted_name", data::fashion_mnist_class_name(predicted[i])},
                    {"label", label},
                    {"label_name", data::fashion_mnist_class_name(label)}});
  }
  if (output.json) {
    print_json({{"model", request.model.string()}, {"predictions", rows}, {"correct", correct}, {"images", n}});
  } else {
    for (const auto& r : rows) {
      fmt::print("  image {:5}  predicted {:<12} label {:<12} {}\n", r["image"].get<std::size_t>(),
                 r["predicted_name"].get<std::string>(), r["label_name"].get<std::string>(),
                 r["predicted"] == r["label"] ? "" : "(wrong)");
    }
    fmt::print("{} of {} correct\n", correct, n);
  }
  return 0;
}

namespace {

attack::KnownParameter parse_known(const std::string& text) {
  const auto colon = text.rfind(':');
  const auto equals = text.find('=', colon == std::string::npos ? 0 : colon);
  attack::KnownParameter p;
  try {
    if (colon == std::string::npos || equals == std::string::npos || colon == 0) throw std::invalid_argument("shape");
    p.tensor = text.substr(0, colon);
    std::size_t used = 0;
    const std::string index = text.substr(colon + 1, equals - colon - 1);
    p.index = std::stoull(index, &used);
    if (used != index.size()) throw std::invalid_argument("index");
    const std::string value = text.substr(equals + 1);
    p.value = std::stof(value, &used);
    if (used != value.size()) throw std::invalid_argument("value");
  } catch (const std::exception&) {
    throw Error(ErrorKind::usage, fmt::format("--known \"{}\": expected NAME:INDEX=VALUE, e.g. 3.weight:100=0.0123", text));
  }
  return p;
}

}  // namespace

int attack_known_plaintext(const std::filesystem::path& in, const std::vector<std::string>& known,
                           const std::filesystem::path& out, const Output& output) {
  const auto container = format::Container::read(in);
  std::vector<attack::KnownParameter> params;
  for (const auto& k : known) params.push_back(parse_known(k));
  const attack::KnownPlaintextResult result = attack::known_plaintext(container, params);
  bool wrote = false;
  if (result.recovered && !out.empty()) {
    const format::Model model = locking::unlock_model(container, *result.key);
    write_file_atomic(out, write_model(model, in), 0600);
    wrote = true;
  }
  if (output.json) {
    nlohmann::json j = {{"file", in.string()}, {"scheme", scheme::scheme_name(container.header().scheme)},
                        {"recovered", result.recovered}, {"explanation", result.explanation}};
    if (wrote) j["output"] = out.string();
    print_json(j);
  } else {
    fmt::print("{}: scheme {}: key {}\n  {}\n", in.string(), scheme::scheme_name(container.header().scheme),
               result.recovered ? "RECOVERED" : "not recovered", result.explanation);
    if (wrote) fmt::print("  every weight, verified against its tag, written to {}\n", out.string());
  }
  return result.recovered ? 0 : static_cast<int>(ErrorKind::wrong_key);
}

}  // namespace modelock::cli
