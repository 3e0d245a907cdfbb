#include "cards.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace modelock::xclbin {

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

void add_banks(std::vector<Memory>& out, std::string_view type, MemoryType kind, int count, std::uint64_t bytes,
               std::uint64_t base) {
  for (int i = 0; i < count; ++i) {
    out.push_back({fmt::format("{}[{}]", type, i), kind, base + static_cast<std::uint64_t>(i) * bytes, bytes});
  }
}

Card make_card(std::string_view name) {
  Card card{std::string(name), {}};
  if (name == "u50") add_banks(card.memories, "HBM", MemoryType::hbm, 32, 256 * kMiB, 0);
  if (name == "u55c") add_banks(card.memories, "HBM", MemoryType::hbm, 32, 512 * kMiB, 0);
  if (name == "u280") {
    add_banks(card.memories, "HBM", MemoryType::hbm, 32, 256 * kMiB, 0);
    add_banks(card.memories, "DDR", MemoryType::ddr4, 2, 16 * kGiB, 64 * kGiB);
  }
  if (name == "u250") add_banks(card.memories, "DDR", MemoryType::ddr4, 4, 16 * kGiB, 64 * kGiB);
  return card;
}

constexpr std::array<std::string_view, 4> kCards = {"u50", "u55c", "u250", "u280"};

int parse_int(std::string_view s, std::string_view line, std::string_view origin,
              std::string_view what = "a bank number") {
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
    throw std::invalid_argument(fmt::format("{}: '{}': expected {}, got '{}'", origin, line, what, s));
  }
  return value;
}

}  // namespace

Card card_of(std::string_view platform) {
  const std::string padded = fmt::format("_{}_", platform);
  for (std::string_view c : kCards) {
    if (padded.find(fmt::format("_{}_", c)) != std::string::npos) return make_card(c);
  }
  throw std::invalid_argument(fmt::format("platform '{}': expected a platform of one of the cards {} "
                                          "(e.g. xilinx_u55c_gen3x16_xdma_3_202210_1)",
                                          platform, fmt::join(kCards, ", ")));
}

std::vector<Connection> read_connectivity(std::string_view text, const Card& card, std::string_view origin) {
  const std::string prefix = "sp=lock_engine_";
  std::vector<Connection> out;
  for (std::size_t begin = 0, end = 0; begin < text.size(); begin = end + 1) {
    end = std::min(text.find('\n', begin), text.size());
    const std::string_view line = text.substr(begin, end - begin);
    if (!line.starts_with(prefix)) continue;
    // The compute unit: lock_engine_<i>, i from 1.
    const auto dot = line.find('.', prefix.size());
    if (dot == std::string_view::npos) {
      throw std::invalid_argument(fmt::format("{}: '{}': expected sp=lock_engine_N.ARGUMENT:BANK[i] or [i:j]", origin, line));
    }
    const int instance = parse_int(line.substr(prefix.size(), dot - prefix.size()), line, origin, "a compute unit number");
    if (instance < 1) {
      throw std::invalid_argument(fmt::format("{}: '{}': compute units are numbered from lock_engine_1", origin, line));
    }
    const auto rest = line.substr(dot + 1);
    const auto colon = rest.find(':'), open = rest.find('['), close = rest.find(']');
    if (colon == std::string_view::npos || open == std::string_view::npos || close == std::string_view::npos ||
        open < colon || close < open) {
      throw std::invalid_argument(fmt::format("{}: '{}': expected sp=lock_engine_N.ARGUMENT:BANK[i] or [i:j]", origin, line));
    }
    const auto argument = rest.substr(0, colon);
    const auto type = rest.substr(colon + 1, open - colon - 1);
    const auto range = rest.substr(open + 1, close - open - 1);
    const auto& table = device::kKernelArguments;
    const auto arg = std::find_if(table.begin(), table.end(), [&](const auto& a) {
      return a.name == argument && a.kind == device::ArgumentKind::buffer;
    });
    if (arg == table.end()) {
      throw std::invalid_argument(fmt::format("{}: '{}': '{}' is not a buffer argument of lock_engine", origin, line, argument));
    }
    const auto sep = range.find(':');
    const int first = parse_int(range.substr(0, sep), line, origin);
    const int last = sep == std::string_view::npos ? first : parse_int(range.substr(sep + 1), line, origin);
    for (int bank = first; bank <= last; ++bank) {
      const std::string tag = fmt::format("{}[{}]", type, bank);
      const auto m = std::find_if(card.memories.begin(), card.memories.end(), [&](const Memory& x) { return x.tag == tag; });
      if (m == card.memories.end()) {
        throw std::invalid_argument(fmt::format("{}: '{}': the {} has no memory {}", origin, line, card.name, tag));
      }
      out.push_back({static_cast<int>(arg - table.begin()), static_cast<std::size_t>(m - card.memories.begin()),
                     static_cast<std::size_t>(instance - 1)});
    }
  }
  return out;
}

}  // namespace modelock::xclbin
