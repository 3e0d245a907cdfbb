#include "modelock/format/safetensors.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "modelock/common/error.hpp"
#include "modelock/locking/locking.hpp"
#include "sanitizers.hpp"
#include "test_models.hpp"
#include "format_errors.hpp"

namespace modelock::format {
namespace {

using testing::safetensors_error;

using Bytes = std::vector<std::uint8_t>;

Bytes with_header(const std::string& header, std::size_t data_bytes) {
  Bytes file(8);
  for (int i = 0; i < 8; ++i) file[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(header.size() >> (8 * i));
  file.insert(file.end(), header.begin(), header.end());
  file.resize(file.size() + data_bytes, 0x5a);
  return file;
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

// One tensor entry of the header.
std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, std::uint64_t begin,
                  std::uint64_t end) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(begin) + "," + std::to_string(end) + "]}";
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
  EXPECT_CONTAINS(safetensors_error({1, 2, 3}), "x.safetensors: header length: expected 8 bytes, got a file of 3");
  EXPECT_CONTAINS(safetensors_error(with_header("{", 0)), "header: expected valid JSON");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}})", 4)),
                  "tensor 't'.dtype: expected one of F64");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4)),
                  "tensor 't'.data_offsets: expected a span of 8 bytes for dtype F32 and that shape, got 4");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8)),
                  "byte buffer: expected 4 bytes, the end of the last tensor, got 8: 4 trailing bytes");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)),
                  "tensor 't'.data_offsets: expected to start at byte 0 (tensors must tile the byte buffer with no gap");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,400]}})", 4)),
                  "tensor 't'.data_offsets: expected 0 <= begin <= end <= 4 (the byte buffer), got [0, 400]");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4)),
                  "got [4, 0]");
  EXPECT_CONTAINS(
      safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4)),
      "a span of an overflowing number of bytes");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)),
                  "tensor 't'.shape: expected non-negative integer dimensions");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", 4)),
                  "tensor 't'.data_offsets: expected [begin, end] as two non-negative integers");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", 4)),
                  "tensor 't'.data_offsets: expected [begin, end]");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"shape":[1],"data_offsets":[0,4]}})", 4)),
                  "tensor 't'.dtype: expected a member \"dtype\"");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":[]})", 0)),
                  "tensor 't': expected an object with dtype, shape and data_offsets, got an array");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"__metadata__":{"a":1}})", 0)),
                  "__metadata__.a: expected a string, got a number");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"__metadata__":["a"]})", 0)),
                  "__metadata__: expected an object of strings, got an array");
}

TEST(Safetensors, RepeatedKeysAreRefusedInEveryObject) {
  const std::string t = entry("t", "F32", "[1]", 0, 4);
  EXPECT_CONTAINS(safetensors_error(with_header("{" + t + "," + t + "}", 4)), "without duplicate keys, \"t\" repeats");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"t":{"dtype":"F32","dtype":"I8","shape":[1],"data_offsets":[0,4]}})", 4)),
                  "\"dtype\" repeats");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"__metadata__":{"a":"1","a":"2"}})", 0)), "\"a\" repeats");
  EXPECT_CONTAINS(safetensors_error(with_header(R"({"__metadata__":{},"__metadata__":{}})", 0)), "\"__metadata__\" repeats");
}

TEST(Safetensors, DeepNestingIsRefused) {
  EXPECT_CONTAINS(
      safetensors_error(with_header("{\"__metadata__\":" + std::string(100000, '[') + std::string(100000, ']') + "}", 0)),
      "nested at most 64 levels deep");
}

