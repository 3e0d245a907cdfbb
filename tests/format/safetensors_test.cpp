#include "modelock/format/safetensors.hpp"

#include <gtest/gtest.h>

#include <string>

#include "modelock/common/error.hpp"
#include "test_models.hpp"

namespace modelock::format {
namespace {

std::vector<std::uint8_t> with_header(const std::string& header, std::size_t data_bytes) {
  std::vector<std::uint8_t> file(8);
  for (int i = 0; i < 8; ++i) file[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(header.size() >> (8 * i));
  file.insert(file.end(), header.begin(), header.end());
  file.resize(file.size() + data_bytes, 0x5a);
  return file;
}

std::string error_of(const std::vector<std::uint8_t>& file) {
  try {
    (void)read_safetensors(file, "x.safetensors");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    return e.what();
  }
  ADD_FAILURE() << "accepted a malformed file";
  return {};
}

TEST(Safetensors, ReadsEveryTensorInDataOrderAndRewritesByteForByte) {
  const auto file = testing::make_safetensors(3);
  const Model model = read_safetensors(file, "m");
  ASSERT_EQ(model.tensors.size(), 5u);
  EXPECT_EQ(model.tensors[0].name, "layer1.weight");
  EXPECT_EQ(model.tensors[2].dtype, DType::f16);
  EXPECT_EQ(model.tensors[3].shape, (std::vector<std::uint64_t>{10, 13}));
  EXPECT_EQ(write_safetensors(model), file);
}

TEST(Safetensors, ErrorsNameTheFieldAndTheExpectation) {
  EXPECT_NE(error_of({1, 2, 3}).find("header length: expected 8 bytes"), std::string::npos);
  EXPECT_NE(error_of(with_header("{", 0)).find("header: expected valid JSON"), std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"t":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}})", 4)).find("tensor 't'.dtype: expected one of F64"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4)).find("a span of 8 bytes"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8)).find("trailing bytes"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)).find("no gap"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,400]}})", 4)).find("data_offsets"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4)).find("overflowing"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"__metadata__":{"a":1}})", 0)).find("__metadata__.a: expected a string"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}})", 4))
                .find("without duplicate keys, \"t\" repeats"),
            std::string::npos);
  EXPECT_NE(error_of(with_header("{\"__metadata__\":" + std::string(100000, '[') + std::string(100000, ']') + "}", 0))
                .find("nested at most 64 levels deep"),
            std::string::npos);
  auto huge = with_header("{}", 0);
  huge[7] = 0x7f;
  EXPECT_NE(error_of(huge).find("header length: expected at most"), std::string::npos);
}

TEST(Safetensors, EveryTruncationIsRejected) {
  const auto file = testing::make_safetensors(4);
  for (std::size_t n = 0; n < file.size(); ++n) {
    EXPECT_THROW((void)read_safetensors(std::span(file).first(n), "t"), Error) << "length " << n;
  }
}

}  // namespace
}  // namespace modelock::format
