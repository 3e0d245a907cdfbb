#include "commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include "arguments.hpp"
#include "console.hpp"
#include "device_io.hpp"
#include "model_io.hpp"
#include "onnx_unlock.hpp"
#include "modelock/attack/known_plaintext.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/common/text.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/container_file.hpp"
#include "modelock/locking/streaming.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/evaluation/evaluation.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/program/lock_hook.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"

namespace modelock::cli {

namespace {

Console& console() { return Console::instance(); }

void print_json(const nlohmann::json& j) { console().print_json(j); }

// File names, tensor names and header strings are untrusted: escaped whole,
// line feeds included, so that each stays on its line. (The console escapes
// everything again, keeping only the line feeds modelock writes.)
std::string shown(const std::string& text) { return escape_untrusted(text); }
std::string shown(const std::filesystem::path& path) { return escape_untrusted(path.string()); }

// An output must not destroy what the command reads: `lock m.onnx -o m.onnx`
// would replace the plaintext model by its container, `-o` naming the key
// file would replace the key. Same file means same device and inode, so a
// symlink or hard link to an input is caught too. Also refuses outputs that
// are not regular files (/dev/null, a FIFO) before any work is done.
struct Input {
  const std::filesystem::path& path;
  std::string_view what;  // never the key file's name: it is redacted
};
void check_output(const std::filesystem::path& out, std::initializer_list<Input> inputs) {
  check_output_target(out);
  for (const auto& input : inputs) {
    if (!input.path.empty() && same_file(out, input.path)) {
      throw Error(ErrorKind::usage, fmt::format("{}: output: expected a file other than {}, got that same file",
                                                out.string(), input.what));
    }
  }
}

// Quantizes an imported fp32 ONNX model to the int8 engine model.
quant::QuantizedNetwork quantize_int8(const format::Model& fp32, const Calibration& calibration,
                                      const std::string& origin) {
  const auto net = runtime::Network::from_model(fp32, origin);
  const auto train = data::load_fashion_mnist(data::Split::train, calibration.data_dir);
  const std::size_t n = std::min(calibration.images, train.count);
  if (n == 0) throw Error(ErrorKind::usage, "--calib: expected at least one calibration image");
  // Calibrated batch by batch: quantization needs only running maxima, so
  // memory is that of one batch whatever --calib says.
  constexpr std::size_t kCalibrationBatchImages = runtime::kMaxChunkImages;
  quant::ActivationRanges ranges;
  for (std::size_t first = 0; first < n; first += kCalibrationBatchImages) {
    const std::size_t count = std::min(kCalibrationBatchImages, n - first);
    ranges.add(net, runtime::FloatTensor({static_cast<std::int64_t>(count), 1, static_cast<std::int64_t>(train.rows),
                                          static_cast<std::int64_t>(train.cols)},
                                         data::to_float_nchw(train, first, count)));
  }
  return quant::QuantizedNetwork::quantize(net, ranges);
}

format::Model to_int8(const format::Model& fp32, const Calibration& calibration, const std::string& origin) {
  return quantize_int8(fp32, calibration, origin).to_model();
}

bool is_int8(const format::Model& model) {
  return format::format_name(model.graph) == quant::kInt8GraphFormat;
}

// A progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() {
    if (drawn_) console().progress("\n");
  }
  void operator()(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    const std::size_t percent = done * 100 / total;
    if (percent == last_) return;
    last_ = percent;
    drawn_ = true;
    const std::size_t filled = percent * 40 / 100;
    console().progress(
        fmt::format("\r  [{}{}] {:3}%", std::string(filled, '#'), std::string(40 - filled, '.'), percent));
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::size_t last_ = 101;
};

}  // namespace

scheme::MasterKey KeySource::load() const {
  if (!file.empty()) return scheme::MasterKey::from_file(file);
  if (!env.empty()) return scheme::MasterKey::from_env(env);
  throw Error(ErrorKind::usage, "no key given: pass -k KEYFILE or --key-env VARIABLE");
}

