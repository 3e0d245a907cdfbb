// unlock_to_files' destinations: a file at an offset, a buffer in memory
// (what the ONNX external-data writer uses for the embedded tensors), or
// nowhere; a buffer of the wrong length is a usage error before any work.
// verify_file, which reads the container through maps of its chunks: a
// tampered byte deep in a tensor of several chunks fails naming it, and a
// file shorter than its header says is refused, before or after it was
// opened, with an error rather than a bus error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "../common/temp_dir.hpp"
#include "expect_refused.hpp"
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
using modelock::testing::random_bytes;
using modelock::testing::error_of;
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

// make_model() and a tensor of 9 MiB and a few bytes, three of verify's
// 4 MiB chunks, locked into dir/big.mlk.
std::filesystem::path locked_large_model(const TempDir& dir) {
  format::Model model = make_model();
  format::Tensor big;
  big.name = "big.weight";
  big.dtype = format::DType::u8;
  big.data = random_bytes((std::size_t{9} << 20) + 5, 11);
  big.shape = {big.data.size()};
  model.tensors.push_back(big);
  const auto path = dir.path() / "big.mlk";
  OutputFile out(path, 0600);
  (void)lock_to_file(format::to_source(std::move(model)), key_from_seed(7), out);
  out.commit();
  return path;
}

TEST(VerifyFile, FailsNamingATensorTamperedInItsLaterChunks) {
  TempDir dir;
  const auto path = locked_large_model(dir);
  verify_file(format::ContainerFile::open(path), key_from_seed(7));
  std::uint64_t at = 0;
  {
    const auto container = format::ContainerFile::open(path);
    const auto& t = container.header().tensors.back();
    ASSERT_EQ(t.name, "big.weight");
    at = container.blob_offset() + t.offset + (std::uint64_t{5} << 20) + 3;  // in the second chunk
  }
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(at));
    const auto byte = static_cast<char>(file.get() ^ 0x01);
    file.seekp(static_cast<std::streamoff>(at));
    file.put(byte);
  }
  const Error e = error_of([&] { verify_file(format::ContainerFile::open(path), key_from_seed(7)); });
  EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
  EXPECT_NE(std::string(e.what()).find("big.weight"), std::string::npos) << e.what();
}

TEST(VerifyFile, RefusesAContainerThatShrankAfterItWasOpened) {
  TempDir dir;
  const auto path = locked_large_model(dir);
  const auto container = format::ContainerFile::open(path);
  std::filesystem::resize_file(path, container.blob_offset() + (std::uint64_t{6} << 20));
  const Error e = error_of([&] { verify_file(container, key_from_seed(7)); });
  EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
  EXPECT_NE(std::string(e.what()).find("did it shrink?"), std::string::npos) << e.what();
}

TEST(VerifyFile, RefusesAContainerShorterThanItsHeaderSays) {
  TempDir dir;
  const auto path = locked_large_model(dir);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - (std::uint64_t{1} << 20));
  const Error e = error_of([&] { verify_file(format::ContainerFile::open(path), key_from_seed(7)); });
  EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
  EXPECT_NE(std::string(e.what()).find("big.mlk"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace modelock::locking
