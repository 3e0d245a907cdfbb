// unlock_to_files' destinations: a file at an offset, a buffer in memory
// (what the ONNX external-data writer uses for the embedded tensors), or
// nowhere; a buffer of the wrong length is a usage error before any work.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "../common/temp_dir.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/output_file.hpp"
#include "modelock/format/container_file.hpp"
#include "modelock/format/model_source.hpp"
#include "modelock/locking/streaming.hpp"
#include "test_models.hpp"

namespace modelock::locking {
namespace {

using modelock::testing::key_from_seed;
using modelock::testing::make_model;
using modelock::testing::TempDir;

// make_model() locked into dir/m.mlk.
std::filesystem::path locked_model(const TempDir& dir) {
  const auto path = dir.path() / "m.mlk";
  OutputFile out(path, 0600);
  (void)lock_to_file(format::to_source(make_model()), key_from_seed(7), out);
  out.commit();
  return path;
}

TEST(UnlockToFiles, MemoryDestinationsGetEachTensorsPlaintext) {
  TempDir dir;
  const auto container = format::ContainerFile::open(locked_model(dir));
  const format::Model model = make_model();
  std::vector<std::vector<std::uint8_t>> buffers;
  std::vector<TensorDestination> destinations(model.tensors.size());
  for (const auto& t : model.tensors) buffers.emplace_back(t.data.size(), 0xEE);
  for (std::size_t i = 1; i < model.tensors.size(); ++i) destinations[i].memory = buffers[i];  // [0] nowhere
  unlock_to_files(container, key_from_seed(7), destinations);
  EXPECT_EQ(buffers[0], std::vector<std::uint8_t>(model.tensors[0].data.size(), 0xEE));
  for (std::size_t i = 1; i < model.tensors.size(); ++i) EXPECT_EQ(buffers[i], model.tensors[i].data) << i;
}

TEST(UnlockToFiles, RefusesABufferOfTheWrongLength) {
  TempDir dir;
  const auto container = format::ContainerFile::open(locked_model(dir));
  std::vector<TensorDestination> destinations(container.header().tensors.size());
  std::vector<std::uint8_t> short_buffer(container.header().tensors[0].length - 1);
  destinations[0].memory = short_buffer;
  try {
    unlock_to_files(container, key_from_seed(7), destinations);
    ADD_FAILURE() << "a short buffer was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
  }
}

}  // namespace
}  // namespace modelock::locking
