// The JSON cost model (host/format/src/bounded_json.cpp) against the heap:
// every allocation of this program is counted (operator new is replaced
// below, which is why these tests are an executable of their own), and the
// most bytes in use while a document is parsed must stay within the
// estimate the parser charged to its budget, plus the lexer's buffer for the
// longest token.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "bounded_json.hpp"
#include "modelock/common/error.hpp"

namespace {

std::atomic<std::uint64_t> g_in_use{0};
std::atomic<std::uint64_t> g_peak{0};

// What glibc malloc takes for a request: 8 bytes of header, rounded up to 16,
// at least 32. The cost model assumes the same, so the comparison does not
// depend on the allocator the build uses (sanitizers bring their own).
std::uint64_t block_bytes(std::size_t request) { return std::max<std::uint64_t>(32, (request + 8 + 15) / 16 * 16); }

// Each block carries its size in front of it.
constexpr std::size_t kHeader = 16;

}  // namespace

void* operator new(std::size_t n) {
  auto* p = static_cast<unsigned char*>(std::malloc(n + kHeader));
  if (p == nullptr) throw std::bad_alloc();
  *reinterpret_cast<std::size_t*>(p) = n;
  const auto now = g_in_use.fetch_add(block_bytes(n)) + block_bytes(n);
  auto peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
  return p + kHeader;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  auto* block = static_cast<unsigned char*>(p) - kHeader;
  g_in_use.fetch_sub(block_bytes(*reinterpret_cast<std::size_t*>(block)));
  std::free(block);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }

namespace modelock::format {
namespace {

struct Measured {
  std::uint64_t peak = 0;       // most bytes in use above the start, while parsing
  std::uint64_t estimated = 0;  // what the parser charged
};

Measured parse_and_measure(const std::string& text, std::size_t longest_token) {
  const FieldChecker check("m.json");
  const std::uint64_t before = g_in_use.load();
  g_peak.store(before);
  const BoundedJson parsed = parse_bounded_json(text, check, "header");
  Measured m{g_peak.load() - before, parsed.estimated_bytes};
  // nlohmann's lexer keeps the current token twice (decoded, and as read for
  // messages), each in a buffer that doubles as it grows; freed at the end.
  const std::uint64_t lexer = 4 * static_cast<std::uint64_t>(longest_token) + 4096;
  EXPECT_LE(m.peak, m.estimated + lexer) << text.substr(0, 60);
  return m;
}

std::string repeated(const std::string& item, std::size_t count, const std::string& open, const std::string& close) {
  std::string out = open;
  for (std::size_t i = 0; i < count; ++i) out += (i == 0 ? "" : ",") + item;
  return out + close;
}

TEST(JsonCostModel, BoundsWhatEachKindOfValueTakes) {
  constexpr std::size_t n = 200'000;
  parse_and_measure(repeated("0", n, "[", "]"), 1);
  parse_and_measure(repeated("1.5e300", n, "[", "]"), 7);
  parse_and_measure(repeated("true", n, "[", "]"), 4);
  parse_and_measure(repeated("null", n, "[", "]"), 4);
  parse_and_measure(repeated("\"\"", n, "[", "]"), 0);
  parse_and_measure(repeated("\"fifteen chars!!\"", n, "[", "]"), 15);
  parse_and_measure(repeated("\"sixteen chars!!!\"", n, "[", "]"), 16);
  parse_and_measure(repeated("\"" + std::string(100, 'x') + "\"", n / 10, "[", "]"), 100);
  parse_and_measure(repeated("{}", n, "[", "]"), 2);
  parse_and_measure(repeated("[]", n, "[", "]"), 2);
  parse_and_measure(repeated("[[[]]]", n, "[", "]"), 2);
  std::string members = "{";
  for (std::size_t i = 0; i < n; ++i) members += (i == 0 ? "\"k" : ",\"k") + std::to_string(i) + "\":0";
  parse_and_measure(members + "}", 8);
  std::string long_keys = "{";
  for (std::size_t i = 0; i < n / 10; ++i) long_keys += (i == 0 ? "\"" : ",\"") + std::string(40, 'k') + std::to_string(i) + "\":{}";
  parse_and_measure(long_keys + "}", 48);
  parse_and_measure("\"" + std::string(10'000'000, 'b') + "\"", 10'000'000);
}

TEST(JsonCostModel, ATensorTableCostsAboutWhatTheLimitsAssume) {
  constexpr std::size_t n = 20'000;
  std::string table = "{\"tensors\":[";
  for (std::size_t i = 0; i < n; ++i) {
    table += (i == 0 ? "" : ",") + std::string("{\"dtype\":\"F32\",\"layout\":\"row-major\",\"length\":4096,\"locked\":true,"
                                               "\"name\":\"model.layers.") +
             std::to_string(i) + ".attn.weight\",\"offset\":" + std::to_string(i * 4096) +
             ",\"shape\":[32,32],\"tag\":\"00112233445566778899aabbccddeeff\"}";
  }
  table += "]}";
  const Measured m = parse_and_measure(table, 32);
  // kMaxJsonDomBytes admits about 200 000 such records (json_limits.hpp).
  EXPECT_LT(m.estimated / n, 1400u);
  EXPECT_GT(kMaxJsonDomBytes / (m.estimated / n), 190'000u);
}

TEST(JsonCostModel, StopsAtTheBudgetBeforeSpendingPastIt) {
  constexpr std::uint64_t kBudget = 1 << 20;
  const std::string text = repeated("{}", 1'000'000, "[", "]");
  const FieldChecker check("m.json");
  const std::uint64_t before = g_in_use.load();
  g_peak.store(before);
  try {
    (void)parse_bounded_json(text, check, "header", kBudget);
    ADD_FAILURE() << "parsed past the budget";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.json: header: expected JSON that takes at most 1048576 bytes once parsed"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LE(g_peak.load() - before, kBudget + 64 * 1024);
}

}  // namespace
}  // namespace modelock::format
