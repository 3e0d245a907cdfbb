#include "commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "model_io.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"

namespace modelock::cli {

namespace {

void print_json(const nlohmann::json& j) { fmt::print("{}\n", j.dump(2)); }

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
  const auto& [in, out, scheme_id, tensors] = request;
  const format::Model model = read_model(in, tensors);
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
    j["stream_bytes"] = container.stream_length();
    j["header_tag"] = to_hex(container.header_tag());
    print_json(j);
    return 0;
  }
  fmt::print("{}: modelock container v{}, {} bytes\n", in.string(), format::kContainerVersion, container.file_size());
  fmt::print("  scheme  {}\n  nonce   {}\n  kcv     {}\n  stream  {} locked bytes\n", scheme::scheme_name(h.scheme),
             to_hex(h.nonce), to_hex(h.kcv), container.stream_length());
  if (h.source.is_object()) fmt::print("  source  {}\n", h.source.value("format", "?"));
  fmt::print("  {:<32} {:<5} {:<18} {:>12} {:>12} {}\n", "tensor", "dtype", "shape", "offset", "bytes", "locked");
  for (const auto& t : h.tensors) {
    fmt::print("  {:<32} {:<5} {:<18} {:>12} {:>12} {}\n", t.name, format::dtype_name(t.dtype),
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

}  // namespace modelock::cli
