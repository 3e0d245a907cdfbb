// The reader against hostile headers: time linear in the header, memory
// bounded by stated limits, the preamble checked before the file is read,
// and a header that is exactly one JSON object (docs/container-format.md,
// "Limits" and "Validation").
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "container_bytes.hpp"
#include "modelock/common/error.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/json_limits.hpp"
#include "modelock/locking/locking.hpp"
#include "sanitizers.hpp"
#include "test_models.hpp"
#include "format_errors.hpp"

namespace modelock::format {
namespace {

using testing::container_error;

using testing::container_around;
using testing::minimal_header;
using testing::repeated;

// A real locked container whose header text is replaced by `edit(text)`.
std::vector<std::uint8_t> locked_with_header_text(const std::function<std::string(const std::string&)>& edit) {
  const auto file = locking::lock_model(::modelock::testing::make_model(), ::modelock::testing::key_from_seed(3));
  const Container c = Container::parse(file, "c");
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = length << 8 | file[16 + static_cast<std::size_t>(i)];
  const std::string original(file.begin() + 24, file.begin() + 24 + static_cast<std::ptrdiff_t>(length));
  const std::string text = edit(original);
  std::vector<std::uint8_t> out(file.begin(), file.begin() + 24);
  testing::store_le64(text.size(), out.data() + 16);
  out.insert(out.end(), text.begin(), text.end());
  out.resize((out.size() + 63) / 64 * 64, 0);
  out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(c.blob_offset()), file.end());
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A bound on wall time, generous for a slow or shared machine; sanitizers
// make everything an order of magnitude slower, so there ctest's TIMEOUT
// alone stops a parser that is quadratic again.
constexpr double kGenerousSeconds = modelock::testing::kAddressSanitizer ? 1e9 : 20.0;

// A million empty objects is a 3 MB header. nlohmann's callback parser
// rescanned the enclosing array at every closing brace, which made this take
// hours; parsing is linear now and takes a fraction of a second. ctest's
// TIMEOUT (tests/format/CMakeLists.txt) stops a quadratic parser; the bound
// here is generous for slow, shared and sanitized builds.
TEST(HeaderParsing, AMillionObjectsParseInLinearTime) {
  const auto file = container_around(minimal_header(",\"graph\":[" + repeated("{}", 1'000'000) + "]"));
  const auto start = std::chrono::steady_clock::now();
  const Container c = Container::parse(file, "objects.mlk");
  EXPECT_LT(seconds_since(start), kGenerousSeconds);
  EXPECT_EQ(c.header().graph.size(), 1'000'000u);
}

TEST(HeaderParsing, HundredThousandTensorRecordsRoundTripQuickly) {
  constexpr std::size_t kTensors = 100'000;
  ContainerHeader header;
  header.scheme = scheme::Scheme::none;
  const std::vector<std::uint8_t> payload(4, 0);
  std::vector<std::span<const std::uint8_t>> payloads(kTensors, std::span<const std::uint8_t>(payload));
  for (std::size_t i = 0; i < kTensors; ++i) {
    TensorRecord t;
    t.name = "model.layers." + std::to_string(i) + ".weight";
    t.dtype = DType::f32;
    t.shape = {1};
    header.tensors.push_back(std::move(t));
  }
  auto encoded = encode_container(header, payloads, "big.safetensors");
  const auto start = std::chrono::steady_clock::now();
  const Container c = Container::parse(std::move(encoded.bytes), "big.mlk");
  EXPECT_LT(seconds_since(start), kGenerousSeconds);
  ASSERT_EQ(c.header().tensors.size(), kTensors);
  EXPECT_EQ(c.header().tensors.back().name, "model.layers.99999.weight");
  EXPECT_EQ(c.header().tensors.back().offset, (kTensors - 1) * 64);
}

// Six million zeros are a 12 MB header (under kMaxHeaderBytes) that would
// take 288 MB parsed: refused at the kMaxJsonDomBytes budget, where the
// reader used to build the whole document (a 200 MB header took 7.7 GB).
TEST(HeaderParsing, RefusesAHeaderWhoseParsedFormPassesTheMemoryLimit) {
  const auto file = container_around(minimal_header(",\"graph\":[" + repeated("0", 6'000'000) + "]"));
  const std::string error = container_error(file);
  EXPECT_NE(error.find("bad.mlk: header: expected JSON that takes at most 268435456 bytes once parsed (the "
                       "kMaxJsonDomBytes limit"),
            std::string::npos)
      << error;
}

TEST(HeaderParsing, RefusesNestingPastTheDepthLimit) {
  // The header object is level 1 and "graph" opens level 2.
  auto nested = [](std::size_t levels) {
    return minimal_header(",\"graph\":" + std::string(levels, '[') + std::string(levels, ']'));
  };
  EXPECT_NO_THROW((void)Container::parse(container_around(nested(kMaxJsonDepth - 1)), "deep.mlk"));
  const std::string error = container_error(container_around(nested(kMaxJsonDepth)));
  EXPECT_NE(error.find("header: expected JSON nested at most 64 levels deep (the kMaxJsonDepth limit)"),
            std::string::npos)
      << error;
  // Far past the limit is refused the same way, without descending.
  EXPECT_NE(container_error(container_around(nested(1'000'000))).find("kMaxJsonDepth"), std::string::npos);
}

TEST(HeaderParsing, RefusesRepeatedKeysAtAnyDepth) {
  EXPECT_NE(container_error(container_around(minimal_header(",\"scheme\":\"ctr\""))).find("\"scheme\" repeats"),
            std::string::npos);
  EXPECT_NE(container_error(container_around(minimal_header(",\"graph\":[{\"a\":{\"b\":1,\"b\":2}}]"))).find("\"b\" repeats"),
            std::string::npos);
}

// The header is exactly one JSON object with optional JSON white space
// around it. nlohmann stops at a NUL byte and skips a UTF-8 byte order mark,
// so both used to pass: junk behind a NUL rode along inside the
// authenticated header, and readers that do not skip a BOM refuse the file.
TEST(HeaderParsing, RefusesANulByteAndWhatFollowsIt) {
  const auto with_nul = locked_with_header_text([](const std::string& text) { return text + std::string("\0junk", 5); });
  const std::string error = container_error(with_nul);
  EXPECT_NE(error.find("bad.mlk: header: expected JSON without NUL bytes, found one at byte"), std::string::npos)
      << error;
  const auto nul_only = locked_with_header_text([](const std::string& text) { return text + std::string(1, '\0'); });
  EXPECT_NE(container_error(nul_only).find("without NUL bytes"), std::string::npos);
}

TEST(HeaderParsing, RefusesAByteOrderMark) {
  const auto with_bom = locked_with_header_text([](const std::string& text) { return "\xEF\xBB\xBF" + text; });
  const std::string error = container_error(with_bom);
  EXPECT_NE(error.find("bad.mlk: header: expected JSON without a byte order mark"), std::string::npos) << error;
}

TEST(HeaderParsing, AcceptsJsonWhiteSpaceAroundTheObjectAndNothingElse) {
  const auto spaced = locked_with_header_text([](const std::string& text) { return " \t\r\n" + text + "\r\n \t"; });
  EXPECT_NO_THROW((void)Container::parse(spaced, "spaced.mlk"));
  for (const std::string tail : {" x", "{}", " []", "\x0b", "\x0c", "\xC2\xA0"}) {
    const auto junk = locked_with_header_text([&](const std::string& text) { return text + tail; });
    EXPECT_NE(container_error(junk).find("bad.mlk: header: expected valid JSON"), std::string::npos) << tail;
  }
}

// JSON text is UTF-8 (RFC 8259 section 8.1): every ill-formed sequence in a
// string is refused, not passed on to whoever prints the header.
TEST(HeaderParsing, RefusesIllFormedUtf8InHeaderStrings) {
  const std::vector<std::string> ill_formed = {
      "\x80",              // a continuation byte alone
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong, three bytes
      "\xED\xA0\x80",      // a UTF-16 surrogate (U+D800)
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\xE2\x82",          // truncated
      "\xFF",              // never in UTF-8
      "\\ud800",           // an escaped lone surrogate
  };
  for (const auto& bytes : ill_formed) {
    const auto in_graph = container_around(minimal_header(",\"graph\":\"a" + bytes + "b\""));
    EXPECT_NE(container_error(in_graph).find("bad.mlk: header: expected valid JSON"), std::string::npos) << bytes;
    const auto in_key = container_around(minimal_header(",\"graph\":{\"" + bytes + "\":1}"));
    EXPECT_NE(container_error(in_key).find("expected valid JSON"), std::string::npos) << bytes;
  }
  // Well-formed non-ASCII text is fine.
  EXPECT_NO_THROW((void)Container::parse(container_around(minimal_header(",\"graph\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"")),
                                         "utf8.mlk"));
}

// A sparse file: as long as `size`, holding only `prefix`, so the test needs
// neither the disk space nor the memory.
std::filesystem::path sparse_file(const std::string& name, const std::vector<std::uint8_t>& prefix, std::uint64_t size) {
  const auto path = std::filesystem::path(::testing::TempDir()) / name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, prefix.data(), prefix.size()), static_cast<ssize_t>(prefix.size()));
  EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
  ::close(fd);
  return path;
}

std::string read_error_of(const std::filesystem::path& path) {
  try {
    (void)Container::read(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted " << path;
  return {};
}

// `inspect` used to read the whole file before looking at the magic. A
// 1 TiB file (sparse) cannot be read into memory: it used to fail with
// std::bad_alloc, and a size limit alone would refuse it for its size rather
// than say it is not a container, or which preamble field is wrong.
TEST(ContainerRead, ChecksThePreambleBeforeReadingTheFile) {
  constexpr std::uint64_t kHuge = std::uint64_t{1} << 40;
  const auto not_a_container = sparse_file("huge.bin", {'P', 'K', 3, 4}, kHuge);
  EXPECT_NE(read_error_of(not_a_container).find("magic: expected \"MODELOCK\""), std::string::npos);

  auto preamble = container_around("{}");
  preamble.resize(kPreambleBytes);
  testing::store_le64(kMaxHeaderBytes + 1, preamble.data() + 16);
  const auto long_header = sparse_file("long-header.mlk", preamble, kHuge);
  EXPECT_NE(read_error_of(long_header).find("header length: expected at most 67108864 bytes (the kMaxHeaderBytes limit"),
            std::string::npos);

  preamble[8] = 2;
  const auto version_2 = sparse_file("version-2.mlk", preamble, kHuge);
  EXPECT_NE(read_error_of(version_2).find("version: expected 1, got 2"), std::string::npos);
  for (const auto& p : {not_a_container, long_header, version_2}) std::filesystem::remove(p);
}

TEST(ContainerRead, ReadsWhatParseAccepts) {
  const auto file = locking::lock_model(::modelock::testing::make_model(), ::modelock::testing::key_from_seed(4));
  const auto path = sparse_file("ok.mlk", file, file.size());
  const Container c = Container::read(path);
  EXPECT_EQ(c.file_size(), file.size());
  EXPECT_EQ(c.origin(), path.string());
  const auto short_file = sparse_file("short.mlk", {'M', 'O', 'D'}, 3);
  EXPECT_NE(read_error_of(short_file).find("file length: expected at least 40 bytes"), std::string::npos);
  std::filesystem::remove(path);
  std::filesystem::remove(short_file);
}

}  // namespace
}  // namespace modelock::format
