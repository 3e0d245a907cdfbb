#include "model_io.hpp"

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/safetensors.hpp"

namespace modelock::cli {

format::Model read_model(const std::filesystem::path& path) {
  const auto bytes = read_file(path);
  const auto ext = path.extension().string();
  if (ext == ".safetensors") return format::read_safetensors(bytes, path.string());
  throw Error(ErrorKind::bad_input,
              fmt::format("{}: unsupported model format \"{}\": expected a .safetensors file", path.string(), ext));
}

std::vector<std::uint8_t> write_model(const format::Model& model, const std::filesystem::path& origin) {
  const std::string kind = model.source.is_object() ? model.source.value("format", "") : "";
  if (kind == "safetensors") return format::write_safetensors(model);
  throw Error(ErrorKind::bad_input,
              fmt::format("{}: header.source.format: expected \"safetensors\", got \"{}\"", origin.string(), kind));
}

}  // namespace modelock::cli