int keygen(const std::filesystem::path& out, bool force, const Output& output) {
  check_output(out, {});
  try {
    // Without --force the file is created only if no file has its name, in
    // one step (no check-then-write race between two keygens).
    scheme::MasterKey::generate().save(out, force ? Existing::replace : Existing::refuse);
  } catch (const FileExists&) {
    throw Error(ErrorKind::usage, fmt::format("{}: already exists; pass --force to replace it", out.string()));
  }
  if (output.json) {
    print_json({{"key_file", out.string()}, {"mode", "0600"}});
  } else {
    console().print("wrote a new 128-bit key to {} (mode 0600)\n", shown(out));
  }
  return 0;
}

namespace {

// What a lock reports: tensors, how many of them locked, their bytes, the
// container's bytes.
struct LockSummary {
  std::size_t tensors = 0;
  std::size_t locked = 0;
  std::uint64_t tensor_bytes = 0;
  std::uint64_t file_bytes = 0;
  void add(bool locked_tensor, std::uint64_t length) {
    ++tensors;
    locked += locked_tensor;
    tensor_bytes += length;
  }
};

// lock --int8: quantized and locked in memory (an int8 network is bounded by
// the engine's limits), ending with the engine program.
LockSummary lock_int8(const LockRequest& request, const KeySource& key, quant::QuantizedNetwork& network) {
  const format::Model model = network.to_model();
  locking::LockOptions options{.scheme = request.scheme, .origin = request.in.string()};
  options.engine_program = program::engine_program_builder(network, request.in.string() + ": engine program");
  const auto bytes = locking::lock_model(model, key.load(), options);
  write_file_atomic(request.out, bytes);
  LockSummary summary;
  for (const auto& t : model.tensors) summary.add(t.locked, t.data.size());
  summary.file_bytes = bytes.size();
  return summary;
}

// Every other model streams from its file(s) into the container.
LockSummary lock_streamed(const LockRequest& request, const KeySource& key) {
  const format::ModelSource model = open_model(request.in, request.tensors);
  const scheme::MasterKey master = key.load();
  OutputFile out(request.out, 0644);
  LockSummary summary;
  summary.file_bytes =
      locking::lock_to_file(model, master, out, {.scheme = request.scheme, .origin = request.in.string()});
  out.commit();
  for (const auto& t : model.tensors) summary.add(t.locked, t.length);
  return summary;
}

}  // namespace

int lock(const LockRequest& request, const KeySource& key, const Output& output) {
  const auto& [in, out, scheme_id, tensors, int8] = request;
  check_output(out, {{in, "the input model"}, {key.file, "the key file"}});
  std::optional<quant::QuantizedNetwork> network;
  if (int8) {
    if (!tensors.empty()) throw Error(ErrorKind::usage, "--tensors and --int8 exclude each other: an int8 container locks every tensor");
    const format::Model model = read_model(in, tensors);
    if (!onnxio::has_onnx_graph(model)) throw Error(ErrorKind::usage, fmt::format("{}: --int8 needs an .onnx model", in.string()));
    network = quantize_int8(model, *int8, in.string());
  }
  const LockSummary summary = network ? lock_int8(request, key, *network) : lock_streamed(request, key);
  if (output.json) {
    nlohmann::json j = {{"input", in.string()},
                        {"output", out.string()},
                        {"scheme", scheme::scheme_name(scheme_id)},
                        {"tensors", summary.tensors},
                        {"locked_tensors", summary.locked},
                        {"tensor_bytes", summary.tensor_bytes},
                        {"file_bytes", summary.file_bytes}};
    if (network) j["engine_program_layers"] = network->layers().size();
    print_json(j);
  } else {
    const std::string program =
        network ? fmt::format(" and an engine program of {} layers", network->layers().size()) : std::string();
    console().print("locked {} of {} tensors ({} bytes){} from {} with scheme {} into {} ({} bytes)\n", summary.locked,
                    summary.tensors, summary.tensor_bytes, program, shown(in), scheme::scheme_name(scheme_id),
                    shown(out), summary.file_bytes);
  }
  return 0;
}