TEST(Safetensors, AHeaderLengthPastTheCapIsRefusedBeforeAnythingIsRead) {
  // A file of 8 bytes that declares a header of 2^63 bytes or one past the cap.
  Bytes huge = with_header("{}", 0);
  huge.resize(8);
  huge[7] = 0x7f;
  EXPECT_CONTAINS(safetensors_error(huge),
                  "header length: expected at most 100000000 bytes (kSafetensorsMaxHeaderBytes, the reference "
                  "implementation's limit), got 9151314442816847874");
  huge = Bytes(8);
  for (int i = 0; i < 8; ++i) huge[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((kSafetensorsMaxHeaderBytes + 1) >> (8 * i));
  EXPECT_CONTAINS(safetensors_error(huge), "expected at most 100000000 bytes (kSafetensorsMaxHeaderBytes");

  // A header within the file but one byte past the cap, and one at the cap.
  std::string padded = "{}";
  padded.resize(kSafetensorsMaxHeaderBytes + 1, ' ');
  EXPECT_CONTAINS(safetensors_error(with_header(padded, 0)), "got 100000001");
  padded.pop_back();
  EXPECT_TRUE(read_safetensors(with_header(padded, 0), "x").tensors.empty());

  // Within the cap but past the end of the file.
  Bytes cut = with_header("{}", 0);
  cut[0] = 3;
  EXPECT_CONTAINS(safetensors_error(cut), "header length: expected at most 2 (the bytes after it), got 3");
}

TEST(Safetensors, TheHeaderIsOneObjectPaddedWithSpacesOnly) {
  const std::string t = "{" + entry("t", "U8", "[2]", 0, 2) + "}";
  EXPECT_EQ(read_safetensors(with_header(t + "      ", 2), "x").tensors.size(), 1u);
  EXPECT_EQ(read_safetensors(with_header("{ \"t\" : {\"dtype\":\"U8\",\n\"shape\":[2],\"data_offsets\":[0,2]}}", 2), "x")
                .tensors.size(),
            1u);  // white space inside the object is JSON's own

  EXPECT_CONTAINS(safetensors_error(with_header(" " + t, 2)),
                  "x.safetensors: header: expected a JSON object beginning with '{' (0x7b), got byte 0x20");
  EXPECT_CONTAINS(safetensors_error(with_header("\n" + t, 2)), "got byte 0x0a");
  EXPECT_CONTAINS(safetensors_error(with_header("[]", 0)), "got byte 0x5b");
  EXPECT_CONTAINS(safetensors_error(with_header("", 0)), "header: expected a JSON object, got an empty header (length 0)");
  EXPECT_CONTAINS(safetensors_error(with_header(t + "\n", 2)),
                  "header: expected the JSON object padded with spaces (0x20) only, got byte 0x0a at byte " +
                      std::to_string(t.size()) + " of the header");
  EXPECT_CONTAINS(safetensors_error(with_header(t + "  \t  ", 2)), "got byte 0x09 at byte " + std::to_string(t.size() + 2));
  EXPECT_CONTAINS(safetensors_error(with_header(t + "\r", 2)), "got byte 0x0d");
  // Anything else after the object is not JSON at all.
  EXPECT_CONTAINS(safetensors_error(with_header(t + " x", 2)), "header: expected valid JSON");
  EXPECT_CONTAINS(safetensors_error(with_header(t + std::string(1, '\0'), 2)), "header: expected");
}

TEST(Safetensors, EveryWholeByteDTypeIsAcceptedWithItsSize) {
  struct Case {
    std::string name;
    DType dtype;
    std::uint64_t bytes;  // of a [3] tensor
  };
  const std::vector<Case> cases = {
      {"F64", DType::f64, 24},    {"F32", DType::f32, 12},         {"F16", DType::f16, 6},
      {"BF16", DType::bf16, 6},   {"I64", DType::i64, 24},         {"I32", DType::i32, 12},
      {"I16", DType::i16, 6},     {"I8", DType::i8, 3},            {"U64", DType::u64, 24},
      {"U32", DType::u32, 12},    {"U16", DType::u16, 6},          {"U8", DType::u8, 3},
      {"BOOL", DType::boolean, 3}, {"F8_E5M2", DType::f8_e5m2, 3}, {"F8_E4M3", DType::f8_e4m3, 3},
      {"F8_E8M0", DType::f8_e8m0, 3}, {"C64", DType::c64, 24},
  };
  std::string header = "{";
  std::uint64_t offset = 0;
  for (const auto& c : cases) {
    if (offset != 0) header += ",";
    header += entry("t." + c.name, c.name, "[3]", offset, offset + c.bytes);
    offset += c.bytes;
  }
  header += "}";
  const Bytes file = with_header(header, offset);
  const Model model = read_safetensors(file, "x");
  ASSERT_EQ(model.tensors.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(model.tensors[i].name, "t." + cases[i].name);
    EXPECT_EQ(model.tensors[i].dtype, cases[i].dtype) << cases[i].name;
    EXPECT_EQ(dtype_name(cases[i].dtype), cases[i].name);
    EXPECT_EQ(model.tensors[i].data.size(), cases[i].bytes) << cases[i].name;
  }
  EXPECT_EQ(write_safetensors(model), file);

  // A wrong span for an fp8 tensor names the dtype.
  EXPECT_CONTAINS(safetensors_error(with_header("{" + entry("f8", "F8_E4M3", "[4]", 0, 8) + "}", 8)),
                  "tensor 'f8'.data_offsets: expected a span of 4 bytes for dtype F8_E4M3 and that shape, got 8");
}

TEST(Safetensors, SubByteDTypesAreRefusedByName) {
  for (const std::string dtype : {"F4", "F6_E2M3", "F6_E3M2"}) {
    EXPECT_CONTAINS(safetensors_error(with_header("{" + entry("w", dtype, "[4]", 0, 2) + "}", 2)),
                    "tensor 'w'.dtype: expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, "
                    "BOOL, F8_E5M2, F8_E4M3, F8_E8M0, C64 (dtypes of whole bytes), got \"" +
                        dtype + "\", whose elements take under a byte");
  }
}

TEST(Safetensors, EmptyTensorsTileLikeAnyOther) {
  // Zero-length tensors at the start, between two tensors and at the end.
  const Bytes file = with_header("{" + entry("a", "F32", "[0]", 0, 0) + "," + entry("b", "U8", "[2]", 0, 2) + "," +
                                     entry("c", "I8", "[0,5]", 2, 2) + "," + entry("d", "U8", "[1]", 2, 3) + "," +
                                     entry("e", "F64", "[]", 3, 11) + "," + entry("f", "F32", "[3,0]", 11, 11) + "}",
                                 11);
  const Model model = read_safetensors(file, "x");
  std::vector<std::string> names;
  for (const auto& t : model.tensors) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(model.tensors[4].data.size(), 8u);  // a scalar: shape [] holds one element

  // An empty tensor inside another one overlaps it.
  EXPECT_CONTAINS(safetensors_error(with_header("{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("z", "U8", "[0]", 2, 2) + "}", 4)),
                  "tensor 'z'.data_offsets: expected to start at byte 4");
  // Two tensors over the same bytes.
  EXPECT_CONTAINS(safetensors_error(with_header("{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 0, 4) + "}", 4)),
                  "tensor 'b'.data_offsets: expected to start at byte 4 (tensors must tile the byte buffer with no "
                  "gap or overlap), got 0");
}

TEST(Safetensors, LongNamesAreShortenedInMessages) {
  const std::string name = "\xc3\xa9" + std::string(100000, 'n');  // starts with a two-byte character
  const std::string message = safetensors_error(with_header("{" + entry(name, "F33", "[1]", 0, 4) + "}", 4));
  EXPECT_LT(message.size(), 1000u);
  EXPECT_CONTAINS(message, "... (100002 bytes)'.dtype: expected one of");
  // Cut before a character, never inside one.
  const std::string cut_inside = std::string(199, 'n') + "\xc3\xa9" + std::string(1000, 'n');
  EXPECT_CONTAINS(safetensors_error(with_header("{" + entry(cut_inside, "F33", "[1]", 0, 4) + "}", 4)),
                  "tensor '" + std::string(199, 'n') + "... (1201 bytes)'");
}

TEST(Safetensors, EveryTruncationIsRejected) {
  const auto file = testing::make_safetensors(4);
  for (std::size_t n = 0; n < file.size(); ++n) {
    EXPECT_THROW((void)read_safetensors(std::span(file).first(n), "t"), Error) << "length " << n;
  }
}

// A model of 100 000 tensors, the size at which locking once took many
// minutes (the header parser rescanned the root object at every closing
// brace, both in the safetensors reader and in the container reader that
// lock_model runs on its output before returning it). Read and locked under
// the ctest timeout of test_format (120 s), with a bound of its own that
// names the cause.
TEST(SafetensorsScale, AHundredThousandTensorsReadAndLockInLinearTime) {
  constexpr std::size_t kTensors = 100'000;
  std::string header = R"({"__metadata__":{"format":"pt"})";
  for (std::size_t i = 0; i < kTensors; ++i) {
    header += "," + entry("layers." + std::to_string(i) + ".weight", "F32", "[2,2]", 16 * i, 16 * i + 16);
  }
  header += "}";
  const Bytes file = with_header(header, 16 * kTensors);

  const auto start = std::chrono::steady_clock::now();
  const Model model = read_safetensors(file, "big.safetensors");
  ASSERT_EQ(model.tensors.size(), kTensors);
  // lock_model parses and verifies the container it made before returning it.
  const Bytes locked = locking::lock_model(model, testing::key_from_seed(7));
  EXPECT_GT(locked.size(), file.size());
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // About 3 s in a release build (9 s on two cores shared with a load of 7);
  // the quadratic parsers took over 15 minutes. Sanitizers slow everything
  // tenfold (45 s under ASan, loaded), so there ctest's TIMEOUT is the bound.
  constexpr double kBoundSeconds = modelock::testing::kAddressSanitizer ? 1e9 : 60.0;
  EXPECT_LT(seconds, kBoundSeconds) << "reading and locking 100 000 tensors is no longer linear in their number";
  RecordProperty("seconds", std::to_string(seconds));
}

}  // namespace
}  // namespace modelock::format
