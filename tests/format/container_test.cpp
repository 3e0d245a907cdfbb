#include "modelock/format/container.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "modelock/common/error.hpp"
#include "modelock/locking/locking.hpp"
#include "test_models.hpp"
#include "format_errors.hpp"

namespace modelock::format {
namespace {

using testing::container_error;

std::vector<std::uint8_t> locked_file(scheme::Scheme s = scheme::Scheme::ctr) {
  return locking::lock_model(testing::make_model(), testing::key_from_seed(1), {s});
}

// Replaces the JSON header of a container, keeping its blob and tag.
std::vector<std::uint8_t> with_header(const std::vector<std::uint8_t>& file, const nlohmann::json& header) {
  const Container c = Container::parse(file, "c");
  const std::string text = header.dump();
  std::vector<std::uint8_t> out(file.begin(), file.begin() + 24);
  for (int i = 0; i < 8; ++i) out[16 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(text.size() >> (8 * i));
  out.insert(out.end(), text.begin(), text.end());
  out.resize((out.size() + 63) / 64 * 64, 0);
  const std::size_t old_blob = c.authenticated_prefix().size();
  out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(old_blob), file.end());
  return out;
}

nlohmann::json header_of(const std::vector<std::uint8_t>& file) {
  return header_to_json(Container::parse(file, "c").header());
}

TEST(Container, LayoutIsAlignedAndStreamOffsetsCountLockedBytes) {
  const auto file = locked_file();
  const Container c = Container::parse(file, "c");
  EXPECT_EQ(c.authenticated_prefix().size() % 64, 0u);
  std::uint64_t stream = 0;
  for (std::size_t i = 0; i < c.header().tensors.size(); ++i) {
    const auto& t = c.header().tensors[i];
    EXPECT_EQ(t.offset % 64, 0u) << t.name;
    EXPECT_EQ(t.stream_offset, stream) << t.name;
    stream += t.length;
    EXPECT_EQ(c.tensor_bytes(i).size(), t.length);
  }
  EXPECT_EQ(c.stream_length(), stream);
}

TEST(Container, RejectsBadPreambleWithNamedFields) {
  auto file = locked_file();
  auto bad = file;
  bad[0] = 'X';
  EXPECT_NE(container_error(bad).find("magic"), std::string::npos);
  bad = file;
  bad[8] = 2;
  EXPECT_NE(container_error(bad).find("version: expected 1, got 2"), std::string::npos);
  bad = file;
  bad[12] = 1;
  EXPECT_NE(container_error(bad).find("flags"), std::string::npos);
  bad = file;
  bad[23] = 0x40;
  EXPECT_NE(container_error(bad).find("header length: expected at most"), std::string::npos);
  bad = file;
  bad.push_back(0);
  EXPECT_NE(container_error(bad).find("trailing or missing bytes"), std::string::npos);
}

TEST(Container, RejectsBadTableFieldsWithNamedFields) {
  const auto file = locked_file();
  const auto base = header_of(file);
  auto edit = [&](auto&& change) {
    auto h = base;
    change(h);
    return container_error(with_header(file, h));
  };
  EXPECT_NE(edit([](auto& h) { h["scheme"] = "rot13"; }).find("header.scheme: expected one of none, deeplock, ctr"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["nonce"] = "00"; }).find("header.nonce: expected 16 hexadecimal digits"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["extra"] = 1; }).find("header.extra: expected no such field"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][1]["dtype"] = "F128"; }).find("header.tensors[1].dtype"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][1]["offset"] = 1; }).find("header.tensors[1].offset: expected a multiple of 64"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][1]["offset"] = 0; }).find("without overlap"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][0]["length"] = 4; }).find("header.tensors[0].length"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][3]["offset"] = 1u << 30; }).find("within the blob"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][1]["name"] = h["tensors"][0]["name"]; }).find("unique name"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][0]["layout"] = "column-major"; }).find("layout"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][0]["locked"] = "yes"; }).find("locked: expected true or false"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"][0]["shape"] = {1u << 31, 1u << 31, 1u << 31}; }).find("length"), std::string::npos);
  EXPECT_NE(edit([](auto& h) { h["tensors"] = 5; }).find("header.tensors: expected an array"), std::string::npos);
}

TEST(Container, EveryTruncationIsRejectedWithoutACrash) {
  const auto file = locked_file();
  for (std::size_t n = 0; n < file.size(); ++n) {
    EXPECT_THROW((void)Container::parse(std::vector(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(n)), "t"), Error)
        << "length " << n;
  }
}

}  // namespace
}  // namespace modelock::format