int unlock(const std::filesystem::path& in, const KeySource& key, const std::filesystem::path& out,
           const Output& output) {
  check_output(out, {{in, "the input container"}, {key.file, "the key file"}});
  const auto container = format::ContainerFile::open(in);
  const std::filesystem::path keep[] = {in, key.file};
  const std::uint64_t file_bytes = unlock_to(container, key.load(), out, keep);
  const std::size_t tensors = container.header().tensors.size();
  if (output.json) {
    print_json({{"input", in.string()}, {"output", out.string()}, {"tensors", tensors}, {"file_bytes", file_bytes}});
  } else {
    console().print("verified and unlocked {} tensors from {} into {}\n", tensors, shown(in), shown(out));
  }
  return 0;
}

namespace {

bool has_engine_program(const format::ContainerFile& container) {
  const auto& tensors = container.header().tensors;
  return std::any_of(tensors.begin(), tensors.end(),
                     [](const format::TensorRecord& t) { return t.name == locking::kEngineProgramTensor; });
}

std::string shape_text(const program::ActivationShape& s) { return fmt::format("{}x{}x{}", s.c, s.h, s.w); }

// One line a layer: what an engine will run, as the program says it.
std::string layer_text(const program::Layer& l) {
  std::string text;
  if (l.op == program::Op::gemm || l.op == program::Op::conv) text += fmt::format(" rows {} cols {}", l.rows, l.cols);
  if (l.kernel_h != 0) {
    text += fmt::format(" kernel {}x{} stride {}x{} pads {},{},{},{}", l.kernel_h, l.kernel_w, l.stride_h, l.stride_w,
                        l.pad_top, l.pad_left, l.pad_bottom, l.pad_right);
  }
  if (l.dilation_h > 1 || l.dilation_w > 1) text += fmt::format(" dilation {}x{}", l.dilation_h, l.dilation_w);
  if ((l.op == program::Op::gemm || l.op == program::Op::conv) && (l.flags & program::kFlagRelu)) text += " relu";
  if (l.op == program::Op::average_pool && (l.flags & program::kFlagCountIncludePad)) text += " count_include_pad";
  return fmt::format("{:<19} {:>14} -> {:<{}}{}", program::op_name(l.op), shape_text(l.in), shape_text(l.out),
                     text.empty() ? 0 : 14, text);
}

nlohmann::json program_json(const program::ParsedProgram& parsed) {
  const auto& p = parsed.program;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : p.layers) {
    nlohmann::json j = {{"op", program::op_name(l.op)}, {"in", {l.in.c, l.in.h, l.in.w}},
                        {"out", {l.out.c, l.out.h, l.out.w}}, {"flags", l.flags}};
    if (l.op == program::Op::gemm || l.op == program::Op::conv) {
      j["rows"] = l.rows;
      j["cols"] = l.cols;
      nlohmann::json refs = nlohmann::json::object();
      for (std::size_t r = 0; r < program::kRoles; ++r) {
        const auto& t = l.tensors[r];
        refs[std::string(program::role_name(static_cast<program::Role>(r)))] = {
            {"blob_offset", t.blob_offset}, {"stream_offset", t.stream_offset}, {"length", t.length},
            {"tag_index", t.tag_index}, {"tag", to_hex(t.tag)}};
      }
      j["tensors"] = std::move(refs);
    }
    if (l.kernel_h != 0) {
      j["kernel"] = {l.kernel_h, l.kernel_w};
      j["strides"] = {l.stride_h, l.stride_w};
      j["pads"] = {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right};
    }
    if (l.dilation_h != 0) j["dilations"] = {l.dilation_h, l.dilation_w};
    layers.push_back(std::move(j));
  }
  return {{"input", {p.input.c, p.input.h, p.input.w}}, {"classes", p.classes}, {"tag", to_hex(parsed.tag)},
          {"layers", std::move(layers)}};
}

}  // namespace

int inspect(const std::filesystem::path& in, const Output& output) {
  const auto container = format::ContainerFile::open(in);
  const auto& h = container.header();
  // Parsed (structure only, no key) so that a malformed program is reported.
  std::optional<program::ParsedProgram> engine_program;
  if (has_engine_program(container)) engine_program = program::container_program(container);
  if (output.json) {
    nlohmann::json j = format::header_to_json(h);
    j["file"] = in.string();
    j["file_bytes"] = container.file_size();
    j["blob_offset"] = container.blob_offset();
    j["stream_bytes"] = format::stream_length(h.tensors);
    j["header_tag"] = to_hex(container.header_tag());
    if (engine_program) j["engine_program"] = program_json(*engine_program);
    print_json(j);
    return 0;
  }
  std::string text = fmt::format("{}: modelock container v{}, {} bytes\n", shown(in), format::kContainerVersion,
                                 container.file_size());
  text += fmt::format("  scheme  {}\n  nonce   {}\n  kcv     {}\n  stream  {} locked bytes\n",
                      scheme::scheme_name(h.scheme), to_hex(h.nonce), to_hex(h.kcv), format::stream_length(h.tensors));
  if (h.source.is_object()) text += fmt::format("  source  {}\n", shown(format::format_name(h.source)));
  text += fmt::format("  {:<32} {:<5} {:<18} {:>12} {:>12} {}\n", "tensor", "dtype", "shape", "offset", "bytes", "locked");
  for (const auto& t : h.tensors) {
    text += fmt::format("  {:<32} {:<5} {:<18} {:>12} {:>12} {}\n", shown(t.name), format::dtype_name(t.dtype),
                        fmt::format("[{}]", fmt::join(t.shape, ",")), t.offset, t.length, t.locked ? "yes" : "no");
  }
  if (engine_program) {
    const auto& p = engine_program->program;
    text += fmt::format("  engine program: {} layers, input {}, {} classes, program tag {} (not verified here)\n",
                        p.layers.size(), shape_text(p.input), p.classes, to_hex(engine_program->tag));
    for (std::size_t i = 0; i < p.layers.size(); ++i) text += fmt::format("    {:>2} {}\n", i, layer_text(p.layers[i]));
  }
  console().print(text);
  return 0;
}

int verify(const std::filesystem::path& in, const KeySource& key, const Output& output) {
  const auto container = format::ContainerFile::open(in);
  locking::verify_file(container, key.load());
  if (output.json) {
    print_json({{"file", in.string()}, {"key", "ok"}, {"header_tag", "ok"},
                {"tensors_verified", container.header().tensors.size()}});
  } else {
    console().print("{}: key matches; header and {} tensor tags verify\n", shown(in), container.header().tensors.size());
  }
  return 0;
}

int quantize(const std::filesystem::path& in, const Calibration& calibration, const std::filesystem::path& out,
             const Output& output) {
  check_output(out, {{in, "the input model"}});
  const format::Model fp32 = read_model(in);
  if (!onnxio::has_onnx_graph(fp32)) throw Error(ErrorKind::usage, fmt::format("{}: quantize needs an .onnx model", in.string()));
  const format::Model int8 = to_int8(fp32, calibration, in.string());
  write_file_atomic(out, quant::export_qdq_onnx(int8, in.string()), 0600);
  if (output.json) {
    print_json({{"input", in.string()}, {"output", out.string()}, {"calibration_images", calibration.images},
                {"layers", int8.graph.at("layers")}});
  } else {
    console().print("quantized {} to int8 (QDQ ONNX) with {} calibration images into {}\n", shown(in),
                    calibration.images, shown(out));
  }
  return 0;
}

namespace {

// eval --device: the device against the int8 reference (run_int8 on the
// container unlocked in memory), image for image. Wrong keys cannot be
// measured through a device, only refused: each must fail load_key.
int eval_on_device(const EvalRequest& request, const KeySource& key_source, const Output& output) {
  if (!request.int8) throw Error(ErrorKind::usage, "--device: expected --precision int8 (a device runs int8 models only)");
  if (request.model.extension() != ".mlk") {
    throw Error(ErrorKind::usage, fmt::format("{}: --device runs a locked container (.mlk); lock the model with "
                                              "`modelock lock --int8` first", request.model.string()));
  }
  const auto container = format::Container::read(request.model);
  require_int8_container(container, "--device");
  const scheme::MasterKey key = key_source.load();
  const auto test = data::load_fashion_mnist(data::Split::test, request.calibration.data_dir);
  const std::size_t n = std::min(request.limit, test.count);
  ProgressBar bar(!output.json);

  const auto reference_net = quant::QuantizedNetwork::from_model(locking::unlock_model(container, key), request.model.string());
  std::vector<std::int8_t> reference;
  constexpr std::size_t kPiece = runtime::kMaxChunkImages;
  for (std::size_t first = 0; first < n; first += kPiece) {
    const std::size_t count = std::min(kPiece, n - first);
    const runtime::FloatTensor images({static_cast<std::int64_t>(count), 1, static_cast<std::int64_t>(test.rows),
                                       static_cast<std::int64_t>(test.cols)},
                                      data::to_float_nchw(test, first, count));
    const auto out = reference_net.run_int8(reference_net.quantize_input(images));
    reference.insert(reference.end(), out.data.begin(), out.data.end());
    bar(first + count, 2 * n);
  }
  auto device = open_device(request.device, request.device_options, container, key);
  const std::size_t classes = device.model().classes;
  std::vector<std::int8_t> logits;
  EngineTotals engine;
  for (std::size_t first = 0; first < n; first += kPiece) {
    const std::size_t count = std::min(kPiece, n - first);
    const auto out = device_logits(device, container, test, first, count, engine);
    logits.insert(logits.end(), out.begin(), out.end());
    bar(n + first + count, 2 * n);
  }
  std::size_t refused = 0;
  for (std::size_t i = 0; i < request.wrong_keys; ++i) {
    try {
      device.load_key(scheme::MasterKey::generate());
    } catch (const Error& e) {
      refused += e.kind() == ErrorKind::wrong_key;
    }
  }
  auto accuracy = [&](const std::vector<std::int8_t>& l) {
    const auto labels = argmax_int8(l, classes);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < n; ++i) correct += labels[i] == test.labels[i];
    return n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(n);
  };
  const bool identical_logits = logits == reference;
  const bool identical_predictions = argmax_int8(logits, classes) == argmax_int8(reference, classes);
  const std::string scheme_text(scheme::scheme_name(container.header().scheme));
  if (output.json) {
    print_json({{"model", request.model.string()},
                {"dataset", "fashion-mnist"},
                {"precision", "int8"},
                {"scheme", scheme_text},
                {"device", request.device},
                {"images", n},
                {"reference_accuracy", accuracy(reference)},
                {"device_accuracy", accuracy(logits)},
                {"identical_predictions", identical_predictions},
                {"identical_logits", identical_logits},
                {"wrong_keys_tried", request.wrong_keys},
                {"wrong_keys_refused", refused},
                {"engine", engine.to_json()}});
  } else {
    console().print("{} on Fashion-MNIST test ({} images), int8 precision, scheme {}, device {}\n", shown(request.model),
                    n, scheme_text, request.device);
    console().print("  int8 reference        {:6.2f} %\n", 100 * accuracy(reference));
    console().print("  device {:<14} {:6.2f} %   predictions {}, logits {}\n", request.device, 100 * accuracy(logits),
                    identical_predictions ? "identical" : "DIFFER", identical_logits ? "bit-identical" : "DIFFER");
    // Only when some were tried: "0 wrong keys, 0 refused" tells nothing.
    if (request.wrong_keys > 0) {
      console().print("  {} wrong keys          {} refused by the device (key check value)\n", request.wrong_keys, refused);
    }
    if (engine.runs > 0) console().print("  engine                {}\n", engine.summary());
  }
  return identical_logits && refused == request.wrong_keys ? 0 : static_cast<int>(ErrorKind::integrity);
}

}  // namespace

int eval(const EvalRequest& request, const KeySource& key_source, const Output& output) {
  if (!request.device.empty()) return eval_on_device(request, key_source, output);
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
    // An int8 container's engine program is the container's own, compiled
    // from the graph when it was locked: not a parameter of the model, and a
    // name lock_model refuses (it adds its own) when the experiment below
    // locks the model again.
    std::erase_if(model.tensors, [](const format::Tensor& t) { return t.name == locking::kEngineProgramTensor; });
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
      model, *key, test, {scheme_id, request.wrong_keys, request.limit, 1, request.model.string()},
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
    console().print("{} on Fashion-MNIST test ({} images), {} precision, scheme {}\n", shown(request.model), r.images,
                    precision, scheme::scheme_name(scheme_id));
    console().print("  original model        {:6.2f} %\n", 100 * r.original);
    console().print("  locked, right key     {:6.2f} %   predictions {}, logits {}\n", 100 * r.right_key,
                    r.identical_predictions ? "identical" : "DIFFER", r.identical_logits ? "bit-identical" : "DIFFER");
    if (!r.wrong_keys.empty()) {
      console().print("  locked, {} wrong keys {:6.2f} % mean, {:.2f} % std. dev. (chance: 10 %)\n", r.wrong_keys.size(),
                      100 * r.wrong_mean(), 100 * r.wrong_stddev());
    }
  }
  return r.identical_predictions && r.identical_logits ? 0 : static_cast<int>(ErrorKind::integrity);
}

int run(const RunRequest& request, const KeySource& key, const Output& output) {
  const auto container = format::Container::read(request.model);
  if (!request.device.empty()) require_int8_container(container, "--device");
  const auto test = data::load_fashion_mnist(data::Split::test, request.data_dir);
  if (request.first >= test.count) {
    throw Error(ErrorKind::usage, fmt::format("--first: expected an image index below {}", test.count));
  }
  const std::size_t n = std::min(request.count, test.count - request.first);
  // A model may have more outputs than the data set has classes.
  auto class_name = [](int c) {
    return c < data::kFashionMnistClasses ? std::string(data::fashion_mnist_class_name(c)) : fmt::format("class {}", c);
  };
  std::vector<int> predicted;
  EngineTotals engine;
  if (!request.device.empty()) {
    // The engine verifies and unlocks on its side; the host sees only logits.
    auto device = open_device(request.device, request.device_options, container, key.load());
    predicted = argmax_int8(device_logits(device, container, test, request.first, n, engine), device.model().classes);
  } else {
    // Unlocked in memory; the plaintext model is never written anywhere.
    const auto classifier =
        evaluation::Classifier::build(locking::unlock_model(container, key.load()), request.model.string());
    // Classified in fixed batches: memory stays that of one batch, whatever --count.
    constexpr std::size_t kRunBatchImages = runtime::kMaxChunkImages;
    for (std::size_t first = request.first; first < request.first + n; first += kRunBatchImages) {
      const std::size_t count = std::min(kRunBatchImages, request.first + n - first);
      const runtime::FloatTensor images({static_cast<std::int64_t>(count), 1, static_cast<std::int64_t>(test.rows),
                                         static_cast<std::int64_t>(test.cols)},
                                        data::to_float_nchw(test, first, count));
      const auto labels = runtime::argmax_rows(classifier.logits(images));
      predicted.insert(predicted.end(), labels.begin(), labels.end());
    }
  }
  nlohmann::json rows = nlohmann::json::array();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int label = test.labels[request.first + i];
    correct += predicted[i] == label;
    rows.push_back({{"image", request.first + i},
                    {"predicted", predicted[i]},
                    {"predicted_name", class_name(predicted[i])},
                    {"label", label},
                    {"label_name", class_name(label)}});
  }
  if (output.json) {
    nlohmann::json report = {{"model", request.model.string()}, {"predictions", rows}, {"correct", correct}, {"images", n}};
    if (!request.device.empty()) report["engine"] = engine.to_json();
    print_json(report);
  } else {
    for (const auto& r : rows) {
      console().print("  image {:5}  predicted {:<12} label {:<12} {}\n", r["image"].get<std::size_t>(),
                      r["predicted_name"].get<std::string>(), r["label_name"].get<std::string>(),
                      r["predicted"] == r["label"] ? "" : "(wrong)");
    }
    console().print("{} of {} correct\n", correct, n);
    if (engine.runs > 0) console().print("engine ({}): {}\n", request.device, engine.summary());
  }
  return 0;
}

namespace {

// NAME:INDEX=VALUE, split at the last ':' (tensor names may hold colons).
// INDEX is plain decimal digits (no sign: "-1" must not wrap to 2^64-1),
// VALUE a finite decimal or scientific float with nothing after it.
attack::KnownParameter parse_known(const std::string& text) {
  const auto colon = text.rfind(':');
  const auto equals = colon == std::string::npos ? std::string::npos : text.find('=', colon);
  const auto refuse = [&](std::string_view part, std::string_view expected) -> attack::KnownParameter {
    throw Error(ErrorKind::usage, fmt::format("--known \"{}\": {}: expected {} (NAME:INDEX=VALUE, e.g. 3.weight:100=0.0123)",
                                              text, part, expected));
  };
  if (colon == std::string::npos || equals == std::string::npos) return refuse("form", "NAME:INDEX=VALUE");
  attack::KnownParameter p;
  p.tensor = text.substr(0, colon);
  if (p.tensor.empty()) return refuse("NAME", "a tensor name");
  const auto index = parse_decimal(std::string_view(text).substr(colon + 1, equals - colon - 1));
  if (!index) return refuse("INDEX", "a parameter index in decimal digits");
  p.index = *index;
  const std::string_view value = std::string_view(text).substr(equals + 1);
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), p.value);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size() || !std::isfinite(p.value)) {
    return refuse("VALUE", "a finite number");
  }
  return p;
}

}  // namespace

int attack_known_plaintext(const std::filesystem::path& in, const std::vector<std::string>& known,
                           const std::filesystem::path& out, const Output& output) {
  if (!out.empty()) check_output(out, {{in, "the input container"}});
  // Read at offsets, as verify and unlock read it: the attack needs the
  // header and the few stored bytes of the known elements, and -o writes
  // the model the way unlock does (streamed, every tag checked before the
  // output gets its name), whatever the model's size.
  const auto container = format::ContainerFile::open(in);
  std::vector<attack::KnownParameter> params;
  for (const auto& k : known) params.push_back(parse_known(k));
  const attack::KnownPlaintextResult result = attack::known_plaintext(container, params);
  bool wrote = false;
  if (result.recovered && !out.empty()) {
    const std::filesystem::path keep[] = {in};
    (void)unlock_to(container, *result.key, out, keep);
    wrote = true;
  }
  if (output.json) {
    nlohmann::json j = {{"file", in.string()}, {"scheme", scheme::scheme_name(container.header().scheme)},
                        {"recovered", result.recovered}, {"explanation", result.explanation}};
    if (wrote) j["output"] = out.string();
    print_json(j);
  } else {
    console().print("{}: scheme {}: key {}\n  {}\n", shown(in), scheme::scheme_name(container.header().scheme),
                    result.recovered ? "RECOVERED" : "not recovered", result.explanation);
    if (wrote) console().print("  every weight, verified against its tag, written to {}\n", shown(out));
  }
  return result.recovered ? 0 : static_cast<int>(ErrorKind::wrong_key);
}

}  // namespace modelock::cli
